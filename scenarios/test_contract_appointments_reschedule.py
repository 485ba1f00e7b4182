"""Contract rules §4.5-§4.6 at their edges: what a reschedule moves, and what it may not move into.

Scenario 6 reschedules one single-service appointment within a day. These move a two-service
appointment to another date (the second service keeps its offset), move one to another staff
member, and send reschedules into every §5 refusal at the target: outside the window, into
another service of the staff member, into the past, beyond the advance window. A refused
reschedule must leave the appointment exactly where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.dates import WEEKDAYS, next_day, today_utc
from fixtures.expect import ConformanceFailure, expect_equal, expect_error_detail, expect_status, field
from fixtures.factories import Factory, Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X102 = (
    "A reschedule answers 200 with the same id, still confirmed, times moved; "
    "a second service keeps its offset"
)
X103 = "A reschedule with new_staff_id moves the appointment to that staff member"
X104 = "A reschedule outside the window or into a staff conflict is refused with 409 and changes nothing"
X105 = "A reschedule into the past or beyond max_advance_booking_days is refused with 400 and changes nothing"


def expect_items(response: httpx.Response, expected: list[dict[str, Any]], *, what: str) -> None:
    """services[i] has each given key's value (a message naming every difference)."""
    __tracebackhide__ = True
    items = field(response, "services")
    if not isinstance(items, list) or len(items) != len(expected):
        raise ConformanceFailure(
            f"{what}: expected {len(expected)} services, got {items!r:.200}", response=response
        )
    wrong = [
        f"$.services[{n}].{key} expected {value!r}, got {item.get(key) if isinstance(item, dict) else item!r}"
        for n, (item, want) in enumerate(zip(items, expected, strict=True))
        for key, value in want.items()
        if not isinstance(item, dict) or item.get(key) != value
    ]
    if wrong:
        raise ConformanceFailure(f"{what}: " + "; ".join(wrong), response=response)


@dataclass
class Moved:
    appointment_id: str
    later: date
    moved: httpx.Response
    read_back: httpx.Response
    staff: list[str]


class TestRescheduleMovesEveryService:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Moved:
        """Yoga (60 min, staff A) at 10:00 + massage (30 min, staff B) at 11:00; moved to +7 days 14:00."""
        stage = factory.stage("X-102 first", capacity=1, parallel=False, day=day)
        second = factory.service("X-102 second", parallel=False, capacity=1, duration=30)
        other = factory.staff("X-102 other")
        factory.availability(other, day=day, start="08:00", end="20:00")
        items = [
            ep.BookingItem(stage.service["id"], stage.staff["id"], "10:00"),
            ep.BookingItem(second["id"], other["id"], "11:00"),
        ]
        booked = api.book_items(
            customer_id=factory.customer()["id"], outlet_id=stage.outlet_id, appointment_date=day, items=items
        )
        factory.track(booked)
        expect_status(booked, 201, why="booking the two-service appointment")
        appointment_id = str(field(booked, "id"))
        later = next_day(day, 7)  # the same weekday: both windows cover it
        moved = api.reschedule(appointment_id, new_date=later, new_time="14:00", reason="X-102")
        return Moved(
            appointment_id,
            later,
            moved,
            api.get_appointment(appointment_id),
            [stage.staff["id"], other["id"]],
        )

    @checklist("X-102", X102)
    def test_reschedule_answers_200_with_the_same_confirmed_appointment(self, run: Moved) -> None:
        expect_status(run.moved, 200)
        expect_equal(
            field(run.moved, "id"), run.appointment_id, what="id after reschedule", response=run.moved
        )
        expect_equal(
            field(run.moved, "status"), "confirmed", what="status after reschedule", response=run.moved
        )
        expect_equal(
            field(run.moved, "appointment_date"),
            run.later.isoformat(),
            what="appointment_date",
            response=run.moved,
        )

    @pytest.mark.parametrize("which", ["response", "read-back"])
    @checklist("X-102", X102)
    def test_first_service_moves_to_new_time_and_second_keeps_its_offset(
        self, run: Moved, which: str
    ) -> None:
        response = run.moved if which == "response" else run.read_back
        expect_status(response, 200)
        expect_items(
            response,
            [
                {"start_time": "14:00:00", "end_time": "15:00:00", "staff_id": run.staff[0]},
                {"start_time": "15:00:00", "end_time": "15:30:00", "staff_id": run.staff[1]},
            ],
            what="services after moving 10:00 -> 14:00 (second service 60 minutes after the first)",
        )


class TestRescheduleToAnotherStaffMember:
    @checklist("X-103", X103)
    def test_new_staff_id_moves_the_appointment_and_frees_the_old_session(
        self, api: BookingApi, factory: Factory, day: date
    ) -> None:
        stage = factory.stage("X-103 staff", capacity=1, parallel=False, day=day)
        other = factory.staff("X-103 new staff")
        factory.availability(other, day=day, start="08:00", end="20:00")
        booked = stage.book("10:00")
        expect_status(booked, 201, why="booking on the first staff member")
        moved = api.reschedule(
            str(field(booked, "id")), new_date=day, new_time="10:00", new_staff_id=other["id"]
        )
        expect_status(moved, 200)
        expect_items(moved, [{"staff_id": other["id"], "start_time": "10:00:00"}], what="after new_staff_id")
        # The single-booking session it left is free again (§5: only active items of T count).
        expect_status(stage.book("10:00"), 201, why="the first staff member's 10:00 after the move")


def _moved_nothing(api: BookingApi, appointment: httpx.Response, refused: httpx.Response) -> None:
    """The refused reschedule left date, start and status as booked."""
    __tracebackhide__ = True
    expect_error_detail(refused)
    after = api.get_appointment(str(field(appointment, "id")))
    expect_status(after, 200)
    for key in ("appointment_date", "status"):
        expect_equal(
            field(after, key),
            field(appointment, key),
            what=f"{key} after a refused reschedule",
            response=after,
        )
    expect_items(after, [{"start_time": "10:00:00"}], what="after a refused reschedule")


class TestRescheduleIntoAConflictIsRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def stage(cls, factory: Factory, day: date) -> Stage:
        """Window 09:00-17:00 on `day`'s weekday; another service booked 14:00-15:00 on the same staff."""
        stage = factory.stage("X-104 target", capacity=50, day=day, window=("09:00", "17:00"))
        blocker = factory.service("X-104 blocker", parallel=False, capacity=1)
        expect_status(stage.book("14:00", service=blocker), 201, why="booking the blocker 14:00-15:00")
        return stage

    @pytest.mark.parametrize(
        ("days_later", "new_time"),
        [
            pytest.param(0, "16:30", id="ends-past-window-end-17:30"),
            pytest.param(0, "08:30", id="starts-before-window-08:30"),
            pytest.param(1, "10:00", id="weekday-without-window"),
            pytest.param(0, "14:30", id="into-another-service-14:30"),
            pytest.param(0, "13:01", id="one-minute-into-another-service-13:01"),
        ],
    )
    @checklist("X-104", X104)
    def test_reschedule_into_conflict_is_refused_with_409(
        self, api: BookingApi, stage: Stage, days_later: int, new_time: str
    ) -> None:
        booked = stage.book("10:00")
        expect_status(booked, 201, why="booking the appointment to move")
        target = next_day(stage.day, days_later)
        refused = api.reschedule(str(field(booked, "id")), new_date=target, new_time=new_time)
        expect_status(refused, 409, why=f"reschedule to {target} {new_time}")
        _moved_nothing(api, booked, refused)


class TestRescheduleOutsideTheBookingWindowIsRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def stage(cls, factory: Factory, day: date) -> Stage:
        """A service bookable up to 30 days ahead; the staff member works 08:00-20:00 every day."""
        service = factory.service("X-105 advance", parallel=True, capacity=50, max_advance_booking_days=30)
        staff = factory.staff("X-105 advance")
        for n in range(len(WEEKDAYS)):  # a window on every weekday: a refusal is never about hours
            factory.availability(staff, day=next_day(day, n), start="08:00", end="20:00")
        return Stage(factory, service=service, staff=staff, day=day)

    # Offsets from today in UTC; the outlet's date is within one day of it in any timezone, and
    # the booked `day` is 14-20 days out (inside 30): -2 is past everywhere, +45 beyond 30 everywhere.
    @pytest.mark.parametrize(
        "days_from_today",
        [pytest.param(-2, id="two-days-ago"), pytest.param(45, id="beyond-max-advance-30-days")],
    )
    @checklist("X-105", X105)
    def test_reschedule_outside_the_booking_window_is_refused_with_400(
        self, api: BookingApi, stage: Stage, days_from_today: int
    ) -> None:
        booked = stage.book("10:00")
        expect_status(booked, 201, why="booking the appointment to move")
        target = next_day(today_utc(), days_from_today)
        refused = api.reschedule(str(field(booked, "id")), new_date=target, new_time="10:00")
        expect_status(refused, 400, why=f"reschedule to {target} 10:00 (max_advance_booking_days 30)")
        _moved_nothing(api, booked, refused)

"""Contract rules beyond the guide: business rules of a booking (CONTRACT.md §3-§5).

The guide books one happy Monday at a time; the contract adds the rules around it: the
advance window (§5.8), inactive services (§3), duplicate bookings (§5.7) and the status
machine (§4). Each test builds its own service and staff member, so none shares capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.dates import next_day, today_utc, weekday_name
from fixtures.expect import (
    expect_equal,
    expect_error_detail,
    expect_slot,
    expect_status,
    expect_success,
    field,
)
from fixtures.factories import Factory, Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X4 = "Bookings in the past or outside the advance window are refused with 400"
X5 = "An inactive (deleted) service cannot be booked (400)"
X6 = "The same customer booking the same session twice is refused with 409"
X7 = "Illegal status transitions are refused with 409 and change nothing"


def _service_with_windows(
    factory: Factory, label: str, days: list[date], **service_fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A single-booking service and a staff member with a 08:00-20:00 window on each day's weekday.

    The order of the contract's checks is not fixed, so the window must exist: a refusal is
    then about the rule under test (400), never about availability (409, §5.1).
    """
    service = factory.service(label, parallel=False, capacity=1, **service_fields)
    staff = factory.staff(label)
    for weekday in {weekday_name(d): d for d in days}.values():
        factory.availability(staff, day=weekday, start="08:00", end="20:00")
    return service, staff


class TestBookingsOutsideTheAdvanceWindowAreRefused:
    # Offsets are from today in UTC; the outlet's local date is within one day of it in any
    # timezone (UTC-12..UTC+14), so each case is on the same side of its rule wherever it runs:
    # -2 days is past everywhere; +1 day 10:00 is at most ~46 h ahead (< 72 h); +4 days is at
    # most ~5.5 days ahead (< 7); +14 days is at least ~12 days ahead (> 7, > 72 h).
    @pytest.mark.parametrize(
        ("rule", "days_from_today", "expected"),
        [
            pytest.param({}, -2, 400, id="two-days-ago"),
            pytest.param({"max_advance_booking_days": 7}, 14, 400, id="beyond-max-advance-7-days"),
            pytest.param({}, 75, 400, id="beyond-default-max-advance-60-days"),
            pytest.param({"min_advance_booking_hours": 72}, 1, 400, id="within-min-advance-72-hours"),
            pytest.param({"max_advance_booking_days": 7}, 4, 201, id="control-inside-max-advance-7-days"),
            pytest.param({"min_advance_booking_hours": 72}, 14, 201, id="control-after-min-advance-72-hours"),
        ],
    )
    @checklist("X-4", X4)
    def test_booking_date_is_judged_by_the_advance_window(
        self, api: BookingApi, factory: Factory, rule: dict[str, int], days_from_today: int, expected: int
    ) -> None:
        when = next_day(today_utc(), days_from_today)
        service, staff = _service_with_windows(factory, "X-4 advance", [when], **rule)
        customer = factory.customer()
        response = factory.book(customer=customer, service=service, staff=staff, day=when, start="10:00")
        expect_status(response, expected, why=f"booking {when} 10:00 with {rule or 'default rules'}")
        if expected == 400:
            expect_error_detail(response)
            listed = api.list_appointments(date=when, service_id=service["id"])
            expect_equal(field(listed, "total"), 0, what="appointments after a 400", response=listed)


class TestInactiveServiceCannotBeBooked:
    @checklist("X-5", X5)
    def test_deleted_service_reads_as_inactive(self, api: BookingApi, factory: Factory) -> None:
        service = factory.service("X-5 deleted", parallel=False, capacity=1)
        expect_success(api.delete_service(service["id"]))
        after = api.get_service(service["id"])
        expect_status(after, 200, why="a soft-deleted service is still readable")
        expect_equal(field(after, "is_active"), False, what="is_active after DELETE", response=after)

    @pytest.mark.parametrize("how", ["deleted", "created-inactive", "deactivated-by-put"])
    @checklist("X-5", X5)
    def test_inactive_service_booking_is_refused_with_400(
        self, api: BookingApi, factory: Factory, day: date, how: str
    ) -> None:
        fields = {"is_active": False} if how == "created-inactive" else {}
        service, staff = _service_with_windows(factory, f"X-5 {how}", [day], **fields)
        if how == "deleted":
            expect_success(api.delete_service(service["id"]))
        if how == "deactivated-by-put":  # §3: PUT is a partial update
            expect_status(api.update_service(service["id"], {"is_active": False}), 200)
        response = factory.book(
            customer=factory.customer(), service=service, staff=staff, day=day, start="10:00"
        )
        expect_status(response, 400)
        expect_error_detail(response)


@dataclass
class Duplicate:
    stage: Stage
    first: httpx.Response
    again: httpx.Response
    other: httpx.Response
    grid: httpx.Response


class TestSameCustomerTwiceInOneSessionIsRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory: Factory, day: date) -> Duplicate:
        """One customer books a 5-place session twice, then another customer books it once."""
        # Capacity 5, so a 409 for the repeat can only be the duplicate rule (§5.7), not capacity.
        stage = factory.stage("X-6 duplicate", capacity=5, day=day)
        customer = factory.customer()
        first = stage.book("10:00", customer=customer)
        again = stage.book("10:00", customer=customer)
        other = stage.book("10:00")
        return Duplicate(stage, first, again, other, stage.grid())

    @checklist("X-6", X6)
    def test_repeat_booking_of_the_same_customer_is_refused_with_409(self, run: Duplicate) -> None:
        expect_status(run.first, 201, why="the customer's first booking")
        expect_status(run.again, 409)
        expect_error_detail(run.again)

    @checklist("X-6", X6)
    def test_another_customer_still_fits_the_same_session(self, run: Duplicate) -> None:
        expect_status(run.other, 201)

    @checklist("X-6", X6)
    def test_refused_repeat_takes_no_place(self, run: Duplicate) -> None:
        # Two bookings held (the first and the other customer's): 5 - 2 = 3 places left.
        expect_slot(
            run.grid, day=run.stage.day, start="10:00", staff_id=run.stage.staff["id"], available_capacity=3
        )


# A move is "cancel" (PUT .../cancel), "reschedule" (PUT .../reschedule to 14:00 the same day)
# or "status:<s>" (PATCH .../status). Appointments are created `confirmed` (§4), and no move
# leads back to `pending`, so `pending` cannot be a start state here.
def _move(api: BookingApi, appointment: dict[str, Any], move: str) -> httpx.Response:
    if move == "cancel":
        return api.cancel(appointment["id"], reason="X-7")
    if move == "reschedule":
        day = date.fromisoformat(appointment["appointment_date"])
        return api.reschedule(appointment["id"], new_date=day, new_time="14:00")
    return api.set_status(appointment["id"], move.removeprefix("status:"))


def _status_after(path: tuple[str, ...]) -> str:
    status = "confirmed"
    for move in path:
        if move != "reschedule":
            status = "cancelled" if move == "cancel" else move.removeprefix("status:")
    return status


CANCELLED, NO_SHOW, IN_PROGRESS = ("cancel",), ("status:no_show",), ("status:in_progress",)
COMPLETED = ("status:in_progress", "status:completed")
# (moves that reach the start state, the illegal move); §4 allows only pending -> confirmed,
# pending|confirmed -> cancelled|no_show|in_progress and in_progress -> completed.
ILLEGAL = [
    pytest.param((), "status:completed", id="confirmed-to-completed"),
    pytest.param((), "status:pending", id="confirmed-to-pending"),
    pytest.param(CANCELLED, "cancel", id="cancelled-cancelled-again"),
    pytest.param(CANCELLED, "reschedule", id="cancelled-rescheduled"),
    pytest.param(CANCELLED, "status:confirmed", id="cancelled-to-confirmed"),
    pytest.param(CANCELLED, "status:in_progress", id="cancelled-to-in_progress"),
    pytest.param(NO_SHOW, "status:confirmed", id="no_show-to-confirmed"),
    pytest.param(NO_SHOW, "cancel", id="no_show-cancelled"),
    pytest.param(NO_SHOW, "reschedule", id="no_show-rescheduled"),
    pytest.param(IN_PROGRESS, "status:confirmed", id="in_progress-to-confirmed"),
    pytest.param(IN_PROGRESS, "cancel", id="in_progress-cancelled"),
    pytest.param(IN_PROGRESS, "status:no_show", id="in_progress-to-no_show"),
    pytest.param(COMPLETED, "status:in_progress", id="completed-to-in_progress"),
    pytest.param(COMPLETED, "status:cancelled", id="completed-to-cancelled"),
    pytest.param(COMPLETED, "reschedule", id="completed-rescheduled"),
]
LEGAL = [
    pytest.param(("cancel",), id="confirmed-cancelled-by-put"),
    pytest.param(("status:cancelled",), id="confirmed-to-cancelled"),
    pytest.param(NO_SHOW, id="confirmed-to-no_show"),
    pytest.param(IN_PROGRESS, id="confirmed-to-in_progress"),
    pytest.param(COMPLETED, id="in_progress-to-completed"),
    pytest.param(("reschedule",), id="confirmed-rescheduled"),
]


class TestIllegalStatusTransitionsAreRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def stage(cls, factory: Factory, day: date) -> Stage:
        """One roomy parallel session: each test books its own appointment into it."""
        return factory.stage("X-7 transitions", capacity=100, day=day)

    def _appointment_in(self, api: BookingApi, stage: Stage, path: tuple[str, ...]) -> dict[str, Any]:
        """A fresh appointment at 10:00, moved along `path` (each move legal, each must answer 200)."""
        booked = stage.book("10:00")
        expect_status(booked, 201, why="booking the appointment under test")
        for move in path:
            expect_status(_move(api, booked.json(), move), 200, why=f"legal move {move!r} (CONTRACT.md §4)")
        return booked.json()

    @pytest.mark.parametrize(("path", "move"), ILLEGAL)
    @checklist("X-7", X7)
    def test_illegal_move_is_refused_with_409_and_changes_nothing(
        self, api: BookingApi, stage: Stage, path: tuple[str, ...], move: str
    ) -> None:
        appointment = self._appointment_in(api, stage, path)
        refused = _move(api, appointment, move)
        expect_status(refused, 409, why=f"{move!r} from {_status_after(path)!r}")
        expect_error_detail(refused)
        after = api.get_appointment(appointment["id"])
        expect_status(after, 200)
        expect_equal(field(after, "status"), _status_after(path), what="status after a 409", response=after)
        expect_equal(field(after, "services", 0, "start_time"), "10:00:00", what="start_time", response=after)

    @pytest.mark.parametrize("path", LEGAL)
    @checklist("X-7", X7)
    def test_legal_moves_succeed(self, api: BookingApi, stage: Stage, path: tuple[str, ...]) -> None:
        appointment = self._appointment_in(api, stage, path)
        after = api.get_appointment(appointment["id"])
        expect_status(after, 200)
        expect_equal(field(after, "status"), _status_after(path), what="status", response=after)

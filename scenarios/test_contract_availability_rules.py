"""Contract rules beyond the guide: weekly availability windows (CONTRACT.md §3, §5.1).

The guide creates one window (step 1.3) and books inside it. The contract adds what happens
at and beyond its edges: a booking must fit its whole blocked interval (duration +
preparation + cleanup) into a window (§5.1), and two windows of one staff member on one day
must not overlap (§3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.dates import next_day, weekday_name
from fixtures.expect import (
    expect_detail_mentions_staff,
    expect_equal,
    expect_error_detail,
    expect_status,
    expect_success,
    field,
    pick,
)
from fixtures.factories import Factory
from fixtures.readback import ids_of, page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X8 = "Staff availability outside the window is refused with 409"
X10 = "Overlapping availability windows are refused with 409"


class TestBookingOutsideTheWindowIsRefused:
    # Window 09:00-12:00 on the booked weekday, a 60-minute single-booking service.
    # (start, days after `day`, extra service fields, expected status)
    @pytest.mark.parametrize(
        ("start", "days_later", "fields", "expected"),
        [
            pytest.param("12:00", 0, {}, 409, id="starts-at-window-end-12:00"),
            pytest.param("11:30", 0, {}, 409, id="runs-past-window-end-11:30"),
            pytest.param("08:00", 0, {}, 409, id="ends-at-window-start-08:00"),
            pytest.param("08:30", 0, {}, 409, id="starts-before-window-08:30"),
            pytest.param("10:00", 1, {}, 409, id="weekday-without-window"),
            # §5: the blocked interval is duration + preparation + cleanup, all of it in the window.
            pytest.param("11:00", 0, {"cleanup_minutes": 30}, 409, id="cleanup-runs-past-window-end"),
            pytest.param("11:00", 0, {"preparation_minutes": 30}, 409, id="preparation-runs-past-window-end"),
            pytest.param("11:00", 0, {}, 201, id="control-fits-exactly-11:00"),
            pytest.param("09:00", 0, {}, 201, id="control-starts-at-window-start-09:00"),
        ],
    )
    @checklist("X-8", X8)
    def test_booking_is_judged_by_the_window(
        self, factory: Factory, day: date, start: str, days_later: int, fields: dict[str, int], expected: int
    ) -> None:
        service = factory.service("X-8 window edge", parallel=False, capacity=1, **fields)
        staff = factory.staff("X-8 window edge")
        factory.availability(staff, day=day, start="09:00", end="12:00")
        when = next_day(day, days_later)
        response = factory.book(
            customer=factory.customer(), service=service, staff=staff, day=when, start=start
        )
        expect_status(response, expected, why=f"{weekday_name(when)} {start}, window 09:00-12:00 on {day:%A}")
        if expected == 409:
            # §5.4: the detail names the staff member and says why.
            expect_detail_mentions_staff(response, staff)


# (id, staff "first"/"second", day "booked"/"next", start, end, expected status), in order.
ATTEMPTS = [
    ("first-09:00-12:00", "first", "booked", "09:00", "12:00", 201),
    ("overlapping-end-11:00-13:00", "first", "booked", "11:00", "13:00", 409),
    ("overlapping-start-08:00-09:30", "first", "booked", "08:00", "09:30", 409),
    ("inside-10:00-11:00", "first", "booked", "10:00", "11:00", 409),
    ("enclosing-08:00-15:00", "first", "booked", "08:00", "15:00", 409),
    ("identical-09:00-12:00", "first", "booked", "09:00", "12:00", 409),
    ("touching-12:00-14:00", "first", "booked", "12:00", "14:00", 201),
    # C3.8 at its edge: one minute of overlap is an overlap; a third disjoint window is fine.
    ("one-minute-overlap-13:59-15:00", "first", "booked", "13:59", "15:00", 409),
    ("one-minute-overlap-07:00-09:01", "first", "booked", "07:00", "09:01", 409),
    ("third-disjoint-14:30-16:00", "first", "booked", "14:30", "16:00", 201),
    ("touching-before-07:00-09:00", "first", "booked", "07:00", "09:00", 201),
    ("other-day-09:00-12:00", "first", "next", "09:00", "12:00", 201),
    ("other-staff-09:00-12:00", "second", "booked", "09:00", "12:00", 201),
]
EXPECTED = {a[0]: a[-1] for a in ATTEMPTS}


@dataclass
class Windows:
    staff: dict[str, Any]
    days: dict[str, date]
    attempts: dict[str, httpx.Response]
    listed: httpx.Response


class TestOverlappingWindowsAreRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict, day: date):
        """Posts the windows of ATTEMPTS in order, lists the first staff member's; deletes what was made."""
        staff = {"first": factory.staff("X-10 windows"), "second": factory.staff("X-10 other")}
        days = {"booked": day, "next": next_day(day)}
        attempts: dict[str, httpx.Response] = {}
        for name, who, which, start, end, _ in ATTEMPTS:
            with allure.step(f"Window {name}"):
                attempts[name] = api.set_availability(
                    staff_id=staff[who]["id"],
                    day_of_week=weekday_name(days[which]),
                    start_time=start,
                    end_time=end,
                    outlet_id=outlet["id"],
                )
        listed = api.list_availability(staff_id=staff["first"]["id"])
        yield Windows(staff["first"], days, attempts, listed)
        # Made with the bare client (a refusal must not abort the run), so undone here.
        for response in attempts.values():
            if response.status_code == 201:
                api.unchecked().delete_availability(response.json()["id"])

    @pytest.mark.parametrize("attempt", [a[0] for a in ATTEMPTS if a[-1] == 409])
    @checklist("X-10", X10)
    def test_overlapping_window_is_refused_with_409(self, run: Windows, attempt: str) -> None:
        expect_status(run.attempts[attempt], 409)
        expect_error_detail(run.attempts[attempt])

    @pytest.mark.parametrize("attempt", [a[0] for a in ATTEMPTS if a[-1] == 201])
    @checklist("X-10", X10)
    def test_disjoint_window_is_accepted_with_201(self, run: Windows, attempt: str) -> None:
        expect_status(run.attempts[attempt], 201)

    @checklist("X-10", X10)
    def test_staff_lists_exactly_the_accepted_windows(self, run: Windows) -> None:
        expect_status(run.listed, 200)
        listed = page_items(run.listed)
        # §3: availability entries carry "HH:MM:SS" times.
        got = sorted((w["day_of_week"], w["start_time"], w["end_time"]) for w in listed)
        accepted = [a for a in ATTEMPTS if a[1] == "first" and a[-1] == 201]
        want = sorted((weekday_name(run.days[a[2]]), f"{a[3]}:00", f"{a[4]}:00") for a in accepted)
        expect_equal(got, want, what="the staff member's windows", response=run.listed)
        ids = set(ids_of(run.attempts[a[0]] for a in accepted))
        expect_equal({w["id"] for w in listed}, ids, what="ids of the listed windows", response=run.listed)


X89 = (
    'A window answers 201 with start_time "09:00:00", end_time "17:00:00", is_available true, '
    "and is listed and deletable"
)
X90 = "A window whose end_time is not after its start_time is refused with 422, equal times included"


@dataclass
class Lifecycle:
    staff: dict[str, Any]
    day: date
    created: httpx.Response
    listed: httpx.Response
    deleted: httpx.Response
    listed_after: httpx.Response


class TestWindowLifecycle:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict, day: date) -> Lifecycle:
        """C3.6's example: POST a 09:00-17:00 window, list the staff member's, DELETE it, list again."""
        staff = factory.staff("C3.6 window")
        with allure.step("POST 09:00-17:00, GET ?staff_id="):
            created = api.set_availability(
                staff_id=staff["id"],
                day_of_week=weekday_name(day),
                start_time="09:00",
                end_time="17:00",
                outlet_id=outlet["id"],
            )
            listed = api.list_availability(staff_id=staff["id"])
        with allure.step("DELETE it, GET ?staff_id= again"):
            window_id = created.json().get("id") if created.status_code == 201 else "none"
            deleted = api.delete_availability(str(window_id))
            listed_after = api.list_availability(staff_id=staff["id"])
        return Lifecycle(staff, day, created, listed, deleted, listed_after)

    @checklist("X-89", X89)
    def test_window_answers_the_contract_shape(self, run: Lifecycle, outlet: dict) -> None:
        expect_status(run.created, 201)
        want = {
            "staff_id": run.staff["id"],
            "day_of_week": weekday_name(run.day),
            "start_time": "09:00:00",
            "end_time": "17:00:00",
            "is_available": True,
            "outlet_id": outlet["id"],
        }
        got = pick(run.created, want)
        expect_equal(got, want, what="POST /availability 09:00-17:00", response=run.created)

    @checklist("X-89", X89)
    def test_window_is_listed_then_gone_after_delete(self, run: Lifecycle) -> None:
        expect_status(run.listed, 200)
        window_id = field(run.created, "id")
        expect_equal(
            [w["id"] for w in page_items(run.listed)], [window_id], what="listed", response=run.listed
        )
        expect_success(run.deleted, why="DELETE /availability/{id}")
        expect_status(run.listed_after, 200)
        expect_equal(page_items(run.listed_after), [], what="listed after DELETE", response=run.listed_after)


class TestWindowMustEndAfterItStarts:
    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            pytest.param("12:00", "12:00", 422, id="equal-12:00-12:00"),
            pytest.param("12:00", "11:59", 422, id="one-minute-before-12:00-11:59"),
            pytest.param("17:00", "09:00", 422, id="reversed-17:00-09:00"),
            pytest.param("12:00", "12:01", 201, id="control-one-minute-12:00-12:01"),
        ],
    )
    @checklist("X-90", X90)
    def test_window_end_is_judged(
        self, api: BookingApi, factory: Factory, outlet: dict, day: date, start: str, end: str, expected: int
    ) -> None:
        staff = factory.staff("C3.7 window")
        response = api.set_availability(
            staff_id=staff["id"],
            day_of_week=weekday_name(day),
            start_time=start,
            end_time=end,
            outlet_id=outlet["id"],
        )
        if response.status_code == 201:
            factory.created.append(("availability", str(response.json().get("id"))))
        expect_status(response, expected, why=f"a window {start}-{end}")

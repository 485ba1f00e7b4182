"""Contract rules, rule by rule: the availability grid's query (docs/contract.md C6.1, C6.10).

The guide always queries one day for one staff member with the defaults. C6.1 fixes what the
defaults are (7 dates, 30 minutes, every eligible staff member), the ranges the query accepts
(1..31 days, 5..240 minutes, 422 beyond) and that each given value is honoured. Every query
names our own staff member (or filters the answer by our staff ids): the target outlet may
hold staff of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.dates import WEEKDAYS, iso, next_day
from fixtures.expect import expect_equal, expect_status, expect_success, field, grid_slots, pick
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X55 = "Without end_date and num_days the grid spans 7 dates: end_date = start_date + 6"
X56 = "end_date defaults to start_date + num_days - 1 (num_days 1 and 3)"
X57 = "A range of 1 to 31 days is accepted; 32 days or end_date before start_date is refused with 422"
X58 = "slot_interval_minutes defaults to 30; 5 and 240 are accepted, 4 and 241 are refused with 422"
X59 = "slot_interval_minutes is honoured: 15 gives a start every 15 minutes"
X60 = "Without staff_id the grid lists every active staff member of the outlet who may perform the service"
X61 = "With staff_id the grid lists only that staff member's slots"
X72 = "metadata.staff_id echoes the query's staff_id, null when absent"


def dates_from(day: date, count: int) -> list[str]:
    return [iso(next_day(day, n)) for n in range(count)]


def starts_of(grid: httpx.Response, day: date, staff_id: str) -> list[str]:
    """Our staff member's slot starts on `day`, in the order listed."""
    return [s.get("start_time") for s in grid_slots(grid, day) if s.get("staff_id") == staff_id]


# (id, query beyond outlet/service/staff/start_date, expected status, expected number of dates)
RANGES = [
    pytest.param({"end_date": 0}, 200, 1, id="end-equals-start-1-day"),
    pytest.param({"end_date": 30}, 200, 31, id="end-date-31-days"),
    pytest.param({"num_days": 31}, 200, 31, id="num-days-31"),
    pytest.param({"end_date": 31}, 422, None, id="end-date-32-days"),
    pytest.param({"num_days": 32}, 422, None, id="num-days-32"),
    pytest.param({"num_days": 0}, 422, None, id="num-days-0"),
    pytest.param({"end_date": -1}, 422, None, id="end-before-start"),
]


@dataclass
class Ranges:
    day: date
    query: dict[str, Any]
    default: httpx.Response
    by_num_days: dict[int, httpx.Response]


class TestGridDateRange:
    """A staff member with a window on every weekday, so every date has slots: a grid that drops
    empty dates (C6.12) cannot hide a wrong range here."""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Ranges:
        service = factory.service("X-55 grid range", parallel=False, capacity=1)
        staff = factory.staff("X-55 grid range")
        with allure.step("A 09:00-10:00 window on each of the 7 weekdays"):
            for n in range(len(WEEKDAYS)):
                factory.availability(staff, day=next_day(day, n), start="09:00", end="10:00")
        query = {"outlet_id": factory.outlet_id, "service_id": service["id"], "staff_id": staff["id"]}
        with allure.step("Grid without end_date and num_days"):
            default = api.availability_grid(start_date=day, **query)
        by_num_days = {}
        for n in (1, 3):
            with allure.step(f"Grid with num_days={n}"):
                by_num_days[n] = api.availability_grid(start_date=day, num_days=n, **query)
        return Ranges(day, query, default, by_num_days)

    @checklist("X-55", X55)
    def test_default_range_is_7_dates(self, run: Ranges) -> None:
        expect_status(run.default, 200)
        got = pick(run.default, ("start_date", "end_date", "num_days"))
        want = {"start_date": iso(run.day), "end_date": iso(next_day(run.day, 6)), "num_days": 7}
        expect_equal(got, want, what="the default range", response=run.default)
        keys = sorted(field(run.default, "availability_grid"))
        expect_equal(keys, dates_from(run.day, 7), what="availability_grid date keys", response=run.default)

    @pytest.mark.parametrize("num_days", [pytest.param(1, id="num-days-1"), pytest.param(3, id="num-days-3")])
    @checklist("X-56", X56)
    def test_end_date_defaults_from_num_days(self, run: Ranges, num_days: int) -> None:
        grid = run.by_num_days[num_days]
        expect_status(grid, 200)
        got = pick(grid, ("end_date", "num_days"))
        want = {"end_date": iso(next_day(run.day, num_days - 1)), "num_days": num_days}
        expect_equal(got, want, what=f"end_date and num_days for num_days={num_days}", response=grid)
        keys = sorted(field(grid, "availability_grid"))
        expect_equal(keys, dates_from(run.day, num_days), what="availability_grid date keys", response=grid)

    @pytest.mark.parametrize(("extra", "expected", "count"), RANGES)
    @checklist("X-57", X57)
    def test_range_limits(self, api: BookingApi, run: Ranges, extra: dict, expected: int, count: int) -> None:
        # end_date is given as days after start_date: the dates themselves move with the run.
        query = {k: next_day(run.day, v) if k == "end_date" else v for k, v in extra.items()}
        grid = api.availability_grid(start_date=run.day, **run.query, **query)
        expect_status(grid, expected, why=f"grid query {extra} (days after start_date)")
        if count is not None:
            keys = sorted(field(grid, "availability_grid"))
            expect_equal(keys, dates_from(run.day, count), what="availability_grid date keys", response=grid)
            expect_equal(field(grid, "num_days"), count, what="num_days", response=grid)


# Window 09:00-11:00, a 60-minute service: (interval or None for the default, status, starts).
INTERVAL_LIMITS = [
    pytest.param(None, 200, 30, id="default-30"),
    pytest.param(5, 200, 5, id="min-5"),
    pytest.param(240, 200, 240, id="max-240"),
    pytest.param(4, 422, None, id="below-min-4"),
    pytest.param(241, 422, None, id="above-max-241"),
]
HONOURED = [
    pytest.param(15, ["09:00", "09:15", "09:30", "09:45", "10:00"], id="every-15"),
    pytest.param(45, ["09:00", "09:45"], id="every-45"),
    pytest.param(240, ["09:00"], id="every-240"),
]


class TestGridSlotInterval:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory: Factory, day: date) -> dict[str, Any]:
        service = factory.service("X-58 grid interval", parallel=False, capacity=1)
        staff = factory.staff("X-58 grid interval")
        factory.availability(staff, day=day, start="09:00", end="11:00")
        return {"outlet_id": factory.outlet_id, "service_id": service["id"], "staff_id": staff["id"]}

    def _grid(
        self, api: BookingApi, day: date, query: dict[str, Any], interval: int | None
    ) -> httpx.Response:
        return api.availability_grid(start_date=day, end_date=day, slot_interval_minutes=interval, **query)

    @pytest.mark.parametrize(("interval", "expected", "echo"), INTERVAL_LIMITS)
    @checklist("X-58", X58)
    def test_interval_default_and_limits(self, api, run, day, interval, expected, echo) -> None:
        grid = self._grid(api, day, run, interval)
        expect_status(grid, expected, why=f"slot_interval_minutes={interval}")
        if expected == 200:
            expect_equal(
                field(grid, "slot_interval_minutes"), echo, what="slot_interval_minutes", response=grid
            )
        if interval is None:
            got = starts_of(grid, day, run["staff_id"])
            expect_equal(
                got, ["09:00", "09:30", "10:00"], what="starts with the default interval", response=grid
            )

    @pytest.mark.parametrize(("interval", "starts"), HONOURED)
    @checklist("X-59", X59)
    def test_interval_is_honoured(self, api, run, day, interval: int, starts: list[str]) -> None:
        grid = self._grid(api, day, run, interval)
        expect_status(grid, 200)
        got = sorted(starts_of(grid, day, run["staff_id"]))  # the order is C6.4's business
        expect_equal(got, starts, what=f"starts every {interval} minutes in 09:00-11:00", response=grid)


@dataclass
class StaffFilter:
    staff: dict[str, dict[str, Any]]
    unfiltered: httpx.Response
    filtered: httpx.Response


class TestGridStaffFilter:
    """Five staff members with the same window: two eligible by default, one whose service_ids
    name this service, one whose service_ids name only another, one deactivated."""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> StaffFilter:
        service = factory.service("X-60 grid staff", parallel=True, capacity=2)
        other = factory.service("X-60 other service", parallel=False, capacity=1)
        staff = {
            "first": factory.staff("X-60 first"),
            "second": factory.staff("X-60 second"),
            "listed": factory.staff("X-60 listed", service_ids=[service["id"]]),
            "other-service": factory.staff("X-60 other", service_ids=[other["id"]]),
            "deactivated": factory.staff("X-60 deactivated"),
        }
        for member in staff.values():
            factory.availability(member, day=day, start="09:00", end="10:00")
        with allure.step("Deactivate one staff member (DELETE /staff/{id})"):
            expect_success(api.delete_staff(staff["deactivated"]["id"]))
        query = {
            "outlet_id": factory.outlet_id,
            "service_id": service["id"],
            "start_date": day,
            "end_date": day,
        }
        with allure.step("Grid without staff_id"):
            unfiltered = api.availability_grid(**query)
        with allure.step("Grid with staff_id of the first staff member"):
            filtered = api.availability_grid(staff_id=staff["first"]["id"], **query)
        return StaffFilter(staff, unfiltered, filtered)

    def _ours(self, run: StaffFilter, grid: httpx.Response, day: date) -> set[str]:
        """Which of our staff members (by label) have slots in `grid`."""
        listed = {s.get("staff_id") for s in grid_slots(grid, day)}
        return {label for label, member in run.staff.items() if member["id"] in listed}

    @checklist("X-60", X60)
    def test_every_eligible_active_staff_member_is_listed(self, run: StaffFilter, day: date) -> None:
        expect_status(run.unfiltered, 200)
        got = self._ours(run, run.unfiltered, day)
        want = {"first", "second", "listed"}
        expect_equal(got, want, what="our staff members with slots (no staff_id)", response=run.unfiltered)

    @checklist("X-61", X61)
    def test_staff_id_narrows_to_that_member(self, run: StaffFilter, day: date) -> None:
        expect_status(run.filtered, 200)
        first = run.staff["first"]["id"]
        whose = sorted({str(s.get("staff_id")) for s in grid_slots(run.filtered, day)})
        expect_equal(whose, [first], what="staff_id of every slot", response=run.filtered)
        got = starts_of(run.filtered, day, first)
        expect_equal(sorted(got), ["09:00"], what="the member's slot starts", response=run.filtered)

    @pytest.mark.parametrize(
        "which", [pytest.param("given", id="given"), pytest.param("absent", id="absent")]
    )
    @checklist("X-72", X72)
    def test_metadata_staff_id_echoes_the_query(self, run: StaffFilter, which: str) -> None:
        grid = run.filtered if which == "given" else run.unfiltered
        want = run.staff["first"]["id"] if which == "given" else None
        expect_status(grid, 200)
        expect_equal(field(grid, "metadata", "staff_id"), want, what="metadata.staff_id", response=grid)

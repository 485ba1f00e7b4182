"""Contract rules, rule by rule: the grid's shape and its slots (docs/contract.md C6.2-C6.5,
C6.9, C6.12).

Users found grids with slots out of order and grids that drop the dates without slots: the
guide's one-day, one-staff grids cannot show either. These checks query ranges with empty
dates, two staff members with the same starts, windows whose end the blocked interval
(duration + preparation + cleanup) just reaches or just passes, and a booking off the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.dates import iso, next_day
from fixtures.expect import SLOT_FIELDS, expect_equal, expect_status, field, grid_slots, json_body
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X62 = (
    "The grid has exactly the top-level keys start_date, end_date, num_days, slot_interval_minutes, "
    "availability_grid, metadata"
)
X63 = "Grid metadata and slots carry the contract's fields with the service's and outlet's values"
X64 = (
    "Slots start every interval from each window start while duration + preparation + cleanup fits; "
    "none overruns its window"
)
X65 = "Grid slots are sorted by start time, then staff"
X66 = "A booked session start off the interval grid is also a slot"
X71 = "total_available_slots is the number of slots listed, full ones included"
X74 = "A date without a window maps to [] and every date of the range is a key"

TOP_LEVEL = {"start_date", "end_date", "num_days", "slot_interval_minutes", "availability_grid", "metadata"}


def starts_of(grid: httpx.Response, day: date, staff_id: str) -> list[str]:
    return [s.get("start_time") for s in grid_slots(grid, day) if s.get("staff_id") == staff_id]


def all_slots(grid: httpx.Response) -> list[dict[str, Any]]:
    dates = field(grid, "availability_grid")
    return [slot for key in sorted(dates) for slot in dates[key]]


@dataclass
class Shape:
    day: date
    service: dict[str, Any]
    staff: dict[str, Any]
    outlet: dict[str, Any]
    grid: httpx.Response  # 3 days: the window's weekday, then two without a window


class TestGridShapeAndDates:
    """One staff member, a window on the first date only; a single booking fills 09:00."""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict[str, Any], day: date) -> Shape:
        # Preparation and cleanup must not leak into service_duration_minutes or end_time.
        service = factory.service(
            "X-62 grid shape", parallel=True, capacity=1, preparation_minutes=10, cleanup_minutes=20
        )
        staff = factory.staff("X-62 grid shape")
        # 09:00-11:00 with a 90-minute block: starts 09:00 and 09:30 only.
        factory.availability(staff, day=day, start="09:00", end="11:00")
        with allure.step("Fill 09:00 (a full slot still counts, C6.9)"):
            expect_status(
                factory.book(
                    customer=factory.customer(), service=service, staff=staff, day=day, start="09:00"
                ),
                201,
            )
        with allure.step("Grid over 3 dates for our staff member"):
            grid = factory.grid(service, staff, day, end=next_day(day, 2))
        return Shape(day, service, staff, outlet, grid)

    @checklist("X-62", X62)
    def test_top_level_keys_are_exactly_the_contracts(self, run: Shape) -> None:
        expect_status(run.grid, 200)
        body = json_body(run.grid)
        expect_equal(sorted(body), sorted(TOP_LEVEL), what="top-level keys of the grid", response=run.grid)

    @checklist("X-63", X63)
    def test_metadata_carries_service_and_outlet(self, run: Shape) -> None:
        expect_status(run.grid, 200)
        meta = field(run.grid, "metadata")
        keys = ("service_id", "service_name", "outlet_id", "outlet_name", "service_duration_minutes")
        got = {key: meta.get(key) for key in keys}
        want = {
            "service_id": run.service["id"],
            "service_name": run.service["name"],
            "outlet_id": run.outlet["id"],
            "outlet_name": run.outlet["name"],
            "service_duration_minutes": 60,
        }
        expect_equal(got, want, what="grid metadata", response=run.grid)
        missing = sorted({"staff_id", "total_available_slots"} - set(meta))
        expect_equal(missing, [], what="metadata keys missing", response=run.grid)

    @checklist("X-63", X63)
    def test_slots_carry_the_contracts_fields(self, run: Shape) -> None:
        expect_status(run.grid, 200)
        slots = grid_slots(run.grid, run.day)
        missing = {
            s.get("start_time"): [f for f in SLOT_FIELDS if f not in s]
            for s in slots
            if set(SLOT_FIELDS) - set(s)
        }
        expect_equal(missing, {}, what="slot fields missing, by start", response=run.grid)
        # end_time = start + duration (60), not the blocked interval.
        got = sorted((s["start_time"], s["end_time"]) for s in slots if s["staff_id"] == run.staff["id"])
        want = [("09:00", "10:00"), ("09:30", "10:30")]
        expect_equal(got, want, what="(start_time, end_time) of our slots", response=run.grid)

    @checklist("X-71", X71)
    def test_total_counts_every_listed_slot(self, run: Shape) -> None:
        expect_status(run.grid, 200)
        total = field(run.grid, "metadata", "total_available_slots")
        # 09:00 full, 09:30 busy with it: 2 slots listed, 0 of them available.
        expect_equal(len(all_slots(run.grid)), 2, what="slots listed for our staff member", response=run.grid)
        expect_equal(total, 2, what="metadata.total_available_slots", response=run.grid)

    @checklist("X-74", X74)
    def test_dates_without_a_window_map_to_empty_lists(self, run: Shape) -> None:
        expect_status(run.grid, 200)
        dates = field(run.grid, "availability_grid")
        keys = [iso(next_day(run.day, n)) for n in range(3)]
        expect_equal(sorted(dates), keys, what="availability_grid date keys", response=run.grid)
        empty = {key: dates[key] for key in keys[1:]}
        expect_equal(empty, {key: [] for key in keys[1:]}, what="dates without a window", response=run.grid)


# Window(s), 60-minute service, default interval 30: (service fields, windows, expected starts).
STARTS = [
    pytest.param({}, [("09:00", "11:00")], ["09:00", "09:30", "10:00"], id="duration-only"),
    pytest.param({"cleanup_minutes": 15}, [("09:00", "11:00")], ["09:00", "09:30"], id="cleanup-15"),
    pytest.param(
        {"cleanup_minutes": 30}, [("09:00", "11:00")], ["09:00", "09:30"], id="cleanup-30-ends-at-11:00"
    ),
    pytest.param({"cleanup_minutes": 31}, [("09:00", "11:00")], ["09:00"], id="cleanup-31-overruns"),
    pytest.param({"preparation_minutes": 30}, [("09:00", "11:00")], ["09:00", "09:30"], id="preparation-30"),
    pytest.param(
        {"preparation_minutes": 10, "cleanup_minutes": 10},
        [("09:00", "11:00")],
        ["09:00", "09:30"],
        id="preparation-and-cleanup-10",
    ),
    pytest.param({}, [("09:15", "10:45")], ["09:15", "09:45"], id="window-starting-09:15"),
    pytest.param(
        {}, [("09:00", "10:30"), ("13:00", "14:00")], ["09:00", "09:30", "13:00"], id="two-disjoint-windows"
    ),
]


class TestGridCandidateStarts:
    @pytest.mark.parametrize(("fields", "windows", "starts"), STARTS)
    @checklist("X-64", X64)
    def test_starts_fit_the_whole_block_in_a_window(
        self, api: BookingApi, factory: Factory, day: date, fields: dict, windows: list, starts: list[str]
    ) -> None:
        service = factory.service("X-64 grid starts", parallel=False, capacity=1, **fields)
        staff = factory.staff("X-64 grid starts")
        for start, end in windows:
            factory.availability(staff, day=day, start=start, end=end)
        grid = factory.grid(service, staff, day)
        expect_status(grid, 200)
        got = sorted(starts_of(grid, day, staff["id"]))  # the order is C6.4's business
        expect_equal(
            got, starts, what=f"slot starts for windows {windows} and {fields or 'no extras'}", response=grid
        )


@dataclass
class Order:
    day: date
    staff_ids: list[str]
    unfiltered: httpx.Response
    off_grid: httpx.Response


class TestGridOrderAndBookedStarts:
    """Two staff members with the same window (the same starts), one booked off the grid at 09:10."""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Order:
        service = factory.service("X-65 grid order", parallel=True, capacity=3)
        staff = [factory.staff("X-65 grid order a"), factory.staff("X-65 grid order b")]
        for member in staff:
            factory.availability(member, day=day, start="09:00", end="11:00")
        with allure.step("Book 09:10 for the first staff member (off the 30-minute grid)"):
            booked = factory.book(
                customer=factory.customer(), service=service, staff=staff[0], day=day, start="09:10"
            )
            expect_status(booked, 201)
        query = {
            "outlet_id": factory.outlet_id,
            "service_id": service["id"],
            "start_date": day,
            "end_date": day,
        }
        with allure.step("Grid without staff_id (both staff members, and any of the outlet's own)"):
            unfiltered = api.availability_grid(**query)
        with allure.step("Grid for the booked staff member"):
            off_grid = api.availability_grid(staff_id=staff[0]["id"], **query)
        return Order(day, [m["id"] for m in staff], unfiltered, off_grid)

    @pytest.mark.parametrize("which", ["all-staff", "one-staff"])
    @checklist("X-65", X65)
    def test_slots_are_sorted_by_start_then_staff(self, run: Order, which: str) -> None:
        grid = run.unfiltered if which == "all-staff" else run.off_grid
        expect_status(grid, 200)
        # The whole returned list, foreign staff included; staff order = staff_id as strings.
        got = [(s.get("start_time"), str(s.get("staff_id"))) for s in grid_slots(grid, run.day)]
        expect_equal(got, sorted(got), what="(start_time, staff_id) order of the slots", response=grid)

    @checklist("X-65", X65)
    def test_two_staff_with_one_start_are_both_listed_in_staff_order(self, run: Order) -> None:
        expect_status(run.unfiltered, 200)
        ours = [s for s in grid_slots(run.unfiltered, run.day) if s.get("staff_id") in run.staff_ids]
        at_ten = [s["staff_id"] for s in ours if s.get("start_time") == "10:00"]
        expect_equal(
            at_ten, sorted(run.staff_ids), what="staff order of our 10:00 slots", response=run.unfiltered
        )

    @checklist("X-66", X66)
    def test_off_grid_booked_start_is_a_slot(self, run: Order) -> None:
        expect_status(run.off_grid, 200)
        got = sorted(starts_of(run.off_grid, run.day, run.staff_ids[0]))
        want = ["09:00", "09:10", "09:30", "10:00"]
        expect_equal(got, want, what="slot starts with a 09:10 booking", response=run.off_grid)

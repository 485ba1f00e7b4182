"""Guide "Test Scenario 2: Parallel Booking Within Capacity", steps 2.1-2.5.

A group service (capacity 10) accepts five students in one 10:00 session; the grid then
shows 5 of 10 places left, and a 6th student still gets in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.dates import iso
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, grid_slots, pick
from fixtures.reporting import checklist, scenario

pytestmark = scenario("2", "Parallel Booking Within Capacity", group="Mandatory")

# CONTRACT.md §1/§6: grid times are "HH:MM", never "HH:MM:SS".
HH_MM = re.compile(r"^\d{2}:\d{2}$")


@dataclass(frozen=True)
class Scenario2:
    five: list[httpx.Response]
    grid: httpx.Response
    sixth: httpx.Response
    grid_after_sixth: httpx.Response
    service: dict[str, Any]
    staff: dict[str, Any]
    outlet: dict[str, Any]
    day: date


class TestScenario2ParallelBookingWithinCapacity:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, outlet, day) -> Scenario2:
        """Guide steps 2.1-2.5 plus the checklist's 6th booking, recorded, not judged."""
        stage = factory.stage(
            "Group Yoga Class",
            capacity=10,
            day=day,
            window=("10:00", "12:00"),
            staff_label="Yoga Instructor",
            steps=(
                "Step 2.1: Create Parallel Booking Service (capacity 10)",
                "Step 2.2: Create Yoga Instructor",
                "Step 2.3: Set Staff Availability (10:00-12:00)",
            ),
        )
        with allure.step("Step 2.4: Book Multiple Students (Bookings 1-5) at 10:00"):
            five = stage.fill("10:00", 5)
        with allure.step("Step 2.5: Check Availability Grid"):
            grid = stage.grid()
        with allure.step("Checklist: 6th booking (test by creating another customer)"):
            sixth = stage.book("10:00")
            grid_after_sixth = stage.grid()
        return Scenario2(five, grid, sixth, grid_after_sixth, stage.service, stage.staff, outlet, day)

    def _slot(self, run: Scenario2, **expected: Any) -> dict[str, Any]:
        return expect_slot(run.grid, day=run.day, start="10:00", staff_id=run.staff["id"], **expected)

    @checklist("S2-1", "All 5 bookings succeeded (status 201)")
    def test_five_bookings_succeed_with_201(self, run):
        expect_statuses(run.five, 201, why="Step 2.4: 5 of 10 places")

    @checklist("S2-2", "Response has top-level fields: start_date, end_date, num_days, slot_interval_minutes")
    def test_grid_has_top_level_fields(self, run):
        expect_status(run.grid, 200, why="Step 2.5")
        got = pick(run.grid, ("start_date", "end_date", "num_days", "slot_interval_minutes"))
        # One-day query with the default interval (CONTRACT.md §6: slot_interval_minutes default 30).
        want = {
            "start_date": iso(run.day),
            "end_date": iso(run.day),
            "num_days": 1,
            "slot_interval_minutes": 30,
        }
        expect_equal(got, want, what="grid top-level fields", response=run.grid)

    @checklist("S2-3", "Availability grid nested under availability_grid key with date keys")
    def test_grid_is_keyed_by_date(self, run):
        grid = pick(run.grid, ["availability_grid"])["availability_grid"]
        expect_equal(type(grid).__name__, "dict", what="type of availability_grid", response=run.grid)
        expect_equal(sorted(grid), [iso(run.day)], what="availability_grid date keys", response=run.grid)
        expect_equal(type(grid[iso(run.day)]).__name__, "list", what="slots of the day", response=run.grid)

    @checklist("S2-4", "Slot shows available_capacity: 5 (10 - 5 = 5 remaining)")
    def test_slot_shows_five_places_left(self, run):
        self._slot(run, available_capacity=5)

    @checklist("S2-5", "Slot shows max_capacity: 10")
    def test_slot_shows_max_capacity_10(self, run):
        self._slot(run, max_capacity=10)

    @checklist("S2-6", "Field allows_parallel_bookings: true present")
    def test_slot_allows_parallel_bookings(self, run):
        self._slot(run, allows_parallel_bookings=True)

    @checklist("S2-7", "Field is_available: true (slot still available)")
    def test_slot_is_still_available(self, run):
        self._slot(run, is_available=True)

    @checklist("S2-8", "Metadata section includes service and outlet information")
    def test_metadata_names_service_and_outlet(self, run):
        keys = (
            "service_id",
            "service_name",
            "outlet_id",
            "outlet_name",
            "staff_id",
            "service_duration_minutes",
        )
        got = pick(run.grid, keys, under="metadata")
        want = {
            "service_id": run.service["id"],
            "service_name": run.service["name"],
            "outlet_id": run.outlet["id"],
            "outlet_name": run.outlet["name"],
            "staff_id": run.staff["id"],  # CONTRACT.md §6: echoes the query's staff_id
            "service_duration_minutes": 60,
        }
        expect_equal(got, want, what="grid metadata", response=run.grid)

    @checklist("S2-9", 'Time format is "HH:MM" not "HH:MM:SS"')
    def test_slot_times_are_hh_mm(self, run):
        slots = grid_slots(run.grid, run.day)
        bad = [t for s in slots for t in (s["start_time"], s["end_time"]) if not HH_MM.match(t)]
        expect_equal(bad, [], what='slot times not in "HH:MM"', response=run.grid)
        self._slot(run, end_time="11:00")

    @checklist("S2-10", "6th booking succeeds (test by creating another customer)")
    def test_sixth_booking_succeeds_and_leaves_four(self, run):
        expect_status(run.sixth, 201, why="6 of 10 places")
        expect_slot(
            run.grid_after_sixth, day=run.day, start="10:00", staff_id=run.staff["id"], available_capacity=4
        )

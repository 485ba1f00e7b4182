"""Guide "Test Scenario 4: Availability Grid Capacity Display", steps 4.1-4.3.

One capacity-8 Cooking Class (120 min) in four states on one day: 10:00 empty (8/8),
14:00 with 3 bookings (5/8), 18:00 with 7 (1/8), 21:00 with 8 (0/8, full).
The guide's grid lists only these four slots; CONTRACT.md §6 adds every 30-minute
candidate start, so slots are found by start time and never counted.
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
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field, grid_slots, pick
from fixtures.factories import Stage
from fixtures.readback import active_at
from fixtures.reporting import checklist, scenario

pytestmark = scenario("4", "Availability Grid Capacity Display", group="Mandatory")

# Guide step 4.2 table: start -> (bookings to create, expected available_capacity, is_available).
STATES = {"10:00": (0, 8, True), "14:00": (3, 5, True), "18:00": (7, 1, True), "21:00": (8, 0, False)}
HH_MM = re.compile(r"^\d{2}:\d{2}$")


@dataclass(frozen=True)
class Scenario4:
    grid: httpx.Response
    listing: httpx.Response
    service: dict[str, Any]
    staff: dict[str, Any]
    day: date


class TestScenario4AvailabilityGridCapacityDisplay:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> Scenario4:
        """Guide steps 4.1-4.3, recorded, not judged."""
        with allure.step("Step 4.1: Create Test Service (Cooking Class, capacity 8, 120 min)"):
            service = factory.service("Cooking Class", parallel=True, capacity=8, duration=120)
        with allure.step("Step 4.2: Create Multiple Time Slots with Different Capacity"):
            staff = factory.staff("Chef")
            # 08:00-23:30 covers 10:00-12:00 ... 21:00-23:00; the four sessions do not overlap.
            factory.availability(staff, day=day, start="08:00", end="23:30")
            stage = Stage(factory, service=service, staff=staff, day=day)
            for start, (count, _, _) in STATES.items():
                if count:
                    with allure.step(f"Step 4.2: {start} - {count} bookings"):
                        expect_statuses(
                            stage.fill(start, count), 201, why=f"Step 4.2: {count} of 8 at {start}"
                        )
        with allure.step("Step 4.3: Query Availability Grid"):
            grid = stage.grid()
            listing = stage.appointments()
        return Scenario4(grid, listing, service, staff, day)

    def _slots(self, run: Scenario4) -> list[dict[str, Any]]:
        expect_status(run.grid, 200, why="Step 4.3")
        return grid_slots(run.grid, run.day)

    def _slot(self, run: Scenario4, start: str, **expected: Any) -> dict[str, Any]:
        return expect_slot(run.grid, day=run.day, start=start, staff_id=run.staff["id"], **expected)

    @checklist("S4-1", "Response structure includes availability_grid with date keys")
    def test_grid_is_keyed_by_date(self, run):
        self._slots(run)
        keys = sorted(field(run.grid, "availability_grid"))
        expect_equal(keys, [iso(run.day)], what="availability_grid date keys", response=run.grid)

    @checklist("S4-2", "All slots have allows_parallel_bookings: true")
    def test_every_slot_allows_parallel_bookings(self, run):
        bad = [s["start_time"] for s in self._slots(run) if s.get("allows_parallel_bookings") is not True]
        expect_equal(bad, [], what="slots without allows_parallel_bookings: true", response=run.grid)

    @checklist("S4-3", "available_capacity matches expected values for each slot (8, 5, 1, 0)")
    def test_available_capacity_is_8_5_1_0(self, run):
        for start, (_, available, _) in STATES.items():
            self._slot(run, start, available_capacity=available)

    @checklist("S4-4", "max_capacity is 8 for all slots")
    def test_every_slot_has_max_capacity_8(self, run):
        bad = [
            (s["start_time"], s.get("max_capacity")) for s in self._slots(run) if s.get("max_capacity") != 8
        ]
        expect_equal(bad, [], what="slots whose max_capacity is not 8", response=run.grid)

    @checklist("S4-5", "is_available: true when capacity > 0")
    def test_slots_with_room_are_available(self, run):
        for start in ("10:00", "14:00", "18:00"):
            self._slot(run, start, is_available=True)
        bad = [
            s["start_time"] for s in self._slots(run) if s["available_capacity"] > 0 and not s["is_available"]
        ]
        expect_equal(bad, [], what="slots with room but is_available false", response=run.grid)

    @checklist("S4-6", "is_available: false when capacity = 0")
    def test_full_slots_are_unavailable(self, run):
        self._slot(run, "21:00", is_available=False)
        bad = [
            s["start_time"] for s in self._slots(run) if s["available_capacity"] == 0 and s["is_available"]
        ]
        expect_equal(bad, [], what="slots with no room but is_available true", response=run.grid)

    @checklist("S4-7", 'Time format is "HH:MM" (e.g., "10:00" not "10:00:00")')
    def test_slot_times_are_hh_mm(self, run):
        slots = self._slots(run)
        bad = [t for s in slots for t in (s["start_time"], s["end_time"]) if not HH_MM.match(t)]
        expect_equal(bad, [], what='slot times not in "HH:MM"', response=run.grid)
        for start, end in (("10:00", "12:00"), ("14:00", "16:00"), ("18:00", "20:00"), ("21:00", "23:00")):
            self._slot(run, start, end_time=end)

    @checklist("S4-8", "Metadata section present with service details")
    def test_metadata_describes_the_service(self, run):
        keys = ("service_id", "service_name", "service_duration_minutes", "staff_id")
        meta = pick(run.grid, (*keys, "total_available_slots"), under="metadata")
        want = {
            "service_id": run.service["id"],
            "service_name": run.service["name"],
            "service_duration_minutes": 120,
            "staff_id": run.staff["id"],
        }
        expect_equal({k: meta.get(k) for k in keys}, want, what="grid metadata", response=run.grid)
        # CONTRACT.md §6: total_available_slots counts every listed slot, full ones included.
        total = meta["total_available_slots"]
        expect_equal(total, len(self._slots(run)), what="metadata.total_available_slots", response=run.grid)

    @checklist("S4-9", "Capacity calculation correct: available = max - current_bookings")
    def test_available_equals_max_minus_listed_bookings(self, run):
        expect_status(run.listing, 200, why="GET /appointments for the staff and service")
        for start, (count, _, _) in STATES.items():
            booked = active_at(run.listing, start)
            expect_equal(booked, count, what=f"active {start} appointments", response=run.listing)
            slot = self._slot(run, start)
            expect_equal(
                slot["available_capacity"],
                slot["max_capacity"] - booked,
                what=f"{start} available_capacity vs max_capacity - {booked} bookings",
                response=run.grid,
            )

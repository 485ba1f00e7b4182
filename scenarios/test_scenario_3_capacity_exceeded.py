"""Guide "Test Scenario 3: Capacity Exceeded", steps 3.1-3.6.

A capacity-3 Boot Camp session at 14:00 takes three bookings; the grid then shows 0 of 3
and is_available false, and the 4th booking is refused with 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.dates import iso
from fixtures.expect import (
    SLOT_FIELDS,
    expect_detail_mentions_staff,
    expect_equal,
    expect_slot,
    expect_status,
    expect_statuses,
    pick,
)
from fixtures.readback import active_at
from fixtures.reporting import checklist, scenario

pytestmark = scenario("3", "Capacity Exceeded", group="Mandatory")


@dataclass(frozen=True)
class Scenario3:
    first_three: list[httpx.Response]
    status: httpx.Response
    fourth: httpx.Response
    status_after: httpx.Response
    listing_after: httpx.Response
    service: dict[str, Any]
    staff: dict[str, Any]
    day: date


class TestScenario3CapacityExceeded:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> Scenario3:
        """Guide steps 3.1-3.6, recorded, not judged."""
        stage = factory.stage(
            "Boot Camp Session",
            capacity=3,
            duration=45,
            day=day,
            window=("14:00", "16:00"),
            staff_label="Personal Trainer",
            steps=(
                "Step 3.1: Create Small Capacity Service (capacity 3, 45 min)",
                "Step 3.2: Create Trainer Staff",
                "Step 3.3: Set Trainer Availability (14:00-16:00)",
            ),
        )
        with allure.step("Step 3.4: Fill to Capacity (Bookings 1-3) at 14:00"):
            first_three = stage.fill("14:00", 3)
        with allure.step("Step 3.5: Check Capacity Status"):
            status = stage.grid()
        with allure.step("Step 3.6: Attempt 4th Booking (Should Fail)"):
            fourth = stage.book("14:00")
        with allure.step("Checklist: capacity limit strictly enforced (grid and list after 3.6)"):
            status_after = stage.grid()
            listing_after = stage.appointments()
        return Scenario3(
            first_three, status, fourth, status_after, listing_after, stage.service, stage.staff, day
        )

    def _slot(self, grid: httpx.Response, run: Scenario3, **expected: Any) -> dict[str, Any]:
        return expect_slot(grid, day=run.day, start="14:00", staff_id=run.staff["id"], **expected)

    @checklist("S3-1", "First 3 bookings succeeded")
    def test_first_three_bookings_succeed_with_201(self, run):
        expect_statuses(run.first_three, 201, why="Step 3.4: 3 of 3 places")

    @checklist("S3-2", "Response has correct structure with availability_grid and metadata sections")
    def test_grid_has_availability_grid_and_metadata_sections(self, run):
        expect_status(run.status, 200, why="Step 3.5")
        dates = pick(run.status, ["availability_grid"])["availability_grid"] or {}
        expect_equal(sorted(dates), [iso(run.day)], what="date keys", response=run.status)
        got = pick(run.status, ("service_id", "service_name", "service_duration_minutes"), under="metadata")
        want = {
            "service_id": run.service["id"],
            "service_name": run.service["name"],
            "service_duration_minutes": 45,
        }
        expect_equal(got, want, what="grid metadata", response=run.status)
        slot = self._slot(run.status, run, end_time="14:45")
        expect_equal(
            [f for f in SLOT_FIELDS if f not in slot], [], what="missing slot fields", response=run.status
        )

    @checklist("S3-3", "Slot shows available_capacity: 0")
    def test_full_slot_shows_zero_available(self, run):
        self._slot(run.status, run, available_capacity=0, max_capacity=3)

    @checklist("S3-4", "Slot shows is_available: false")
    def test_full_slot_is_not_available(self, run):
        self._slot(run.status, run, is_available=False)

    @checklist("S3-5", "4th booking was blocked (status 409)")
    def test_fourth_booking_is_blocked_with_409(self, run):
        expect_status(run.fourth, 409, why="Step 3.6: capacity 3 is full")

    @checklist("S3-6", "Error message mentions staff unavailability")
    def test_conflict_detail_mentions_staff(self, run):
        expect_detail_mentions_staff(run.fourth, run.staff)

    @checklist("S3-7", "Capacity limit strictly enforced")
    def test_session_still_holds_exactly_three_after_refusal(self, run):
        # The refused 4th booking must leave no trace: still 3 active, still 0 of 3.
        self._slot(run.status_after, run, available_capacity=0, max_capacity=3, is_available=False)
        expect_status(run.listing_after, 200, why="GET /appointments for the staff and service")
        active = active_at(run.listing_after, "14:00")
        expect_equal(active, 3, what="active 14:00 appointments", response=run.listing_after)

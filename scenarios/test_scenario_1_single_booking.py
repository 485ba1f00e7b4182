"""Guide "Test Scenario 1: Single Booking Service (Legacy Behavior)", steps 1.1-1.7.

A service with allow_parallel_bookings=false keeps the old one-client-per-slot rule:
the second booking of the same staff member at 10:00 is refused with 409, while the
same staff member stays bookable at 14:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.expect import (
    expect_detail_mentions_staff,
    expect_equal,
    expect_slot,
    expect_status,
    field,
)
from fixtures.readback import active_at
from fixtures.reporting import checklist, scenario

# smoke: the production profile (-m smoke): one service, staff member, window, two customers,
# three bookings, the grid, the list; cleanup cancels and deletes. Under 30 requests in all.
pytestmark = [
    *scenario("1", "Single Booking Service (Legacy Behavior)", group="Mandatory"),
    pytest.mark.smoke,
]


@dataclass(frozen=True)
class Scenario1:
    first: httpx.Response
    second: httpx.Response
    grid: httpx.Response
    listing: httpx.Response
    at_14: httpx.Response
    staff: dict[str, Any]
    day: date


class TestScenario1SingleBookingService:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> Scenario1:
        """Guide steps 1.1-1.7 plus the checklist's 14:00 booking, recorded, not judged."""
        stage = factory.stage(
            "Haircut",
            capacity=1,
            parallel=False,
            day=day,
            window=("09:00", "17:00"),
            staff_label="Senior Stylist",
            steps=(
                "Step 1.1: Create Single-Booking Service",
                "Step 1.2: Create Staff Member",
                "Step 1.3: Create Staff Availability (09:00-17:00)",
            ),
        )
        with allure.step("Step 1.4: Create First Customer"):
            alice = factory.customer()
        with allure.step("Step 1.5: Book First Appointment (Should Succeed)"):
            first = stage.book("10:00", customer=alice)
        with allure.step("Step 1.6: Create Second Customer"):
            bob = factory.customer()
        with allure.step("Step 1.7: Attempt Second Booking (Should Fail)"):
            second = stage.book("10:00", customer=bob)
        with allure.step("Checklist: legacy behaviour, grid and appointment list at 10:00"):
            grid = stage.grid()
            listing = stage.appointments()
        with allure.step("Checklist: same staff at a different time (booking at 14:00)"):
            at_14 = stage.book("14:00", customer=bob)
        return Scenario1(first, second, grid, listing, at_14, stage.staff, day)

    @checklist("S1-1", "First booking succeeded with status 201")
    def test_first_booking_succeeds_with_201(self, run):
        expect_status(run.first, 201, why="Step 1.5: the 10:00 slot is empty")
        expect_equal(field(run.first, "status"), "confirmed", what="status", response=run.first)

    @checklist("S1-2", "Second booking was blocked with status 409")
    def test_second_booking_is_blocked_with_409(self, run):
        expect_status(run.second, 409, why="Step 1.7: single-booking service, 10:00 already taken")

    @checklist("S1-3", "Error message mentions staff unavailability")
    def test_conflict_detail_mentions_staff(self, run):
        expect_detail_mentions_staff(run.second, run.staff)

    @checklist("S1-4", "Legacy single-booking behavior maintained")
    def test_single_booking_slot_is_full_after_one_booking(self, run):
        slot = expect_slot(run.grid, day=run.day, start="10:00", staff_id=run.staff["id"], is_available=False)
        # CONTRACT.md §6: capacity fields are only SHOULD for single-booking services,
        # but when present the effective capacity is 1 and it is used up.
        if "max_capacity" in slot:
            expect_equal(slot["max_capacity"], 1, what="10:00 max_capacity", response=run.grid)
        if "available_capacity" in slot:
            expect_equal(slot["available_capacity"], 0, what="10:00 available_capacity", response=run.grid)
        expect_status(run.listing, 200, why="GET /appointments for the staff and service")
        expect_equal(
            active_at(run.listing, "10:00"), 1, what="active 10:00 appointments", response=run.listing
        )

    @checklist("S1-5", "Same staff available at different time (test by booking at 14:00)")
    def test_same_staff_books_at_14_00_with_201(self, run):
        # The grid was read before the 14:00 booking: 14:00 must be offered as free.
        expect_slot(run.grid, day=run.day, start="14:00", staff_id=run.staff["id"], is_available=True)
        expect_status(run.at_14, 201, why="14:00 does not overlap the 10:00-11:00 booking")

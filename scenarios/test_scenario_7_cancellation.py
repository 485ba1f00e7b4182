"""Guide "Test Scenario 7: Cancellation Impact", steps 7.1-7.7.

Art Workshop (capacity 6, 120 min) full at 14:00; each cancellation or no-show gives a
place back at once, and the freed place can be booked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field
from fixtures.readback import active_at, ids_of
from fixtures.reporting import checklist, scenario

pytestmark = scenario("7", "Cancellation Impact", group="Mandatory")


@dataclass(frozen=True)
class Scenario7:
    full: httpx.Response  # grid, 7.2
    first_cancel: httpx.Response  # 7.3
    after_first_cancel: httpx.Response  # grid, 7.4
    rebook: httpx.Response  # 7.5
    after_rebook: httpx.Response
    more_cancels: list[httpx.Response]  # 7.6
    after_more_cancels: httpx.Response
    no_show: httpx.Response  # 7.7
    after_no_show: httpx.Response
    listing: httpx.Response
    staff: dict[str, Any]
    day: date


class TestScenario7CancellationImpact:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api, factory, day) -> Scenario7:
        """Guide steps 7.1-7.7, recorded, not judged."""
        with allure.step("Step 7.1: Create Full Workshop (Art Workshop, capacity 6, 14:00 6/6)"):
            stage = factory.stage(
                "Art Workshop",
                capacity=6,
                duration=120,
                day=day,
                window=("14:00", "16:00"),
                staff_label="Art Teacher",
            )
            six = stage.fill("14:00", 6)
            expect_statuses(six, 201, why="Step 7.1: 6 of 6 places")
            ids = ids_of(six)
        with allure.step("Step 7.2: Verify Slot is Full"):
            full = stage.grid()
        with allure.step("Step 7.3: Cancel One Booking"):
            first_cancel = api.cancel(ids[0])
        with allure.step("Step 7.4: Verify Capacity Freed"):
            after_first_cancel = stage.grid()
        with allure.step("Step 7.5: Book New Customer (Should Succeed)"):
            rebook = stage.book("14:00")
            after_rebook = stage.grid()
        with allure.step("Step 7.6: Test Multiple Cancellations (cancel 2 more)"):
            more_cancels = [api.cancel(ids[1]), api.cancel(ids[2])]
            after_more_cancels = stage.grid()
        with allure.step("Step 7.7: Test No-Show Status"):
            no_show = api.set_status(ids[3], "no_show")
            after_no_show = stage.grid()
            listing = stage.appointments()
        return Scenario7(
            full, first_cancel, after_first_cancel, rebook, after_rebook, more_cancels,
            after_more_cancels, no_show, after_no_show, listing, stage.staff, day,
        )  # fmt: skip

    def _slot(self, grid: httpx.Response, run: Scenario7, **expected: Any) -> dict[str, Any]:
        return expect_slot(grid, day=run.day, start="14:00", staff_id=run.staff["id"], **expected)

    @checklist("S7-1", "Full slot (6/6) marked as unavailable")
    def test_full_slot_is_unavailable(self, run):
        self._slot(run.full, run, available_capacity=0, max_capacity=6, is_available=False)

    @checklist("S7-2", "Single cancellation freed 1 spot (6/6 → 5/6)")
    def test_one_cancellation_frees_one_place(self, run):
        expect_status(run.first_cancel, 200, why="Step 7.3")
        got = field(run.first_cancel, "status")
        expect_equal(got, "cancelled", what="status after cancel", response=run.first_cancel)
        self._slot(run.after_first_cancel, run, available_capacity=1, max_capacity=6, is_available=True)

    @checklist("S7-3", "Capacity immediately available for new bookings")
    def test_freed_place_is_booked_again_with_201(self, run):
        expect_status(run.rebook, 201, why="Step 7.5: one place was freed in 7.3")
        self._slot(run.after_rebook, run, available_capacity=0, is_available=False)

    @checklist("S7-4", "Multiple cancellations compound correctly")
    def test_two_more_cancellations_free_two_places(self, run):
        expect_statuses(run.more_cancels, 200, why="Step 7.6")
        # The guide writes "1 (from step 7.5) + 2 (cancelled) = 3", but step 7.5 booked the
        # place freed in 7.3, so 7.6 starts from 0 free. CONTRACT.md §6 (available = max -
        # active): 6 - (6 - 1 + 1 - 2) = 2.
        self._slot(run.after_more_cancels, run, available_capacity=2, is_available=True)

    @checklist("S7-5", "No-show status also frees capacity")
    def test_no_show_frees_one_more_place(self, run):
        expect_status(run.no_show, 200, why="Step 7.7: confirmed -> no_show is allowed (CONTRACT.md §4)")
        expect_equal(field(run.no_show, "status"), "no_show", what="status", response=run.no_show)
        self._slot(run.after_no_show, run, available_capacity=3, is_available=True)

    @checklist("S7-6", "Cancelled bookings excluded from capacity count")
    def test_available_equals_max_minus_active_bookings(self, run):
        # 7 booked in all, 3 cancelled, 1 no-show: 3 active, so 6 - 3 = 3 places.
        expect_status(run.listing, 200, why="GET /appointments for the staff and service")
        active = active_at(run.listing, "14:00")
        expect_equal(active, 3, what="active 14:00 appointments", response=run.listing)
        self._slot(run.after_no_show, run, available_capacity=6 - active, max_capacity=6)

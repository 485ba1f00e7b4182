"""Guide "Scenario B: Capacity Change on Existing Bookings" (Advanced), CONTRACT.md §5.6.

Test steps: create a service with capacity 10, book 8 customers, update the service to
capacity 5 via PUT /api/v1/services/{id}, verify the existing 8 bookings remain valid, and
attempt a 9th booking, which should be blocked (over capacity). Expected: grandfathered
approach, existing bookings honored. Beyond the guide (§5.6): new bookings stay refused
until the count falls below the new limit (after 3 cancellations: 5 of 5, still 409; after
the 4th: 4 of 5, a new booking is accepted).
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
    expect_statuses,
    field,
)
from fixtures.readback import confirmed_ids, ids_of
from fixtures.reporting import checklist, scenario

pytestmark = scenario("B", "Capacity Change on Existing Bookings", group="Advanced")

START = "10:00"


@dataclass(frozen=True)
class ScenarioB:
    eight: list[httpx.Response]  # B.2
    update: httpx.Response  # B.3
    service_after: httpx.Response  # GET /services/{id} after B.3
    reads: list[httpx.Response]  # B.4: GET /appointments/{id} of each of the 8
    listing: httpx.Response  # B.4: GET /appointments after the update
    grid_after_update: httpx.Response
    ninth: httpx.Response  # B.5
    three_cancels: list[httpx.Response]  # §5.6: 8 -> 5 active, still at the limit
    at_limit: httpx.Response  # booking attempt with 5 of 5
    fourth_cancel: httpx.Response  # 5 -> 4 active
    below_limit: httpx.Response  # booking attempt with 4 of 5
    grid_end: httpx.Response
    staff: dict[str, Any]
    day: date


class TestScenarioBCapacityChange:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api, factory, day) -> ScenarioB:
        """Guide Scenario B steps 1-5, then the §5.6 cancellations; recorded, not judged."""
        with allure.step("Step B.1: Create service with capacity 10"):
            stage = factory.stage("Capacity Change Class", capacity=10, day=day, window=("09:00", "12:00"))
            service, staff = stage.service, stage.staff
        with allure.step("Step B.2: Book 8 customers"):
            eight = stage.fill(START, 8)
            expect_statuses(eight, 201, why="Step B.2: 8 of 10 places")
            ids = ids_of(eight)
        with allure.step("Step B.3: Update service to capacity 5 via PUT /api/v1/services/{id}"):
            update = api.update_service(service["id"], {"max_parallel_bookings": 5})
            service_after = api.get_service(service["id"])
        with allure.step("Step B.4: Verify existing 8 bookings remain valid"):
            reads = [api.get_appointment(i) for i in ids]
            listing = stage.appointments()
            grid_after_update = stage.grid()
        with allure.step("Step B.5: Attempt 9th booking (should be blocked, over capacity)"):
            ninth = stage.book(START)
        with allure.step("Step B.6: Cancel 3 of the 8 (5 left = the new limit) and try again"):
            three_cancels = [api.cancel(i) for i in ids[:3]]
            at_limit = stage.book(START)
        with allure.step("Step B.7: Cancel a 4th (4 left, below 5) and book again"):
            fourth_cancel = api.cancel(ids[3])
            below_limit = stage.book(START)
            grid_end = stage.grid()
        return ScenarioB(
            eight, update, service_after, reads, listing, grid_after_update, ninth,
            three_cancels, at_limit, fourth_cancel, below_limit, grid_end, staff, day,
        )  # fmt: skip

    def _slot(self, grid: httpx.Response, run: ScenarioB, **expected: Any) -> dict[str, Any]:
        expect_status(grid, 200, why="availability grid")
        return expect_slot(grid, day=run.day, start=START, staff_id=run.staff["id"], **expected)

    @checklist("B-1", "Existing 8 bookings remain valid")
    def test_existing_eight_bookings_remain_confirmed(self, run):
        expect_status(run.update, 200, why="Step B.3: PUT is a partial update (CONTRACT.md §3)")
        expect_statuses(run.reads, 200, why="Step B.4: GET each of the 8 bookings")
        statuses = [field(r, "status") for r in run.reads]
        expect_equal(statuses, ["confirmed"] * 8, what="status of the 8 existing bookings")
        expect_status(run.listing, 200, why="Step B.4: GET /appointments")
        expect_equal(
            len(confirmed_ids(run.listing, start=START)),
            8,
            what="confirmed 10:00 bookings",
            response=run.listing,
        )

    @checklist("B-2", "9th booking blocked (over capacity)")
    def test_ninth_booking_is_blocked_with_409(self, run):
        expect_status(run.ninth, 409, why="Step B.5: 8 bookings, new limit 5")
        expect_detail_mentions_staff(run.ninth, run.staff)

    @checklist("B-3", "Grandfathered approach - existing bookings honored")
    def test_new_limit_applies_while_all_eight_are_kept(self, run):
        expect_status(run.service_after, 200, why="GET /services/{id} after the update")
        limit = field(run.service_after, "max_parallel_bookings")
        expect_equal(limit, 5, what="max_parallel_bookings after PUT", response=run.service_after)
        # The grid clamps at 0 (CONTRACT.md §6: max(0, 5 - 8)); no booking was cancelled for it.
        self._slot(run.grid_after_update, run, max_capacity=5, available_capacity=0, is_available=False)
        expect_equal(
            len(confirmed_ids(run.listing, start=START)), 8, what="bookings kept", response=run.listing
        )

    @checklist("B-4", "New bookings are accepted again once the count falls below the new limit")
    def test_booking_is_accepted_only_below_the_new_limit(self, run):
        expect_statuses([*run.three_cancels, run.fourth_cancel], 200, why="cancel 4 of the 8")
        expect_status(run.at_limit, 409, why="8 - 3 = 5 active, not below the new limit 5")
        expect_status(run.below_limit, 201, why="8 - 4 = 4 active, below the new limit 5")
        # 4 kept + 1 new = 5 of 5.
        self._slot(run.grid_end, run, max_capacity=5, available_capacity=0, is_available=False)

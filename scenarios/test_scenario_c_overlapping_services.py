"""Guide "Scenario C: Different Services Overlapping" (Advanced), CONTRACT.md §5.3-§5.4.

Objective: verify staff can't do two services simultaneously. Test steps: book the Yoga
class (parallel) at 10:00-11:00, attempt Personal Training (single) at 10:30-11:30, which
overlaps, and verify the booking is blocked. Expected: staff conflict detection across
services. Beyond the guide, the same rule from the other side and in both "inside" cases
(SERVER-NOTES: Easy!Appointments' overlap test missed bookings strictly inside a slot),
while touching intervals do not conflict (half-open: [10:00, 11:00) and [11:00, 12:00)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.expect import expect_detail_mentions_staff, expect_equal, expect_slot, expect_status
from fixtures.factories import Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("C", "Different Services Overlapping", group="Advanced")


@dataclass(frozen=True)
class ScenarioC:
    yoga: httpx.Response  # C.1: Yoga 10:00-11:00
    training_overlap: httpx.Response  # C.2: Personal Training 10:30-11:30
    short_inside: httpx.Response  # 30-min single at 10:15-10:45, inside the yoga hour
    training_grid: httpx.Response  # Personal Training grid after the above
    training_adjacent: httpx.Response  # Personal Training 11:00-12:00 (touches, no overlap)
    training_first: httpx.Response  # reverse: Personal Training 14:00-15:00 first ...
    yoga_overlap: httpx.Response  # ... then Yoga 14:30-15:30
    short_first: httpx.Response  # containing: 30-min single at 16:15-16:45 first ...
    training_around: httpx.Response  # ... then Personal Training 16:00-17:00 around it
    staff: dict[str, Any]
    day: date


class TestScenarioCOverlappingServices:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> ScenarioC:
        """Guide Scenario C steps 1-3 plus the reverse, inside and adjacent cases; recorded, not judged."""
        with allure.step("Setup: Yoga (parallel, 10, 60 min), Personal Training (single, 60 min), one staff"):
            yoga = factory.stage("Group Yoga Overlap", capacity=10, day=day, window=("09:00", "18:00"))
            training = factory.service("Personal Training Overlap", parallel=False, capacity=1)
            short = factory.service("Quick Consult Overlap", parallel=False, capacity=1, duration=30)
            staff = yoga.staff
            desk = Stage(factory, service=training, staff=staff, day=day)
        with allure.step("Step C.1: Book Yoga class (parallel) at 10:00-11:00"):
            yoga_booking = yoga.book("10:00")
        with allure.step("Step C.2: Attempt Personal Training (single) at 10:30-11:30 (overlaps)"):
            training_overlap = desk.book("10:30")
        with allure.step("Step C.3: Verify booking blocked; also a 30-min booking inside (10:15-10:45)"):
            short_inside = desk.book("10:15", service=short)
            training_grid = desk.grid()
        with allure.step("Adjacent: Personal Training at 11:00-12:00 touches the yoga hour"):
            training_adjacent = desk.book("11:00")
        with allure.step("Reverse: Personal Training 14:00-15:00 first, then Yoga 14:30-15:30"):
            training_first = desk.book("14:00")
            yoga_overlap = yoga.book("14:30")
        with allure.step("Around: 30-min consult 16:15-16:45 first, then Personal Training 16:00-17:00"):
            short_first = desk.book("16:15", service=short)
            training_around = desk.book("16:00")
        return ScenarioC(
            yoga_booking, training_overlap, short_inside, training_grid, training_adjacent,
            training_first, yoga_overlap, short_first, training_around, staff, day,
        )  # fmt: skip

    @checklist("C-1", "Overlapping Personal Training (10:30-11:30) blocked")
    def test_overlapping_personal_training_is_blocked_with_409(self, run):
        expect_status(run.yoga, 201, why="Step C.1: Yoga at 10:00")
        expect_status(run.training_overlap, 409, why="Step C.2: staff busy with Yoga until 11:00")
        expect_detail_mentions_staff(run.training_overlap, run.staff)

    @checklist("C-2", "Staff conflict detection across services")
    def test_booking_into_an_occupied_hour_from_the_other_service_is_blocked(self, run):
        expect_status(run.training_first, 201, why="Personal Training at 14:00 on a free hour")
        expect_status(run.yoga_overlap, 409, why="Yoga 14:30-15:30 overlaps Personal Training until 15:00")

    @checklist("C-2", "Staff conflict detection across services")
    def test_booking_inside_or_around_an_occupied_interval_is_blocked(self, run):
        # Half-open overlap test a.start < E and a.end > S (SERVER-NOTES, easyappointments).
        expect_status(run.short_inside, 409, why="10:15-10:45 lies strictly inside Yoga 10:00-11:00")
        expect_status(run.short_first, 201, why="a 30-min consult at 16:15 on a free afternoon")
        expect_status(run.training_around, 409, why="16:00-17:00 contains the consult 16:15-16:45")

    @checklist("C-2", "Staff conflict detection across services")
    def test_training_grid_shows_busy_overlap_and_free_adjacent_hour(self, run):
        expect_status(run.training_grid, 200, why="Personal Training grid after Step C.3")
        staff_id = run.staff["id"]
        # CONTRACT.md §6: 0 when the staff member is busy with anything else overlapping it;
        # the capacity fields are only SHOULD for single services, is_available is always there.
        for start in ("09:30", "10:00", "10:30"):
            slot = expect_slot(
                run.training_grid, day=run.day, start=start, staff_id=staff_id, is_available=False
            )
            if "available_capacity" in slot:
                expect_equal(slot["available_capacity"], 0, what=f"available_capacity at {start}")
        # Touching is not overlapping: 09:00-10:00 and 11:00-12:00 stay bookable.
        for start in ("09:00", "11:00"):
            expect_slot(run.training_grid, day=run.day, start=start, staff_id=staff_id, is_available=True)
        expect_status(run.training_adjacent, 201, why="11:00-12:00 only touches Yoga 10:00-11:00")

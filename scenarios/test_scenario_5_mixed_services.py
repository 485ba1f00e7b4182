"""Guide "Test Scenario 5: Mixed Services on Same Staff", steps 5.1-5.7.

One staff member teaches Group Yoga (parallel, capacity 10) at 10:00 and gives Personal
Training (single) at 14:00. Each service keeps its own count: yoga shows 4 of 10 left
after six students, training is full after one client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field
from fixtures.factories import Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("5", "Mixed Services on Same Staff", group="Mandatory")


@dataclass(frozen=True)
class Scenario5:
    yoga_five: list[httpx.Response]
    yoga_sixth: httpx.Response
    training: httpx.Response
    training_second: httpx.Response
    yoga_grid: httpx.Response
    training_grid: httpx.Response
    yoga: dict[str, Any]
    personal: dict[str, Any]
    staff: dict[str, Any]
    day: date


class TestScenario5MixedServicesOnSameStaff:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> Scenario5:
        """Guide steps 5.1-5.7, recorded, not judged."""
        with allure.step("Step 5.1: Create Two Services for Same Staff"):
            yoga = factory.service("Group Yoga Mixed", parallel=True, capacity=10, duration=60)
            personal = factory.service("Personal Training Mixed", parallel=False, capacity=1, duration=60)
        with allure.step("Step 5.2: Create Multi-Skill Staff (available 09:00-17:00)"):
            staff = factory.staff("Fitness Instructor")
            factory.availability(staff, day=day, start="09:00", end="17:00")
        stage = Stage(factory, service=yoga, staff=staff, day=day)
        with allure.step("Step 5.3: Book Multiple Students to Yoga Class (10:00)"):
            yoga_five = stage.fill("10:00", 5)
        with allure.step("Step 5.4: Attempt 6th Yoga Booking (Should Succeed)"):
            yoga_sixth = stage.book("10:00")
        with allure.step("Step 5.5: Book Personal Training (14:00)"):
            training = stage.book("14:00", service=personal)
        with allure.step("Step 5.6: Attempt 2nd Personal Training (Should Fail)"):
            training_second = stage.book("14:00", service=personal)
        with allure.step("Step 5.7: Verify Service Isolation"):
            yoga_grid = stage.grid()
            training_grid = stage.grid(service=personal)
        return Scenario5(
            yoga_five,
            yoga_sixth,
            training,
            training_second,
            yoga_grid,
            training_grid,
            yoga,
            personal,
            staff,
            day,
        )

    def _slot(self, grid: httpx.Response, run: Scenario5, start: str, **expected: Any) -> dict[str, Any]:
        return expect_slot(grid, day=run.day, start=start, staff_id=run.staff["id"], **expected)

    @checklist("S5-1", "Multiple yoga bookings succeeded (parallel service)")
    def test_six_yoga_bookings_succeed_with_201(self, run):
        expect_statuses([*run.yoga_five, run.yoga_sixth], 201, why="Steps 5.3-5.4: 6 of 10 places")

    @checklist("S5-2", "Single personal training succeeded")
    def test_first_personal_training_succeeds_with_201(self, run):
        expect_status(run.training, 201, why="Step 5.5: 14:00 is free")

    @checklist("S5-3", "Second personal training blocked (single-booking service)")
    def test_second_personal_training_is_blocked_with_409(self, run):
        expect_status(run.training_second, 409, why="Step 5.6: single-booking service, 14:00 taken")

    @checklist("S5-4", "Yoga capacity independent of training bookings")
    def test_yoga_slot_shows_four_of_ten_left(self, run):
        # Guide 5.7 query 1: 10 - 6 = 4, whatever happened to training at 14:00.
        self._slot(run.yoga_grid, run, "10:00", available_capacity=4, max_capacity=10, is_available=True)

    @checklist("S5-5", "Same staff handles both service types correctly")
    def test_one_staff_member_is_busy_across_both_services(self, run):
        for booking in (run.yoga_sixth, run.training):
            expect_status(booking, 201, why="Steps 5.4-5.5")
            got = field(booking, "services", 0, "staff_id")
            expect_equal(got, run.staff["id"], what="booked staff_id", response=booking)
        # CONTRACT.md §6: a slot is unavailable while the staff member is busy with anything
        # overlapping it, so each service's grid shows the other service's session as taken.
        self._slot(run.yoga_grid, run, "14:00", is_available=False)
        self._slot(run.training_grid, run, "10:00", is_available=False)

    @checklist("S5-6", "Service-specific capacity tracking works")
    def test_training_slot_is_full_while_yoga_has_room(self, run):
        # Guide 5.7 query 2: the single-booking 14:00 slot is filled by one client.
        slot = self._slot(run.training_grid, run, "14:00", is_available=False)
        # CONTRACT.md §6: capacity fields are SHOULD for single services; 1 when present.
        if "max_capacity" in slot:
            expect_equal(slot["max_capacity"], 1, what="training max_capacity", response=run.training_grid)
        self._slot(run.yoga_grid, run, "10:00", max_capacity=10, available_capacity=4)


@dataclass(frozen=True)
class SameStart:
    training: httpx.Response
    yoga: httpx.Response
    yoga_grid: httpx.Response
    staff: dict[str, Any]
    day: date


class TestScenario5SessionsAtTheSameStartStaySeparate:
    """Two services of one staff member at the SAME start: each session keeps its own count.

    Not a guide step: it kills a server whose capacity counter is keyed by (date, start) only
    (reference_server fault capacity-keyed-by-start), where the training booking would be
    counted as one of yoga's places instead of making the staff member busy. Its own staff
    member, so concurrent tests on the same day cannot change the numbers.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory, day) -> SameStart:
        yoga = factory.service("Group Yoga Same Start", parallel=True, capacity=3, duration=60)
        personal = factory.service("Personal Training Same Start", parallel=False, capacity=1, duration=60)
        staff = factory.staff("Same Start Instructor")
        factory.availability(staff, day=day, start="09:00", end="17:00")
        stage = Stage(factory, service=yoga, staff=staff, day=day)
        with allure.step("Book Personal Training at 11:00, then Group Yoga at 11:00 (same staff)"):
            training = stage.book("11:00", service=personal)
            yoga_booking = stage.book("11:00")
        with allure.step("Read the yoga grid"):
            yoga_grid = stage.grid()
        return SameStart(training, yoga_booking, yoga_grid, staff, day)

    @checklist("S5-6", "Service-specific capacity tracking works")
    def test_another_services_session_at_the_same_start_is_not_a_shared_count(self, run):
        expect_status(run.training, 201, why="training at 11:00 on a free staff member")
        # CONTRACT.md §5.3: the staff member is busy with training, so yoga at 11:00 is refused;
        # a shared (date, start) counter would count training as 1 of yoga's 3 places instead.
        expect_status(run.yoga, 409, why="yoga at 11:00 while the staff member gives training")
        expect_slot(run.yoga_grid, day=run.day, start="11:00", staff_id=run.staff["id"], is_available=False)

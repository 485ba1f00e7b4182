"""Guide "Scenario D: Multi-Day Capacity Tracking" (Advanced), CONTRACT.md §5.5.

Objective: verify capacity is tracked per day, not globally. Test steps: fill the Monday
10:00 slot to capacity, book the Tuesday 10:00 slot, verify the Tuesday booking succeeds.
Expected: capacity is day-specific. One two-day grid then shows both days side by side,
and Monday stays closed to a 4th booking after Tuesday's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.dates import next_day
from fixtures.expect import expect_slot, expect_status, expect_statuses
from fixtures.reporting import checklist, scenario

pytestmark = scenario("D", "Multi-Day Capacity Tracking", group="Advanced")

CAPACITY = 3
START = "10:00"


@dataclass(frozen=True)
class ScenarioD:
    monday_fill: list[httpx.Response]  # D.1
    monday_grid: httpx.Response  # D.1, after filling
    tuesday_booking: httpx.Response  # D.2-D.3
    both_days_grid: httpx.Response  # one grid for Monday and Tuesday after D.3
    monday_fourth: httpx.Response  # Monday still full after Tuesday's booking
    staff: dict[str, Any]
    monday: date
    tuesday: date


class TestScenarioDMultiDay:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api, factory, outlet, day) -> ScenarioD:
        """Guide Scenario D steps 1-3, recorded, not judged."""
        monday, tuesday = day, next_day(day)
        with allure.step(f"Setup: service with capacity {CAPACITY}, windows on Monday and Tuesday"):
            stage = factory.stage("Multi Day Class", capacity=CAPACITY, day=monday, window=("09:00", "12:00"))
            factory.availability(stage.staff, day=tuesday, start="09:00", end="12:00")
        with allure.step(f"Step D.1: Fill Monday {START} slot to capacity ({CAPACITY})"):
            monday_fill = stage.fill(START, CAPACITY)
            monday_grid = stage.grid()
        with allure.step(f"Step D.2: Book Tuesday {START} slot"):
            tuesday_booking = stage.book(START, day=tuesday)
        with allure.step("Step D.3: Verify Tuesday booking succeeds (and Monday is still full)"):
            both_days_grid = api.availability_grid(
                outlet_id=outlet["id"],
                service_id=stage.service["id"],
                staff_id=stage.staff["id"],
                start_date=monday,
                end_date=tuesday,
            )
            monday_fourth = stage.book(START)
        return ScenarioD(
            monday_fill,
            monday_grid,
            tuesday_booking,
            both_days_grid,
            monday_fourth,
            stage.staff,
            monday,
            tuesday,
        )

    def _slot(self, grid: httpx.Response, run: ScenarioD, day: date, **expected: Any) -> dict[str, Any]:
        expect_status(grid, 200, why="availability grid")
        return expect_slot(grid, day=day, start=START, staff_id=run.staff["id"], **expected)

    @checklist("D-1", "Monday 10:00 slot filled to capacity")
    def test_monday_slot_fills_to_capacity(self, run):
        expect_statuses(run.monday_fill, 201, why=f"Step D.1: {CAPACITY} of {CAPACITY} places")
        self._slot(run.monday_grid, run, run.monday, available_capacity=0, max_capacity=CAPACITY)

    @checklist("D-2", "Tuesday booking succeeds")
    def test_tuesday_booking_succeeds_with_201(self, run):
        expect_status(run.tuesday_booking, 201, why="Step D.3: Tuesday 10:00 is empty")

    @checklist("D-3", "Capacity is day-specific")
    def test_each_day_counts_only_its_own_bookings(self, run):
        # CONTRACT.md §5.5: a full Monday says nothing about Tuesday, and vice versa.
        self._slot(run.both_days_grid, run, run.monday, available_capacity=0, is_available=False)
        self._slot(run.both_days_grid, run, run.tuesday, available_capacity=CAPACITY - 1, is_available=True)
        expect_status(run.monday_fourth, 409, why="Monday 10:00 is still full after Tuesday's booking")

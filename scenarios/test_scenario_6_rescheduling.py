"""Guide "Test Scenario 6: Rescheduling with Capacity", steps 6.1-6.4, plus CONTRACT.md §4.

Wine Tasting (capacity 4, 60 min): 15:00 at 3/4, 18:00 at 2/4, 21:00 at 4/4. Moving one
15:00 guest to 18:00 leaves 2 free at 15:00 and 1 at 18:00; moving one to the full 21:00
is refused and changes nothing. The reschedule check excludes the appointment itself
(the guide's `exclude_appointment_id`), which S6-5..S6-7 probe directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures.dates import iso
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field
from fixtures.readback import active_at, ids_of
from fixtures.reporting import checklist, scenario

pytestmark = scenario("6", "Rescheduling with Capacity", group="Mandatory")


@dataclass(frozen=True)
class Scenario6:
    before: httpx.Response  # grid after 6.1
    moved_id: str
    moved: httpx.Response  # 6.2
    after: httpx.Response  # grid after 6.2 (6.3)
    blocked_id: str
    blocked: httpx.Response  # 6.4
    blocked_reread: httpx.Response
    after_refusal: httpx.Response  # grid after 6.4
    same_time_id: str
    same_time: httpx.Response  # 21:00 -> 21:00
    after_same_time: httpx.Response
    listing: httpx.Response
    lone_move: httpx.Response  # private tasting 12:00 -> 12:30
    staff: dict[str, Any]
    day: date


class TestScenario6ReschedulingWithCapacity:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api, factory, day) -> Scenario6:
        """Guide steps 6.1-6.4 plus the contract's self-exclusion cases, recorded, not judged."""
        with allure.step("Step 6.1: Create Service and Initial Bookings"):
            # 11:00-22:00 covers 15:00, 18:00, 21:00-22:00 and the 12:00-13:30 self-overlap case.
            stage = factory.stage(
                "Wine Tasting", capacity=4, day=day, window=("11:00", "22:00"), staff_label="Sommelier"
            )
            at_15 = stage.fill("15:00", 3)
            at_18 = stage.fill("18:00", 2)
            at_21 = stage.fill("21:00", 4)
            expect_statuses([*at_15, *at_18, *at_21], 201, why="Step 6.1: 3/4, 2/4 and 4/4 sessions")
            before = stage.grid()
        with allure.step("Step 6.2: Reschedule from 15:00 to 18:00 (Should Succeed)"):
            moved_id = ids_of(at_15)[0]
            moved = api.reschedule(moved_id, new_date=day, new_time="18:00")
        with allure.step("Step 6.3: Verify Capacity Updates"):
            after = stage.grid()
        with allure.step("Step 6.4: Attempt Reschedule to Full Slot (Should Fail)"):
            blocked_id = ids_of(at_15)[1]
            blocked = api.reschedule(blocked_id, new_date=day, new_time="21:00")
            blocked_reread = api.get_appointment(blocked_id)
            after_refusal = stage.grid()
        with allure.step(
            "Step 6.4 (contract §4): Reschedule a 21:00 guest to 21:00, inside the full session"
        ):
            same_time_id = ids_of(at_21)[0]
            same_time = api.reschedule(same_time_id, new_date=day, new_time="21:00")
            after_same_time = stage.grid()
            listing = stage.appointments()
        with allure.step("Step 6.4 (contract §4): Move a private 12:00 tasting to 12:30, overlapping itself"):
            # A single-booking service: its 12:00 session is filled by this appointment alone,
            # and the 12:30 target overlaps nothing but the appointment itself.
            private = factory.service("Private Wine Tasting", parallel=False, capacity=1, duration=60)
            lone = stage.book("12:00", service=private)
            expect_status(lone, 201, why="an empty 12:00 session inside the window")
            lone_move = api.reschedule(field(lone, "id"), new_date=day, new_time="12:30")
        return Scenario6(
            before, moved_id, moved, after, blocked_id, blocked, blocked_reread, after_refusal,
            same_time_id, same_time, after_same_time, listing, lone_move, stage.staff, day,
        )  # fmt: skip

    def _slot(self, grid: httpx.Response, run: Scenario6, start: str, **expected: Any) -> dict[str, Any]:
        return expect_slot(grid, day=run.day, start=start, staff_id=run.staff["id"], **expected)

    def _expect_moved(self, resp: httpx.Response, run: Scenario6, appointment_id: str, start: str) -> None:
        """200, same id, still confirmed, same day, first service starting at `start` (CONTRACT.md §4)."""
        expect_status(resp, 200, why=f"reschedule to {start}")
        got = {key: field(resp, key) for key in ("id", "status", "appointment_date")}
        got["start_time"] = field(resp, "services", 0, "start_time")
        want = {
            "id": appointment_id,
            "status": "confirmed",
            "appointment_date": iso(run.day),
            "start_time": start,
        }
        expect_equal(got, want, what="rescheduled appointment", response=resp)

    @checklist("S6-1", "Reschedule to available slot succeeded")
    def test_reschedule_to_18_00_succeeds(self, run):
        self._expect_moved(run.moved, run, run.moved_id, "18:00:00")
        expect_equal(
            field(run.moved, "services", 0, "end_time"), "19:00:00", what="end_time", response=run.moved
        )

    @checklist("S6-2", "Source slot capacity increased (3/4 → 2/4)")
    def test_source_15_00_goes_from_one_to_two_free(self, run):
        self._slot(run.before, run, "15:00", available_capacity=1, max_capacity=4)
        self._slot(run.after, run, "15:00", available_capacity=2, max_capacity=4, is_available=True)

    @checklist("S6-3", "Destination slot capacity decreased (2/4 → 3/4)")
    def test_destination_18_00_goes_from_two_to_one_free(self, run):
        self._slot(run.before, run, "18:00", available_capacity=2, max_capacity=4)
        self._slot(run.after, run, "18:00", available_capacity=1, max_capacity=4, is_available=True)

    @checklist("S6-4", "Reschedule to full slot blocked")
    def test_reschedule_to_full_21_00_is_blocked_with_409(self, run):
        self._slot(run.before, run, "21:00", available_capacity=0, is_available=False)
        expect_status(run.blocked, 409, why="Step 6.4: 21:00 is at 4/4")

    @checklist("S6-5", "exclude_appointment_id parameter working correctly")
    def test_rescheduled_appointment_is_counted_exactly_once(self, run):
        # Excluding itself only during the check: after moving inside the full 21:00 session
        # it must neither be double-counted nor dropped, and the 6.2 move counts once at 18:00.
        expect_status(run.listing, 200, why="GET /appointments for the staff and service")
        counts = {start: active_at(run.listing, start) for start in ("15:00", "18:00", "21:00")}
        expect_equal(
            counts, {"15:00": 2, "18:00": 3, "21:00": 4}, what="active per session", response=run.listing
        )
        self._slot(run.after_same_time, run, "21:00", available_capacity=0, is_available=False)

    @checklist("S6-6", "Reschedule within the same full session to the same time succeeds")
    def test_reschedule_inside_full_21_00_to_21_00_succeeds(self, run):
        self._expect_moved(run.same_time, run, run.same_time_id, "21:00:00")

    @checklist("S6-7", "Reschedule to a session that the appointment alone fills succeeds")
    def test_move_overlapping_only_itself_succeeds(self, run):
        # Private tasting 12:00-13:00 -> 12:30-13:30: the only booking in the staff member's way
        # is the appointment itself, which CONTRACT.md §4 excludes, so this is no conflict.
        expect_status(run.lone_move, 200, why="12:30 overlaps nothing but the appointment itself")
        start = field(run.lone_move, "services", 0, "start_time")
        expect_equal(start, "12:30:00", what="start_time", response=run.lone_move)

    @checklist("S6-8", "A refused reschedule changes nothing")
    def test_refused_reschedule_leaves_appointment_at_15_00(self, run):
        expect_status(run.blocked_reread, 200, why="GET the appointment refused in step 6.4")
        reread = run.blocked_reread
        expect_equal(field(reread, "status"), "confirmed", what="status", response=reread)
        expect_equal(
            field(reread, "appointment_date"), iso(run.day), what="appointment_date", response=reread
        )
        expect_equal(
            field(reread, "services", 0, "start_time"), "15:00:00", what="start_time", response=reread
        )
        self._slot(run.after_refusal, run, "15:00", available_capacity=2)
        self._slot(run.after_refusal, run, "21:00", available_capacity=0, is_available=False)

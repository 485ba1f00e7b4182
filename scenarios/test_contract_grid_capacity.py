"""Contract rules, rule by rule: the grid's capacity fields (docs/contract.md C6.6-C6.8, C6.11).

The guide shows capacity on an empty, a part-filled and a full session of one parallel service.
These checks add the edges it leaves out: a single-booking service that carries
max_parallel_bookings 5, cancelled and no-show bookings, another date, a limit lowered below
its bookings (max(0, ...)), and a staff member busy with another service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import allure
import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.dates import next_day
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field, grid_slots
from fixtures.factories import Factory, Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X67 = "max_capacity is the effective capacity: 1 for a single-booking service with max_parallel_bookings 5"
X68 = "available_capacity = max(0, max_capacity - active bookings of that session on that date)"
X69 = "available_capacity is 0 while the staff member is busy with another overlapping service"
X70 = "is_available equals available_capacity > 0 on every slot"
X73 = "available_capacity and max_capacity are present on every slot of a parallel service"


@dataclass
class Single:
    day: date
    staff_id: str
    grid: httpx.Response


class TestGridSingleBookingCapacity:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory: Factory, day: date) -> Single:
        stage = factory.stage("X-67 single", capacity=5, parallel=False, day=day, window=("09:00", "12:00"))
        with allure.step("Book 09:00 once"):
            expect_status(stage.book("09:00"), 201)
        return Single(day, stage.staff["id"], stage.grid())

    @pytest.mark.parametrize(
        "start", [pytest.param("09:00", id="booked-09:00"), pytest.param("11:00", id="free-11:00")]
    )
    @checklist("X-67", X67)
    def test_max_capacity_is_1(self, run: Single, start: str) -> None:
        expect_status(run.grid, 200)
        expect_slot(run.grid, day=run.day, start=start, staff_id=run.staff_id, max_capacity=1)


# The capacity-3 service on `day`: start -> (active, cancelled, no-show bookings, expected available).
SESSIONS = {"09:00": (3, 0, 0, 0), "10:00": (2, 1, 0, 1), "11:00": (0, 1, 1, 3)}


@dataclass
class Parallel:
    day: date
    staff_id: str
    grid: httpx.Response  # `day` and the same weekday a week later
    lowered: httpx.Response  # capacity 3 -> 2 under 3 bookings


class TestGridParallelCapacity:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Parallel:
        # One window covers both dates (same weekday); 09:00-16:00 holds every session.
        stage = factory.stage("X-68 parallel", capacity=3, day=day, window=("09:00", "16:00"))
        for start, (active, cancelled, no_show, _) in SESSIONS.items():
            with allure.step(f"{start}: {active} active, {cancelled} cancelled, {no_show} no-show"):
                made = stage.fill(start, active + cancelled + no_show)
                expect_statuses(made, 201)
                for response in made[active : active + cancelled]:
                    expect_status(api.cancel(response.json()["id"]), 200)
                for response in made[active + cancelled :]:
                    expect_status(api.set_status(response.json()["id"], "no_show"), 200)
        later = next_day(day, 7)
        with allure.step("Grid for the day and the same weekday a week later"):
            grid = factory.grid(stage.service, stage.staff, day, end=later)
        lowered_service = factory.service("X-68 lowered", parallel=True, capacity=3)
        lowered = Stage(factory, service=lowered_service, staff=stage.staff, day=day)
        with allure.step("Another service: 3 bookings at 14:00, then max_parallel_bookings 3 -> 2"):
            expect_statuses(lowered.fill("14:00", 3), 201)
            expect_status(api.update_service(lowered_service["id"], {"max_parallel_bookings": 2}), 200)
        return Parallel(day, stage.staff["id"], grid, lowered.grid())

    @pytest.mark.parametrize("start", list(SESSIONS))
    @checklist("X-68", X68)
    def test_available_counts_active_bookings_only(self, run: Parallel, start: str) -> None:
        expect_status(run.grid, 200)
        available = SESSIONS[start][-1]
        expect_slot(
            run.grid,
            day=run.day,
            start=start,
            staff_id=run.staff_id,
            max_capacity=3,
            available_capacity=available,
        )

    @pytest.mark.parametrize("start", list(SESSIONS))
    @checklist("X-68", X68)
    def test_a_week_later_is_untouched(self, run: Parallel, start: str) -> None:
        expect_status(run.grid, 200)
        later = next_day(run.day, 7)
        expect_slot(
            run.grid, day=later, start=start, staff_id=run.staff_id, max_capacity=3, available_capacity=3
        )

    @checklist("X-68", X68)
    def test_lowered_limit_under_its_bookings_shows_0(self, run: Parallel) -> None:
        expect_status(run.lowered, 200)
        expect_slot(
            run.lowered,
            day=run.day,
            start="14:00",
            staff_id=run.staff_id,
            max_capacity=2,
            available_capacity=0,
        )

    @pytest.mark.parametrize("which", ["bookings", "lowered"])
    @checklist("X-70", X70)
    def test_is_available_follows_available_capacity(self, run: Parallel, which: str) -> None:
        grid = run.grid if which == "bookings" else run.lowered
        expect_status(grid, 200)
        slots = [
            s
            for key in sorted(field(grid, "availability_grid"))
            for s in field(grid, "availability_grid", key)
        ]
        wrong = [
            (s.get("start_time"), s.get("available_capacity"), s.get("is_available"))
            for s in slots
            if s.get("is_available")
            is not (isinstance(s.get("available_capacity"), int) and s["available_capacity"] > 0)
        ]
        expect_equal(wrong, [], what="(start, available_capacity, is_available) that disagree", response=grid)
        # The edge the guide's 1-of-8 slot also shows: one place left is available.
        expect_slot(
            grid,
            day=run.day,
            start="10:00" if which == "bookings" else "15:00",
            staff_id=run.staff_id,
            is_available=True,
        )

    @checklist("X-73", X73)
    def test_capacity_fields_on_every_parallel_slot(self, run: Parallel) -> None:
        expect_status(run.grid, 200)
        slots = grid_slots(run.grid, run.day) + grid_slots(run.grid, next_day(run.day, 7))
        missing = [
            s.get("start_time")
            for s in slots
            if s.get("staff_id") == run.staff_id
            and not {"available_capacity", "max_capacity", "allows_parallel_bookings"} <= set(s)
        ]
        expect_equal(missing, [], what="starts of slots without capacity fields", response=run.grid)
        flags = {s.get("allows_parallel_bookings") for s in slots if s.get("staff_id") == run.staff_id}
        expect_equal(flags, {True}, what="allows_parallel_bookings of our slots", response=run.grid)


@dataclass
class Busy:
    day: date
    staff_id: str
    grid: httpx.Response


class TestGridBusyStaff:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory: Factory, day: date) -> Busy:
        stage = factory.stage("X-69 group", capacity=5, day=day, window=("09:00", "12:00"))
        private = factory.service("X-69 private", parallel=False, capacity=1)
        with allure.step("Book the private service 10:00-11:00 on the same staff member"):
            expect_status(stage.book("10:00", service=private), 201)
        return Busy(day, stage.staff["id"], stage.grid())

    # The group service's slots (60 minutes) against a private session 10:00-11:00 (half-open).
    @pytest.mark.parametrize(
        ("start", "available"),
        [
            pytest.param("09:00", 5, id="ends-as-it-starts-09:00"),
            pytest.param("09:30", 0, id="overlaps-its-start-09:30"),
            pytest.param("10:00", 0, id="same-start-10:00"),
            pytest.param("10:30", 0, id="overlaps-its-end-10:30"),
            pytest.param("11:00", 5, id="starts-as-it-ends-11:00"),
        ],
    )
    @checklist("X-69", X69)
    def test_busy_staff_shows_0(self, run: Busy, start: str, available: int) -> None:
        expect_status(run.grid, 200)
        expect_slot(
            run.grid,
            day=run.day,
            start=start,
            staff_id=run.staff_id,
            max_capacity=5,
            available_capacity=available,
        )

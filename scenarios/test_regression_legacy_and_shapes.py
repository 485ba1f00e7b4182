"""Guide "Regression Tests": legacy single-booking services and API backward compatibility.

"Verify existing single-booking services still work": a service created the way clients did
before the feature, WITHOUT allow_parallel_bookings / max_parallel_bookings, gets the
defaults (false, 1; CONTRACT.md §3) and behaves like guide Scenario 1.
"Test API backward compatibility": a full round trip (service, staff, window, customer, book,
read, list, grid, reschedule, cancel) in which every response is validated against its schema
by the client, plus the shapes old clients rely on (§1 time formats, §3 effective capacity 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses, field, pick
from fixtures.factories import Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("R", "Regression Tests", group="Regression")

PARALLEL_FIELDS = ("allow_parallel_bookings", "max_parallel_bookings")


@dataclass(frozen=True)
class Regression:
    legacy_service: httpx.Response  # POST /services without the parallel fields
    legacy_first: httpx.Response  # 10:00
    legacy_second: httpx.Response  # 10:00 again, another customer
    legacy_other_time: httpx.Response  # 14:00, same staff
    legacy_grid: httpx.Response
    compat_service: dict[str, Any]  # POST /services echo (parallel, 4)
    compat_read: httpx.Response  # GET /services/{id}
    window: dict[str, Any]  # POST /availability echo
    booking: httpx.Response  # POST /appointments at 10:00 (request time "HH:MM")
    booking_read: httpx.Response
    listing: httpx.Response
    grid: httpx.Response
    rescheduled: httpx.Response  # to 11:00
    cancelled: httpx.Response
    single_five: dict[str, Any]  # allow_parallel_bookings false, max_parallel_bookings 5
    single_five_bookings: list[httpx.Response]  # two customers, same session
    single_five_grid: httpx.Response
    day: date


class TestRegressionLegacyAndShapes:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api, factory, outlet, day, run_tag, target) -> Iterator[Regression]:
        """Regression steps R-1 and R-2, recorded, not judged; the legacy service is removed afterwards."""
        with allure.step("Step R-1.1: Create a service without the parallel booking fields"):
            body = ep.service_body(name=f"Legacy Haircut R-1 {run_tag}", outlet_id=outlet["id"])
            for field in PARALLEL_FIELDS:
                body.pop(field)
            legacy_service = api.create_service(body)
            expect_status(legacy_service, 201, why="Step R-1.1: needed for the rest of R-1")
            legacy = legacy_service.json()
        try:
            yield cls._act(api, factory, day, legacy_service, legacy)
        finally:
            if not getattr(target, "keep_data", False):
                api.delete_service(legacy["id"])

    @staticmethod
    def _act(api, factory, day, legacy_service, legacy) -> Regression:
        """The steps after R-1.1 (split out so that the fixture's cleanup always runs)."""
        with allure.step("Step R-1.2: Book it twice at 10:00, then at 14:00 (guide Scenario 1)"):
            stylist = factory.staff("Legacy Stylist")
            factory.availability(stylist, day=day, start="09:00", end="17:00")
            chair = Stage(factory, service=legacy, staff=stylist, day=day)
            legacy_first, legacy_second = chair.book("10:00"), chair.book("10:00")
            legacy_other_time = chair.book("14:00")
            legacy_grid = chair.grid()
        with allure.step("Step R-2.1: Round trip on a parallel service (capacity 4)"):
            compat_service = factory.service("Backward Compat Yoga", parallel=True, capacity=4)
            compat_read = api.get_service(compat_service["id"])
            teacher = factory.staff("Backward Compat Teacher")
            window = factory.availability(teacher, day=day, start="09:00", end="17:00")
            studio = Stage(factory, service=compat_service, staff=teacher, day=day)
            booking = studio.book("10:00")
            booking_id = booking.json().get("id", "") if booking.status_code == 201 else "missing"
            booking_read = api.get_appointment(booking_id)
            listing = api.list_appointments(date=day, staff_id=teacher["id"], size=100)
            grid = studio.grid()
            rescheduled = api.reschedule(booking_id, new_date=day, new_time="11:00")
            cancelled = api.cancel(booking_id)
        with allure.step("Step R-2.2: Single-booking service with max_parallel_bookings 5 (effective 1)"):
            solo = factory.stage(
                "Single Max Five", capacity=5, parallel=False, day=day, window=("09:00", "17:00")
            )
            single_five_bookings = [solo.book("14:00"), solo.book("14:00")]
            single_five_grid = solo.grid()
        return Regression(
            legacy_service, legacy_first, legacy_second, legacy_other_time, legacy_grid,
            compat_service, compat_read, window, booking, booking_read, listing, grid, rescheduled,
            cancelled, solo.service, single_five_bookings, single_five_grid, day,
        )  # fmt: skip

    @checklist("R-1", "Verify existing single-booking services still work")
    def test_service_without_parallel_fields_gets_single_booking_defaults(self, run):
        echo = pick(run.legacy_service, PARALLEL_FIELDS)
        expect_equal(echo, {"allow_parallel_bookings": False, "max_parallel_bookings": 1}, what="defaults")

    @checklist("R-1", "Verify existing single-booking services still work")
    def test_legacy_service_takes_one_booking_per_session(self, run):
        expect_status(run.legacy_first, 201, why="first booking of the legacy service at 10:00")
        expect_status(run.legacy_second, 409, why="second booking of the same session (capacity 1)")
        expect_status(run.legacy_other_time, 201, why="same staff at 14:00")
        expect_status(run.legacy_grid, 200, why="grid of the legacy service")
        slot = expect_slot(run.legacy_grid, day=run.day, start="10:00", is_available=False)
        if "max_capacity" in slot:  # SHOULD for single services (CONTRACT.md §6)
            expect_equal(slot["max_capacity"], 1, what="max_capacity of a legacy service")

    @checklist("R-2", "Test API backward compatibility")
    def test_round_trip_answers_with_documented_statuses(self, run):
        # Every body was validated against schemas/ by the client on the way in.
        expect_statuses([run.compat_read, run.booking_read, run.listing, run.grid], 200, why="reads")
        expect_status(run.booking, 201, why="POST /appointments")
        expect_statuses([run.rescheduled, run.cancelled], 200, why="reschedule, then cancel")
        expect_equal(field(run.rescheduled, "id"), field(run.booking, "id"), what="id after reschedule")
        expect_equal(field(run.cancelled, "status"), "cancelled", what="status after cancel")
        page_keys = {"items", "total", "page", "size", "pages"}  # CONTRACT.md §1: paginated lists
        missing = page_keys - set(field(run.listing))
        expect_equal(missing, set(), what="missing list keys", response=run.listing)

    @checklist("R-2", "Test API backward compatibility")
    def test_service_echoes_parallel_fields(self, run):
        want = {"allow_parallel_bookings": True, "max_parallel_bookings": 4}
        expect_equal(
            {f: run.compat_service.get(f) for f in PARALLEL_FIELDS}, want, what="POST /services echo"
        )
        read = pick(run.compat_read, PARALLEL_FIELDS)
        expect_equal(read, want, what="GET /services/{id}", response=run.compat_read)

    @checklist("R-2", "Test API backward compatibility")
    def test_single_booking_service_takes_one_whatever_max_parallel_bookings_says(self, run):
        # CONTRACT.md §3: allow_parallel_bookings false means effective capacity 1.
        expect_equal(run.single_five.get("max_parallel_bookings"), 5, what="max_parallel_bookings echo")
        first, second = run.single_five_bookings
        expect_status(first, 201, why="first booking of the single service")
        expect_status(second, 409, why="allow_parallel_bookings is false: effective capacity 1")
        slot = expect_slot(run.single_five_grid, day=run.day, start="14:00", is_available=False)
        if "max_capacity" in slot:
            expect_equal(slot["max_capacity"], 1, what="max_capacity = effective capacity")

    @checklist("R-2", "Test API backward compatibility")
    def test_times_are_hh_mm_ss_outside_the_grid_and_hh_mm_in_it(self, run):
        # CONTRACT.md §1: HH:MM in the grid, HH:MM:SS everywhere else; requests sent "HH:MM".
        expect_status(run.booking, 201, why="POST /appointments at 10:00")
        expect_status(run.rescheduled, 200, why="reschedule to 11:00")
        window = (run.window.get("start_time"), run.window.get("end_time"))
        expect_equal(window, ("09:00:00", "17:00:00"), what="availability window times")
        item = field(run.booking, "services", 0)
        expect_equal((item["start_time"], item["end_time"]), ("10:00:00", "11:00:00"), what="booked times")
        moved = field(run.rescheduled, "services", 0)
        expect_equal((moved["start_time"], moved["end_time"]), ("11:00:00", "12:00:00"), what="moved times")
        slot = expect_slot(run.grid, day=run.day, start="10:00")
        expect_equal((slot["start_time"], slot["end_time"]), ("10:00", "11:00"), what="grid slot times")

"""C3.10: ids that were never issued, in bodies, in the grid's query and in list filters.

The tenant's own records are real and valid; each request names exactly ONE unknown id, so a
404 is about that id. A body or the grid query answers 404 and creates nothing; a list filter
gives an empty list or 404 (C3.10). Another tenant's ids: test_contract_tenant_isolation_references.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.dates import next_day, weekday_name
from fixtures.expect import expect_equal, expect_error_detail, expect_status, field
from fixtures.factories import Factory
from fixtures.readback import PAGE_SIZE, all_pages, page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X44 = "Unknown ids in a request body answer 404 and create nothing"
X45 = "Unknown ids in the availability grid query answer 404"
X46 = "Unknown ids in a list filter give an empty list or 404"
# Never issued: ids are opaque (C1.4), so any string works; this one has the reference
# server's shape, so a server that checks the format answers about existence, not form.
UNKNOWN = "ffffffffffffffffffffffff"


@dataclass(frozen=True)
class Own:
    api: BookingApi
    outlet: str
    service: str
    staff: str
    customer: str
    appointment: str
    day: date
    tag: str

    def book(self, **override: str) -> httpx.Response:
        ids = {"customer_id": self.customer, "outlet_id": self.outlet, "service_id": self.service}
        ids |= {"staff_id": self.staff} | override
        return self.api.book(appointment_date=self.day, start_time="14:00", **ids)


BODIES: dict[str, Callable[[Own], httpx.Response]] = {
    "book-unknown-customer": lambda o: o.book(customer_id=UNKNOWN),
    "book-unknown-outlet": lambda o: o.book(outlet_id=UNKNOWN),
    "book-unknown-service": lambda o: o.book(service_id=UNKNOWN),
    "book-unknown-staff": lambda o: o.book(staff_id=UNKNOWN),
    "reschedule-to-unknown-staff": lambda o: o.api.reschedule(
        o.appointment, new_date=o.day, new_time="14:00", new_staff_id=UNKNOWN
    ),
    "window-for-unknown-staff": lambda o: o.api.set_availability(
        staff_id=UNKNOWN,
        day_of_week=weekday_name(next_day(o.day)),
        start_time="06:00",
        end_time="07:00",
        outlet_id=o.outlet,
    ),
    "service-in-unknown-outlet": lambda o: o.api.create_service(
        ep.service_body(name=f"X-44 unknown outlet {o.tag}", outlet_id=UNKNOWN)
    ),
    "staff-in-unknown-outlet": lambda o: o.api.create_staff(
        ep.staff_body(
            first_name="Nobody",
            last_name=f"X44 {o.tag}",
            email=f"x44+{o.tag}@example.test",
            phone="+6281200000044",
            outlet_id=UNKNOWN,
        )
    ),
}
UNDO = {"window-for-unknown-staff": "availability", "service-in-unknown-outlet": "service"}
UNDO |= {"staff-in-unknown-outlet": "staff"} | {n: "appointment" for n in BODIES if n.startswith("book-")}

GRIDS: dict[str, Callable[[Own], httpx.Response]] = {
    "grid-unknown-outlet": lambda o: o.api.availability_grid(
        outlet_id=UNKNOWN, service_id=o.service, start_date=o.day
    ),
    "grid-unknown-service": lambda o: o.api.availability_grid(
        outlet_id=o.outlet, service_id=UNKNOWN, start_date=o.day
    ),
    "grid-unknown-staff": lambda o: o.api.availability_grid(
        outlet_id=o.outlet, service_id=o.service, start_date=o.day, staff_id=UNKNOWN
    ),
}

FILTERS: dict[str, Callable[[Own], httpx.Response]] = {
    "appointments-by-unknown-staff": lambda o: o.api.list_appointments(date=o.day, staff_id=UNKNOWN),
    "appointments-by-unknown-service": lambda o: o.api.list_appointments(date=o.day, service_id=UNKNOWN),
    "availability-of-unknown-staff": lambda o: o.api.list_availability(staff_id=UNKNOWN),
}


@dataclass
class Unknowns:
    own: Own
    answers: dict[str, httpx.Response]
    bookings: set[Any]
    appointment: httpx.Response


class TestUnknownIdsAnswer404:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, factory: Factory, day: date) -> Unknowns:
        """Step 1.1-1.5 once; then one unknown id per request; then the bookings read back."""
        with allure.step("Steps 1.1-1.5: a service, staff, window, customer and a 10:00 booking"):
            service = factory.service("X-44 unknown ids", parallel=True, capacity=5)
            staff = factory.staff("X-44 unknown ids")
            factory.availability(staff, day=day, start="09:00", end="17:00")
            customer = factory.customer()
            booked = factory.book(customer=customer, service=service, staff=staff, day=day, start="10:00")
            expect_status(booked, 201, why="the tenant's own booking (setup)")
        own = Own(
            factory.api,
            factory.outlet_id,
            service["id"],
            staff["id"],
            customer["id"],
            booked.json()["id"],
            day,
            factory.run_tag,
        )
        with allure.step("One unknown id in each body, grid query and list filter"):
            calls = {**BODIES, **GRIDS, **FILTERS}
            answers = {name: call(own) for name, call in calls.items()}
        for name, kind in UNDO.items():  # what a non-conforming target created, undone at teardown
            if answers[name].status_code == 201:
                factory.created.append((kind, str(answers[name].json().get("id"))))
        with allure.step("The staff member's bookings and the booking read back"):
            pages = all_pages(
                lambda page: own.api.list_appointments(
                    date=day, staff_id=own.staff, page=page, size=PAGE_SIZE
                ),
                max_pages=20,
                why="the staff member's bookings",
            )
            bookings = {item.get("id") for page in pages for item in page_items(page)}
            appointment = own.api.get_appointment(own.appointment)
        return Unknowns(own, answers, bookings, appointment)

    @pytest.mark.parametrize("request_name", list(BODIES))
    @checklist("X-44", X44)
    def test_unknown_id_in_a_body_answers_404(self, run: Unknowns, request_name: str) -> None:
        expect_status(run.answers[request_name], 404, why=f"{request_name}: an id never issued")
        expect_error_detail(run.answers[request_name])

    @pytest.mark.parametrize("readback", ["staff-bookings", "rescheduled-appointment"])
    @checklist("X-44", X44)
    def test_refused_bodies_created_or_moved_nothing(self, run: Unknowns, readback: str) -> None:
        if readback == "staff-bookings":
            expect_equal(run.bookings, {run.own.appointment}, what="the staff member's bookings on the day")
            return
        expect_status(run.appointment, 200)
        start = field(run.appointment, "services", 0, "start_time")
        expect_equal(start, "10:00:00", what="start after the refused reschedule", response=run.appointment)

    @pytest.mark.parametrize("query", list(GRIDS))
    @checklist("X-45", X45)
    def test_unknown_id_in_the_grid_query_answers_404(self, run: Unknowns, query: str) -> None:
        expect_status(run.answers[query], 404, why=f"{query}: an id never issued")
        expect_error_detail(run.answers[query])

    @pytest.mark.parametrize("query", list(FILTERS))
    @checklist("X-46", X46)
    def test_unknown_id_in_a_list_filter_gives_an_empty_list_or_404(self, run: Unknowns, query: str) -> None:
        response = run.answers[query]
        if response.status_code != 404:
            expect_status(response, 200, why="an empty list or 404")
            expect_equal(page_items(response), [], what=f"{query} entries", response=response)

"""C2.4 where an id travels in a body, a query or a list: tenant A's token, tenant B's ids.

Both tenants get one of everything (service, staff, window, customer, appointment). Tenant A's
token then sends requests that are well-formed and valid except for ONE id of tenant B (so a
target that checks only some references cannot pass by refusing for another reason), lists
with B's ids as filters, and its own lists paged to the end. Afterwards both tenants read back:
nothing was created or changed (C2.4: "never reads, lists, changes or books anything of B").
The path side (B's token on A's ids in paths) is X-2 in test_contract_tenant_isolation.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from fixtures.target import TargetConfig

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X40 = "Another tenant's id alone in a request body answers 404 and creates nothing"
X41 = "Another tenant's ids in a list filter or grid query never show their records"
X42 = "Another tenant's records never appear in this tenant's lists"
X43 = "Refused cross-tenant requests leave the other tenant's records and bookings unchanged"
INTRUDER_START = "14:00"  # clear of both tenants' 10:00 bookings: a leak books here, no 409


@dataclass(frozen=True)
class Tenant:
    """One tenant's client and the records it made for this class."""

    api: BookingApi
    outlet: str
    service: dict[str, Any]
    staff: dict[str, Any]
    window: dict[str, Any]
    customer: dict[str, Any]
    appointment: dict[str, Any]


def _equip(factory: Factory, day: date, label: str) -> Tenant:
    """Service, staff, window 09:00-17:00 on `day`, customer and a 10:00 booking."""
    service = factory.service(label, parallel=True, capacity=5)
    staff = factory.staff(label)
    window = factory.availability(staff, day=day, start="09:00", end="17:00")
    customer = factory.customer()
    booked = factory.book(customer=customer, service=service, staff=staff, day=day, start="10:00")
    expect_status(booked, 201, why=f"{label}: the tenant's own booking (setup)")
    return Tenant(factory.api, factory.outlet_id, service, staff, window, customer, booked.json())


def _book(a: Tenant, day: date, **override: str) -> httpx.Response:
    ids = {
        "customer_id": a.customer["id"],
        "outlet_id": a.outlet,
        "service_id": a.service["id"],
        "staff_id": a.staff["id"],
    } | override
    return a.api.book(appointment_date=day, start_time=INTRUDER_START, **ids)


# id -> A's otherwise valid request carrying exactly one of B's ids (C2.4, C3.10 -> 404).
BODIES: dict[str, Callable[[Tenant, Tenant, date, str], httpx.Response]] = {
    "book-their-customer": lambda a, b, day, tag: _book(a, day, customer_id=b.customer["id"]),
    "book-in-their-outlet": lambda a, b, day, tag: _book(a, day, outlet_id=b.outlet),
    "book-their-service": lambda a, b, day, tag: _book(a, day, service_id=b.service["id"]),
    "book-their-staff": lambda a, b, day, tag: _book(a, day, staff_id=b.staff["id"]),
    "reschedule-to-their-staff": lambda a, b, day, tag: a.api.reschedule(
        a.appointment["id"], new_date=day, new_time=INTRUDER_START, new_staff_id=b.staff["id"]
    ),
    "window-for-their-staff": lambda a, b, day, tag: a.api.set_availability(
        staff_id=b.staff["id"],
        day_of_week=weekday_name(next_day(day)),
        start_time="06:00",
        end_time="07:00",
        outlet_id=a.outlet,
    ),
    "service-in-their-outlet": lambda a, b, day, tag: a.api.create_service(
        ep.service_body(name=f"X-40 intruder {tag}", outlet_id=b.outlet)
    ),
    "staff-in-their-outlet": lambda a, b, day, tag: a.api.create_staff(
        ep.staff_body(
            first_name="Intruder",
            last_name=f"X40 {tag}",
            email=f"x40-intruder+{tag}@example.test",
            phone="+6281200000040",
            outlet_id=b.outlet,
        )
    ),
}
UNDO = {
    "book-their-customer": "appointment",
    "book-in-their-outlet": "appointment",
    "book-their-service": "appointment",
    "book-their-staff": "appointment",
    "window-for-their-staff": "availability",
    "service-in-their-outlet": "service",
    "staff-in-their-outlet": "staff",
}

# id -> (A's query naming B's ids, B's record id it must never show; None: the grid, 404 only).
QUERIES: dict[
    str, tuple[Callable[[Tenant, Tenant, date], httpx.Response], Callable[[Tenant], str] | None]
] = {
    "appointments-by-their-staff": (
        lambda a, b, day: a.api.list_appointments(date=day, staff_id=b.staff["id"]),
        lambda b: b.appointment["id"],
    ),
    "appointments-by-their-service": (
        lambda a, b, day: a.api.list_appointments(date=day, service_id=b.service["id"]),
        lambda b: b.appointment["id"],
    ),
    "availability-of-their-staff": (
        lambda a, b, day: a.api.list_availability(staff_id=b.staff["id"]),
        lambda b: b.window["id"],
    ),
    "grid-their-outlet": (
        lambda a, b, day: a.api.availability_grid(
            outlet_id=b.outlet, service_id=a.service["id"], start_date=day
        ),
        None,
    ),
    "grid-their-service": (
        lambda a, b, day: a.api.availability_grid(
            outlet_id=a.outlet, service_id=b.service["id"], start_date=day
        ),
        None,
    ),
    "grid-their-staff": (
        lambda a, b, day: a.api.availability_grid(
            outlet_id=a.outlet, service_id=a.service["id"], start_date=day, staff_id=b.staff["id"]
        ),
        None,
    ),
}

# id -> A's list, every page (the tenant may hold many pages of its own).
LISTS: dict[str, Callable[[BookingApi, date], Callable[[int], httpx.Response]]] = {
    "services": lambda api, day: lambda page: api.list_services(page=page, size=PAGE_SIZE),
    "staff": lambda api, day: lambda page: api.list_staff(page=page, size=PAGE_SIZE),
    "customers": lambda api, day: lambda page: api.list_customers(page=page, size=PAGE_SIZE),
    "appointments": lambda api, day: lambda page: api.list_appointments(date=day, page=page, size=PAGE_SIZE),
}


def _ids(api: BookingApi, fetch: Callable[[int], httpx.Response], why: str) -> set[Any]:
    pages = all_pages(fetch, max_pages=200, why=why)
    return {item.get("id") for page in pages for item in page_items(page)}


@dataclass
class Crossing:
    a: Tenant
    b: Tenant
    bodies: dict[str, httpx.Response]
    queries: dict[str, httpx.Response]
    listed: dict[str, set[Any]]
    after: dict[str, Any]


class TestAnotherTenantsIdsInBodiesQueriesAndLists:
    @pytest.fixture(scope="class")
    @classmethod
    def run(
        cls, factory: Factory, other_tenant_api: BookingApi, run_tag: str, target: TargetConfig, day: date
    ) -> Iterator[Crossing]:
        """Both tenants set up; A's token uses B's ids; both read back."""
        with allure.step("Setup 3: tenant B creates a service, staff, window, customer, appointment"):
            b_me = other_tenant_api.tenants_me()
            expect_status(b_me, 200, why="tenant B's /tenants/me (setup)")
            b_factory = Factory(
                other_tenant_api,
                outlet=field(b_me, "outlets", 0),
                run_tag=run_tag,
                keep_data=target.keep_data,
            )
            b = _equip(b_factory, day, "X-40 tenant B")
        with allure.step("Setup 3: tenant A creates the same"):
            a = _equip(factory, day, "X-40 tenant A")
        with allure.step("Tenant A's token sends one of tenant B's ids in each body"):
            bodies = {name: send(a, b, day, run_tag) for name, send in BODIES.items()}
        for name, kind in UNDO.items():  # a leak is undone by the class's factory
            if bodies[name].status_code == 201:
                factory.created.append((kind, str(bodies[name].json().get("id"))))
        with allure.step("Tenant A's token filters lists and the grid by tenant B's ids"):
            queries = {name: call(a, b, day) for name, (call, _) in QUERIES.items()}
        with allure.step("Tenant A lists everything, to the last page"):
            listed = {
                name: _ids(a.api, make(a.api, day), f"tenant A's {name}") for name, make in LISTS.items()
            }
        with allure.step("Both tenants read their records back"):
            after = {
                # Filtered by this class's own staff: other tests book on the same day in parallel.
                "own-bookings": _ids(
                    a.api, _by_staff(a.api, day, a.staff), "tenant A's bookings of its staff"
                ),
                "own-with-their-staff": a.api.list_appointments(date=day, staff_id=b.staff["id"]),
                "their-bookings": _ids(
                    b.api, _by_staff(b.api, day, b.staff), "tenant B's bookings of its staff"
                ),
                "their-windows": b.api.list_availability(staff_id=b.staff["id"]),
                "own-appointment": a.api.get_appointment(a.appointment["id"]),
                "their-services": _ids(b.api, LISTS["services"](b.api, day), "tenant B's services"),
                "their-staff": _ids(b.api, LISTS["staff"](b.api, day), "tenant B's staff"),
            }
        yield Crossing(a, b, bodies, queries, listed, after)
        b_factory.cleanup()

    @pytest.mark.parametrize("request_name", list(BODIES))
    @checklist("X-40", X40)
    def test_one_foreign_id_in_a_body_answers_404(self, run: Crossing, request_name: str) -> None:
        expect_status(run.bodies[request_name], 404, why=f"{request_name}: one of tenant B's ids")
        expect_error_detail(run.bodies[request_name])

    @pytest.mark.parametrize("query", list(QUERIES))
    @checklist("X-41", X41)
    def test_foreign_ids_in_a_query_show_none_of_their_records(self, run: Crossing, query: str) -> None:
        response, theirs = run.queries[query], QUERIES[query][1]
        if theirs is None:  # C3.10: the grid's query is judged like a body
            expect_status(response, 404, why=f"{query}: one of tenant B's ids")
            return
        if response.status_code != 404:
            expect_status(response, 200, why="404, or 200 without the other tenant's records")
            leaked = [i for i in page_items(response) if i.get("id") == theirs(run.b)]
            expect_equal(leaked, [], what=f"tenant B's records in tenant A's {query}", response=response)

    @pytest.mark.parametrize("listing", list(LISTS))
    @checklist("X-42", X42)
    def test_other_tenants_records_are_not_in_own_lists(self, run: Crossing, listing: str) -> None:
        kind = {
            "services": "service",
            "staff": "staff",
            "customers": "customer",
            "appointments": "appointment",
        }
        theirs = getattr(run.b, kind[listing])["id"]
        expect_equal(
            theirs in run.listed[listing], False, what=f"tenant B's {kind[listing]} in tenant A's list"
        )
        mine = getattr(run.a, kind[listing])["id"]
        expect_equal(
            mine in run.listed[listing], True, what=f"tenant A's own {kind[listing]} listed (control)"
        )

    @pytest.mark.parametrize(
        "readback", ["own-bookings", "their-bookings", "their-windows", "own-appointment", "their-catalogue"]
    )
    @checklist("X-43", X43)
    def test_nothing_was_created_or_changed(self, run: Crossing, readback: str) -> None:
        a, b, after = run.a, run.b, run.after
        if readback == "own-bookings":
            expect_equal(
                after["own-bookings"], {a.appointment["id"]}, what="tenant A's bookings of its staff"
            )
            response = after["own-with-their-staff"]
            if response.status_code != 404:  # a booking of B's staff made in A would show here
                expect_status(response, 200, why="404, or 200 without bookings of B's staff")
                made = {i.get("id") for i in page_items(response)}
                expect_equal(made, set(), what="tenant A's bookings of tenant B's staff", response=response)
        elif readback == "their-bookings":
            expect_equal(
                after["their-bookings"], {b.appointment["id"]}, what="tenant B's bookings of its staff"
            )
        elif readback == "their-windows":
            response = after["their-windows"]
            expect_status(response, 200)
            ids = {w.get("id") for w in page_items(response)}
            expect_equal(ids, {b.window["id"]}, what="tenant B's windows of its staff", response=response)
        elif readback == "own-appointment":
            response = after["own-appointment"]
            expect_status(response, 200)
            moved = (field(response, "services", 0, "staff_id"), field(response, "services", 0, "start_time"))
            expect_equal(moved, (a.staff["id"], "10:00:00"), what="staff and start after the refused move")
        else:
            made = {
                run.bodies[n].json().get("id")
                for n in ("service-in-their-outlet", "staff-in-their-outlet")
                if run.bodies[n].status_code == 201
            }
            expect_equal((after["their-services"] | after["their-staff"]) & made, set(), what="made in B")


def _by_staff(api: BookingApi, day: date, staff: dict[str, Any]) -> Callable[[int], httpx.Response]:
    return lambda page: api.list_appointments(date=day, staff_id=staff["id"], page=page, size=PAGE_SIZE)

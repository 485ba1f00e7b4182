"""Contract rules beyond the guide: tenant isolation (CONTRACT.md §2).

"A token of tenant A never reads, changes or books anything of tenant B: ids of B answer
404." Tenant A creates one of everything; tenant B then reads, changes, books and deletes
with those ids; tenant A finally reads them back unchanged (PRACTICES.md, "What none of
them has" #9: isolation as a black-box conformance item).
"""

from __future__ import annotations

import secrets
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
from fixtures.readback import page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X2 = "Another tenant's ids answer 404"


@dataclass(frozen=True)
class Intruder:
    """Tenant B's client, tenant A's resources and B's own outlet."""

    b: BookingApi
    a: dict[str, Any]
    b_outlet: str
    day: date

    def book(self, outlet_id: str) -> httpx.Response:
        a = self.a
        return self.b.book(
            customer_id=a["customer"]["id"],
            outlet_id=outlet_id,
            appointment_date=self.day,
            service_id=a["service"]["id"],
            staff_id=a["staff"]["id"],
            start_time="14:00",
        )


def _id(x: Intruder, kind: str) -> str:
    return x.a[kind]["id"]


# id -> what tenant B tries against tenant A's ids; CONTRACT.md §2: every one answers 404.
# Deletes come last so that a non-conforming target still shows every other answer.
INTRUSIONS: dict[str, Callable[[Intruder], httpx.Response]] = {
    "get-service": lambda x: x.b.get_service(_id(x, "service")),
    "get-staff": lambda x: x.b.get_staff(_id(x, "staff")),
    "get-customer": lambda x: x.b.get_customer(_id(x, "customer")),
    "get-appointment": lambda x: x.b.get_appointment(_id(x, "appointment")),
    "update-service": lambda x: x.b.update_service(_id(x, "service"), {"max_parallel_bookings": 99}),
    "update-staff": lambda x: x.b.update_staff(_id(x, "staff"), {"position": "Intruder"}),
    "update-customer": lambda x: x.b.update_customer(_id(x, "customer"), {"first_name": "Intruder"}),
    "reschedule-appointment": lambda x: x.b.reschedule(
        _id(x, "appointment"), new_date=x.day, new_time="15:00"
    ),
    "cancel-appointment": lambda x: x.b.cancel(_id(x, "appointment"), reason="intrusion"),
    "set-appointment-status": lambda x: x.b.set_status(_id(x, "appointment"), "no_show"),
    "book-their-ids-in-own-outlet": lambda x: x.book(x.b_outlet),
    "book-their-ids-in-their-outlet": lambda x: x.book(x.a["outlet_id"]),
    "grid-of-their-service": lambda x: x.b.availability_grid(
        outlet_id=x.b_outlet, service_id=_id(x, "service"), start_date=x.day
    ),
    "grid-in-their-outlet": lambda x: x.b.availability_grid(
        outlet_id=x.a["outlet_id"], service_id=_id(x, "service"), start_date=x.day
    ),
    # The next weekday, clear of A's window: a leaking target answers 201 here, not 409.
    "window-for-their-staff": lambda x: x.b.set_availability(
        staff_id=_id(x, "staff"),
        day_of_week=weekday_name(next_day(x.day)),
        start_time="09:00",
        end_time="10:00",
        outlet_id=x.b_outlet,
    ),
    "service-in-their-outlet": lambda x: x.b.create_service(
        ep.service_body(name=f"X-2 intruder {secrets.token_hex(4)}", outlet_id=x.a["outlet_id"])
    ),
    "delete-availability-window": lambda x: x.b.delete_availability(_id(x, "window")),
    "delete-service": lambda x: x.b.delete_service(_id(x, "service")),
    "delete-staff": lambda x: x.b.delete_staff(_id(x, "staff")),
    "delete-customer": lambda x: x.b.delete_customer(_id(x, "customer")),
}

# Were an intrusion that creates something let through, tenant B removes it again at teardown.
UNDO: dict[str, Callable[[BookingApi, str], httpx.Response]] = {
    "window-for-their-staff": lambda b, id_: b.delete_availability(id_),
    "service-in-their-outlet": lambda b, id_: b.delete_service(id_),
}

# Lists filtered by A's ids: the contract does not say 404 or an empty 200 for a foreign id in
# a query string, only that B never reads A's data, so both are accepted when A's ids are absent.
LOOKUPS: dict[str, tuple[Callable[[Intruder], httpx.Response], str]] = {
    "appointments-of-their-service": (
        lambda x: x.b.list_appointments(date=x.day, service_id=_id(x, "service")),
        "appointment",
    ),
    "availability-of-their-staff": (lambda x: x.b.list_availability(staff_id=_id(x, "staff")), "window"),
}


@dataclass
class Isolation:
    a: dict[str, Any]
    intrusions: dict[str, httpx.Response]
    lookups: dict[str, httpx.Response]
    after: dict[str, httpx.Response]


class TestAnotherTenantsIdsAnswer404:
    @pytest.fixture(scope="class")
    @classmethod
    def run(
        cls, api: BookingApi, other_tenant_api: BookingApi, factory: Factory, outlet: dict, day: date
    ) -> Iterator[Isolation]:
        """Tenant A creates one of everything; tenant B reads, changes and books with those ids."""
        with allure.step("Setup 3: tenant A creates a service, staff, window, customer, appointment"):
            a: dict[str, Any] = {"outlet_id": outlet["id"]}
            a["service"] = factory.service("X-2 isolation", parallel=True, capacity=5)
            a["staff"] = factory.staff("X-2 isolation")
            a["window"] = factory.availability(a["staff"], day=day, start="09:00", end="17:00")
            a["customer"] = factory.customer()
            booked = factory.book(
                customer=a["customer"], service=a["service"], staff=a["staff"], day=day, start="10:00"
            )
            expect_status(booked, 201, why="tenant A's own booking (setup)")
            a["appointment"] = booked.json()
        with allure.step("Setup 3: tenant B uses tenant A's ids"):
            me = other_tenant_api.tenants_me()
            expect_status(me, 200, why="tenant B's /tenants/me (setup)")
            x = Intruder(other_tenant_api, a, field(me, "outlets", 0, "id"), day)
            lookups = {name: call(x) for name, (call, _) in LOOKUPS.items()}
            intrusions = {name: attempt(x) for name, attempt in INTRUSIONS.items()}
        with allure.step("Tenant A reads its resources again"):
            after = {
                "appointment": api.get_appointment(a["appointment"]["id"]),
                "service": api.get_service(a["service"]["id"]),
                "staff": api.get_staff(a["staff"]["id"]),
                "customer": api.get_customer(a["customer"]["id"]),
                "windows": api.list_availability(staff_id=a["staff"]["id"]),
            }
        yield Isolation(a, intrusions, lookups, after)
        for name, undo in UNDO.items():
            if intrusions[name].status_code == 201:
                undo(other_tenant_api.unchecked(), intrusions[name].json()["id"])

    @pytest.mark.parametrize("intrusion", list(INTRUSIONS))
    @checklist("X-2", X2)
    def test_other_tenant_request_answers_404(self, run: Isolation, intrusion: str) -> None:
        expect_status(run.intrusions[intrusion], 404)
        expect_error_detail(run.intrusions[intrusion])

    @pytest.mark.parametrize("lookup", list(LOOKUPS))
    @checklist("X-2", X2)
    def test_other_tenant_list_shows_none_of_their_ids(self, run: Isolation, lookup: str) -> None:
        response, kind = run.lookups[lookup], LOOKUPS[lookup][1]
        if response.status_code != 404:
            expect_status(response, 200, why="404, or 200 without the other tenant's ids")
            leaked = [i for i in page_items(response) if i.get("id") == run.a[kind]["id"]]
            expect_equal(leaked, [], what=f"tenant A's {kind} in tenant B's list", response=response)

    @checklist("X-2", X2)
    def test_appointment_is_unchanged_for_its_owner(self, run: Isolation) -> None:
        response = run.after["appointment"]
        expect_status(response, 200)
        expect_equal(field(response, "status"), "confirmed", what="status", response=response)
        expect_equal(
            field(response, "appointment_date"), run.a["appointment"]["appointment_date"], what="date"
        )
        start = field(response, "services", 0, "start_time")
        expect_equal(start, "10:00:00", what="start_time", response=response)

    @checklist("X-2", X2)
    def test_service_is_unchanged_for_its_owner(self, run: Isolation) -> None:
        response = run.after["service"]
        expect_status(response, 200)
        expect_equal(field(response, "is_active"), True, what="is_active", response=response)
        expect_equal(
            field(response, "max_parallel_bookings"), 5, what="max_parallel_bookings", response=response
        )

    @pytest.mark.parametrize("kind", ["staff", "customer"])
    @checklist("X-2", X2)
    def test_person_is_unchanged_for_its_owner(self, run: Isolation, kind: str) -> None:
        response = run.after[kind]
        expect_status(response, 200)
        key = "position" if kind == "staff" else "first_name"
        expect_equal(field(response, key), run.a[kind][key], what=key, response=response)

    @checklist("X-2", X2)
    def test_availability_window_is_still_listed_for_its_owner(self, run: Isolation) -> None:
        response = run.after["windows"]
        expect_status(response, 200)
        ids = [w.get("id") for w in page_items(response)]
        expect_equal(
            run.a["window"]["id"] in ids, True, what="tenant A's window still listed", response=response
        )

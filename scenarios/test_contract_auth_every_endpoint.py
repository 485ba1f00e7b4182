"""C1.2 on every endpoint and method of §2-§6: no valid token, no access (401 {"detail"}).

One well-formed request per endpoint and method (bodies from fixtures/endpoints.py, real ids of
resources this class creates), so that a 401 is about the token and never about the request.
Each is sent with every forgery of fixtures/tokens.py, built from the admin's real token: JWT
forgeries when the token is a JWT, copies that differ by a character when it is opaque (C1.4).
The control sends each request once with the real token: never 401.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures import tokens
from fixtures.api import BookingApi
from fixtures.dates import next_day, weekday_name
from fixtures.expect import ConformanceFailure, expect_error_detail, expect_not_server_error, expect_status
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X20 = "Every endpoint and method answers 401 with a detail to a request without a bearer token"
X21 = "Every endpoint and method answers 401 with a detail to a garbage or tampered token"
X22 = "Every endpoint and method answers 401 with a detail to an unsigned (alg none) token"
X23 = "Every endpoint and method answers 401 with a detail to an expired token"
X24 = "The real token passes the same requests on every endpoint (never 401)"


@dataclass(frozen=True)
class Targets:
    """The real ids the requests name, and the real token the forgeries start from."""

    token: str
    tag: str
    day: date
    outlet: str
    service: str
    staff: str
    window: str
    customer: str
    appointment: str


def _service(t: Targets) -> dict[str, Any]:
    return ep.service_body(name=f"X-24 control {t.tag}", outlet_id=t.outlet)


def _staff(t: Targets) -> dict[str, Any]:
    return ep.staff_body(
        first_name="Control",
        last_name=f"X24 {t.tag}",
        email=f"x24-staff+{t.tag}@example.test",
        phone="+6281200000024",
        outlet_id=t.outlet,
    )


def _customer(t: Targets) -> dict[str, Any]:
    return ep.customer_body(
        first_name="Control",
        last_name=f"X24 {t.tag}",
        email=f"x24+{t.tag}@example.test",
        phone="+6281200000024",
    )


# id ("METHOD-path") -> the request; {id} in a path is a real id of this class's resources.
ENDPOINTS: dict[str, Callable[[Targets], ep.ApiRequest]] = {
    "GET-tenants-me": lambda t: ep.tenants_me(),
    "POST-services": lambda t: ep.create("service", _service(t)),
    "GET-services": lambda t: ep.list_of("service"),
    "GET-services-id": lambda t: ep.read("service", t.service),
    "PUT-services-id": lambda t: ep.update("service", t.service, {"description": "X-24 control"}),
    "DELETE-services-id": lambda t: ep.delete("service", t.service),
    "POST-staff": lambda t: ep.create("staff", _staff(t)),
    "GET-staff": lambda t: ep.list_of("staff"),
    "GET-staff-id": lambda t: ep.read("staff", t.staff),
    "PUT-staff-id": lambda t: ep.update("staff", t.staff, {"position": "X-24 control"}),
    "DELETE-staff-id": lambda t: ep.delete("staff", t.staff),
    "POST-customers": lambda t: ep.create("customer", _customer(t)),
    "GET-customers": lambda t: ep.list_of("customer"),
    "GET-customers-search": lambda t: ep.list_of("customer", search="Control"),
    "GET-customers-id": lambda t: ep.read("customer", t.customer),
    "PUT-customers-id": lambda t: ep.update("customer", t.customer, {"first_name": "Control"}),
    "DELETE-customers-id": lambda t: ep.delete("customer", t.customer),
    "POST-availability": lambda t: ep.create_availability(
        staff_id=t.staff,
        day_of_week=weekday_name(next_day(t.day)),
        start_time="06:00",
        end_time="07:00",
        outlet_id=t.outlet,
    ),
    "GET-availability": lambda t: ep.list_availability(staff_id=t.staff),
    "DELETE-availability-id": lambda t: ep.delete_availability(t.window),
    "GET-availability-grid": lambda t: ep.availability_grid(
        outlet_id=t.outlet, service_id=t.service, start_date=t.day, end_date=t.day, staff_id=t.staff
    ),
    "POST-appointments": lambda t: ep.book(
        customer_id=t.customer,
        outlet_id=t.outlet,
        appointment_date=t.day,
        items=[ep.BookingItem(t.service, t.staff, "11:00")],
    ),
    "GET-appointments-id": lambda t: ep.get_appointment(t.appointment),
    "GET-appointments": lambda t: ep.list_appointments(date=t.day, staff_id=t.staff),
    "PUT-appointments-id-reschedule": lambda t: ep.reschedule(
        t.appointment, new_date=t.day, new_time="10:00"
    ),
    "PUT-appointments-id-cancel": lambda t: ep.cancel(t.appointment, reason="X-24 control"),
    "PATCH-appointments-id-status": lambda t: ep.set_status(t.appointment, "confirmed"),
}

# What a 201 created, so the class's factory undoes it (the control, or a forgery let through).
CREATES = {
    "POST-services": "service",
    "POST-staff": "staff",
    "POST-customers": "customer",
    "POST-availability": "availability",
    "POST-appointments": "appointment",
}


def send(api: BookingApi, request: ep.ApiRequest, headers: dict[str, str]) -> httpx.Response:
    """`request` with exactly `headers` for credentials (the anonymous client adds none)."""
    return api.raw(
        request.method, request.path, params=dict(request.params), json=request.json, headers=headers
    )


def record(factory: Factory, endpoint: str, response: httpx.Response) -> None:
    """Hand anything created to the factory's teardown."""
    kind = CREATES.get(endpoint)
    if kind and response.status_code == 201:
        # a 201 without an id is judged by the test, not here
        with contextlib.suppress(ValueError, KeyError, TypeError):
            factory.created.append((kind, str(response.json()["id"])))


class TestEveryEndpointRefusesForgedTokens:
    @pytest.fixture(scope="class")
    @classmethod
    def targets(cls, api: BookingApi, factory: Factory, day: date) -> Targets:
        """One of each resource, so every path names a real id (Setup 1: the admin's token)."""
        with allure.step("Setup 1: the admin creates a service, staff, window, customer, appointment"):
            service = factory.service("X-24 target", parallel=True, capacity=5)
            staff = factory.staff("X-24 target")
            window = factory.availability(staff, day=day, start="09:00", end="17:00")
            customer = factory.customer()
            booked = factory.book(customer=customer, service=service, staff=staff, day=day, start="10:00")
            expect_status(booked, 201, why="the admin's own booking (setup)")
        assert api.token, "the admin client always carries a token"
        return Targets(
            token=api.token,
            tag=factory.run_tag,
            day=day,
            outlet=factory.outlet_id,
            service=service["id"],
            staff=staff["id"],
            window=window["id"],
            customer=customer["id"],
            appointment=booked.json()["id"],
        )

    def _refused(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, variant: str, endpoint: str
    ) -> None:
        __tracebackhide__ = True
        forgery = tokens.forge(variant, targets.token)
        with allure.step(f"{variant}: {forgery.what}"):
            response = send(anonymous_api, ENDPOINTS[endpoint](targets), forgery.headers())
        record(factory, endpoint, response)
        try:
            expect_status(response, 401, why=forgery.what)
        except ConformanceFailure as failure:
            failure.message = f"{endpoint} with {failure.message}"
            raise
        expect_error_detail(response)

    @pytest.mark.parametrize("endpoint", list(ENDPOINTS))
    @pytest.mark.parametrize("variant", tokens.MISSING)
    @checklist("X-20", X20)
    def test_request_without_bearer_token_gets_401(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, variant: str, endpoint: str
    ) -> None:
        self._refused(anonymous_api, factory, targets, variant, endpoint)

    @pytest.mark.parametrize("endpoint", list(ENDPOINTS))
    @pytest.mark.parametrize("variant", tokens.MALFORMED)
    @checklist("X-21", X21)
    def test_garbage_or_tampered_token_gets_401(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, variant: str, endpoint: str
    ) -> None:
        self._refused(anonymous_api, factory, targets, variant, endpoint)

    @pytest.mark.parametrize("endpoint", list(ENDPOINTS))
    @pytest.mark.parametrize("variant", tokens.UNSIGNED)
    @checklist("X-22", X22)
    def test_unsigned_token_gets_401(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, variant: str, endpoint: str
    ) -> None:
        self._refused(anonymous_api, factory, targets, variant, endpoint)

    @pytest.mark.parametrize("endpoint", list(ENDPOINTS))
    @pytest.mark.parametrize("variant", tokens.EXPIRED)
    @checklist("X-23", X23)
    def test_expired_token_gets_401(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, variant: str, endpoint: str
    ) -> None:
        self._refused(anonymous_api, factory, targets, variant, endpoint)

    # Runs after the forgeries (definition order; loadscope keeps the class on one worker): its
    # DELETEs and the cancel change the targets, which the forged requests must find intact.
    @pytest.mark.parametrize("endpoint", list(ENDPOINTS))
    @checklist("X-24", X24)
    def test_real_token_is_never_refused_with_401(
        self, anonymous_api: BookingApi, factory: Factory, targets: Targets, endpoint: str
    ) -> None:
        response = send(
            anonymous_api, ENDPOINTS[endpoint](targets), {"Authorization": f"Bearer {targets.token}"}
        )
        record(factory, endpoint, response)
        if response.status_code == 401:
            raise ConformanceFailure(f"{endpoint} refused the real token with 401", response=response)
        expect_not_server_error(response, why=f"{endpoint} with the real token")

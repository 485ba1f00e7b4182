"""Contract rules, rule by rule: the wire conventions of docs/contract.md §1 (C1.1, C1.5-C1.8).

One act fixture creates one of each resource through the bare client (so a wrong status is
seen, not turned into a setup failure), reads and updates them, and provokes one error of
each kind (400, 404, 409, 422). The checks then judge those exchanges against the rules.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.dates import next_day, weekday_name
from fixtures.expect import (
    ConformanceFailure,
    expect_equal,
    expect_error_detail,
    expect_status,
    expect_validation_errors,
    field,
)
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X75 = "Responses are JSON with Content-Type application/json, error bodies included"
X76 = "Request times HH:MM are read as given; availability entries and appointment services answer HH:MM:SS"
X77 = "created_at and updated_at are ISO 8601 timestamps with an offset or Z"
X78 = (
    "Business errors carry detail as one sentence (a string); "
    "malformed input is 422 with a detail list of loc, msg, type"
)
X79 = "Every create answers 201 (service, staff, customer, window, appointment); reads and updates 200"


@dataclass
class Exchanges:
    created: dict[str, httpx.Response]  # kind -> the POST's response
    read: dict[str, httpx.Response]  # "GET service" ... -> response
    updated: dict[str, httpx.Response]
    errors: dict[int, httpx.Response]  # the status the contract names -> response
    seconds_window: httpx.Response  # a window sent as "18:00:00"-"19:30:00"


def _keep(factory: Factory, kind: str, response: httpx.Response) -> None:
    """Record what the bare client created, so the factory's teardown removes it."""
    if response.is_success:
        # a create without an id is judged by the checks, not here
        with contextlib.suppress(ValueError, KeyError, TypeError):
            factory.created.append((kind, str(response.json()["id"])))


class TestWireConventions:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict, day: date) -> Exchanges:
        """One of each resource, its reads and updates, and one error of each kind; recorded, not judged."""
        outlet_id, tag = outlet["id"], f"{secrets.token_hex(3)} {factory.run_tag}"
        created: dict[str, httpx.Response] = {}
        with allure.step("Create a service, a staff member, a customer, a 09:00-17:00 window"):
            body = ep.service_body(name=f"C1 conventions {tag}", outlet_id=outlet_id)
            created["service"] = api.create_service(body)
            staff = ep.staff_body(
                first_name="Conventa",
                last_name=f"Wire{secrets.token_hex(3)}",
                email=factory.email("conventa"),
                phone=factory.phone(),
                outlet_id=outlet_id,
            )
            created["staff"] = api.create_staff(staff)
            customer = ep.customer_body(
                first_name="Clio", last_name="Wire", email=factory.email("clio"), phone=factory.phone()
            )
            created["customer"] = api.create_customer(customer)
            for kind in ("service", "staff", "customer"):
                _keep(factory, kind, created[kind])
            ids = {kind: field(created[kind], "id") for kind in ("service", "staff", "customer")}
            window = dict(staff_id=ids["staff"], start_time="09:00", end_time="17:00", outlet_id=outlet_id)
            created["window"] = api.set_availability(day_of_week=weekday_name(day), **window)
            _keep(factory, "availability", created["window"])
        with allure.step("Book 10:00 (60 minutes)"):
            created["appointment"] = api.book(
                customer_id=ids["customer"],
                outlet_id=outlet_id,
                appointment_date=day,
                service_id=ids["service"],
                staff_id=ids["staff"],
                start_time="10:00",
            )
            factory.track(created["appointment"])
        with allure.step("Read and update each"):
            read = {
                "GET service": api.get_service(ids["service"]),
                "GET staff": api.get_staff(ids["staff"]),
                "GET customer": api.get_customer(ids["customer"]),
                "GET appointment": api.get_appointment(field(created["appointment"], "id")),
                "GET services (list)": api.list_services(size=1),
                "GET availability (list)": api.list_availability(staff_id=ids["staff"]),
            }
            updated = {
                "PUT service": api.update_service(ids["service"], {"description": f"updated {tag}"}),
                "PUT staff": api.update_staff(ids["staff"], {"position": "Senior"}),
                "PUT customer": api.update_customer(ids["customer"], {"phone": factory.phone()}),
            }
        with allure.step("Provoke 400, 404, 409 and 422"):
            # Four weeks before `day`: 8-14 days ago on the window's weekday, so the only rule
            # broken is C5.8's "in the past" (400), never C5.1's window (409).
            past = next_day(day, -28)
            errors = {
                400: api.book(
                    customer_id=ids["customer"],
                    outlet_id=outlet_id,
                    appointment_date=past,
                    service_id=ids["service"],
                    staff_id=ids["staff"],
                    start_time="10:00",
                ),
                404: api.get_service("ffffffffffffffffffffffff"),
                409: api.set_availability(day_of_week=weekday_name(day), **window),
                422: api.create_service(
                    ep.service_body(name=f"C1 refused {tag}", outlet_id=outlet_id, duration_minutes=0)
                ),
            }
            factory.track(errors[400])
            _keep(factory, "availability", errors[409])
            _keep(factory, "service", errors[422])
        with allure.step("A window sent with seconds, 18:00:00-19:30:00"):
            seconds = dict(window, start_time="18:00:00", end_time="19:30:00")
            seconds_window = api.set_availability(day_of_week=weekday_name(day), **seconds)
            _keep(factory, "availability", seconds_window)
        return Exchanges(created, read, updated, errors, seconds_window)

    @checklist("X-75", X75)
    def test_every_body_is_served_as_application_json(self, run: Exchanges) -> None:
        responses = [*run.created.values(), *run.read.values(), *run.updated.values(), *run.errors.values()]
        for response in responses:
            kind = response.headers.get("content-type", "")
            if kind.split(";")[0].strip().lower() != "application/json":
                raise ConformanceFailure(
                    f"C1.1 expects Content-Type application/json on a {response.status_code} body, "
                    f"got {kind!r}",
                    response=response,
                )
            field(response)  # and the body parses as JSON

    @checklist("X-76", X76)
    def test_window_times_answer_hh_mm_ss(self, run: Exchanges) -> None:
        expect_status(run.created["window"], 201)
        got = (field(run.created["window"], "start_time"), field(run.created["window"], "end_time"))
        expect_equal(
            got, ("09:00:00", "17:00:00"), what="window sent as 09:00-17:00", response=run.created["window"]
        )

    @checklist("X-76", X76)
    def test_appointment_service_times_answer_hh_mm_ss(self, run: Exchanges) -> None:
        for response in (run.created["appointment"], run.read["GET appointment"]):
            expect_status(response, (200, 201))
            item = field(response, "services", 0)
            got = (item.get("start_time"), item.get("end_time"))
            expect_equal(
                got,
                ("10:00:00", "11:00:00"),
                what="services[0] booked at 10:00 for 60 min",
                response=response,
            )

    @checklist("X-76", X76)
    def test_request_time_with_seconds_is_read_as_the_same_time(self, run: Exchanges) -> None:
        # C1.5: targets must read HH:MM; "HH:MM:SS" is the reference server's extra, so a 422
        # is allowed, but an accepted "18:00:00" must mean 18:00.
        response = run.seconds_window
        expect_status(response, (201, 422), why="a window sent as 18:00:00-19:30:00")
        if response.status_code == 201:
            got = (field(response, "start_time"), field(response, "end_time"))
            expect_equal(
                got, ("18:00:00", "19:30:00"), what="window sent as 18:00:00-19:30:00", response=response
            )

    @checklist("X-77", X77)
    def test_timestamps_carry_an_offset(self, run: Exchanges) -> None:
        # C3.3 and C4.1 name created_at/updated_at for services and appointments; elsewhere
        # they are judged where present.
        required = {"service", "appointment", "PUT service"}
        bodies = {**run.created, **run.read, **run.updated}
        for name, response in bodies.items():
            body = field(response)
            if not isinstance(body, dict) or "items" in body:
                continue
            for key in ("created_at", "updated_at"):
                if key not in body and name not in required:
                    continue
                _expect_aware_timestamp(response, key, body.get(key))

    @checklist("X-78", X78)
    def test_business_errors_carry_a_detail_sentence(self, run: Exchanges) -> None:
        for status in (400, 404, 409):
            expect_status(run.errors[status], status)
            expect_error_detail(run.errors[status])

    @checklist("X-78", X78)
    def test_malformed_input_answers_the_validation_list(self, run: Exchanges) -> None:
        expect_status(run.errors[422], 422, why="a service with duration_minutes 0")
        expect_validation_errors(run.errors[422])

    @pytest.mark.parametrize("kind", ["service", "staff", "customer", "window", "appointment"])
    @checklist("X-79", X79)
    def test_create_answers_201(self, run: Exchanges, kind: str) -> None:
        expect_status(run.created[kind], 201, why=f"C1.8: creating a {kind}")

    @checklist("X-79", X79)
    def test_reads_and_updates_answer_200(self, run: Exchanges) -> None:
        for name, response in {**run.read, **run.updated}.items():
            expect_status(response, 200, why=f"C1.8: {name}")


def _expect_aware_timestamp(response: httpx.Response, key: str, value: Any) -> None:
    __tracebackhide__ = True
    parsed = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in str(value):
        raise ConformanceFailure(
            f"C1.6 expects {key} as ISO 8601 with an offset or Z (e.g. 2026-01-05T10:00:00Z), got {value!r}",
            response=response,
        )

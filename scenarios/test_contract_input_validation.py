"""Contract rules beyond the guide: malformed input (CONTRACT.md §1, §3, §4, §6).

The guide only sends well-formed bodies. The contract says malformed input answers 422 with
FastAPI's `{"detail": [{"loc", "msg", "type"}]}` list, an unknown id answers 404, and no input
ever produces a 5xx. Each case changes one thing in an otherwise valid request, so the answer
is about that one thing. Bodies are built from `fixtures/endpoints.py` and then broken.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.dates import next_day, weekday_name
from fixtures.expect import (
    expect_error_detail,
    expect_not_server_error,
    expect_status,
    expect_validation_errors,
)
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X9 = "Malformed input is refused with 422, never a 5xx"

DROP = object()  # as a value in a change: remove the key
UNKNOWN = "ffffffffffffffffffffffff"  # a well-formed id that no target ever issued
MALFORMED = {422}
UNKNOWN_ID = {404}  # §1: "404 unknown or other-tenant id", wherever the id travels
# §1 names 422 for malformed input and 400 for broken business rules; a cross-field or empty
# value (end date before start date, no service at all) could be read either way, so both pass.
EITHER = {400, 422}
# The contract sets no maximum length: a 100k-character string may be stored or refused,
# as long as the answer is not a 5xx (413 is the HTTP way to refuse a body as too large).
HUGE_OK = {201, 400, 413, 422}
HUGE = "x" * 100_000


def _edit(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@dataclass(frozen=True)
class Bad:
    """One deliberately malformed request: a path from `endpoints.py` plus a broken part."""

    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def send(self, api: BookingApi) -> httpx.Response:
        if self.content is not None:
            headers = {"Content-Type": "application/json"}
            return api.raw(self.method, self.path, content=self.content, params=self.params, headers=headers)
        return api.raw(self.method, self.path, json=self.json, params=self.params)


@dataclass(frozen=True)
class Ctx:
    """Valid ids and bodies to break: one service, staff member, customer and appointment."""

    outlet_id: str
    service: dict[str, Any]
    staff: dict[str, Any]
    customer: dict[str, Any]
    appointment: dict[str, Any]
    day: date
    run_tag: str

    def booking(self, item: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        # 11:00, beside the context appointment's 10:00, so no duplicate rule can answer first.
        good = ep.BookingItem(self.service["id"], self.staff["id"], "11:00")
        request = ep.book(
            customer_id=self.customer["id"], outlet_id=self.outlet_id, appointment_date=self.day, items=[good]
        )
        body = _edit(dict(request.json), changes)
        if item and isinstance(body.get("services"), list):
            body["services"] = [_edit(good.body(), item)]
        return body

    def service_body(self, **changes: Any) -> dict[str, Any]:
        # A fresh name: were a broken body accepted, a duplicate slug (409) must not hide it.
        name = f"X-9 refused {secrets.token_hex(4)} {self.run_tag}"
        return _edit(ep.service_body(name=name, outlet_id=self.outlet_id), changes)

    def staff_body(self) -> dict[str, Any]:
        tag = secrets.token_hex(4)
        return ep.staff_body(
            first_name="Refused",
            last_name=f"Staff {tag}",
            email=f"x9-staff-{tag}+{self.run_tag}@example.test",
            phone="+6281200000009",
            outlet_id=self.outlet_id,
        )

    def customer_body(self) -> dict[str, Any]:
        tag = secrets.token_hex(4)
        email = f"x9-customer-{tag}+{self.run_tag}@example.test"
        return ep.customer_body(
            first_name="Refused", last_name=f"Customer {tag}", email=email, phone="+62812"
        )

    def window(self, **changes: Any) -> dict[str, Any]:
        # The day after the context's, where the staff member has no window to overlap (409).
        request = ep.create_availability(
            staff_id=self.staff["id"],
            day_of_week=weekday_name(next_day(self.day)),
            start_time="13:00",
            end_time="14:00",
            outlet_id=self.outlet_id,
        )
        return _edit(dict(request.json), changes)

    def grid(self, **changes: Any) -> Bad:
        request = ep.availability_grid(
            outlet_id=self.outlet_id,
            service_id=self.service["id"],
            start_date=self.day,
            staff_id=self.staff["id"],
        )
        return Bad("GET", request.path, params=_edit(dict(request.params), changes))


APPOINTMENTS = ep.book(customer_id="", outlet_id="", appointment_date=date.min, items=[]).path
SERVICES = ep.create("service", {}).path
STAFF = ep.create("staff", {}).path
CUSTOMERS = ep.create("customer", {}).path
UNICODE = "Ðorđe 山田 Pijat 🌿 \u202eRTL"  # accented, CJK, emoji, a bidi override
# Unicode text is valid JSON text: stored (201) or refused (422), never a 5xx.
TEXT_OK = {201, 422}
WINDOWS = ep.create_availability(staff_id="", day_of_week="", start_time="", end_time="", outlet_id="").path


def _booking(item: dict[str, Any] | None = None, **changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", APPOINTMENTS, json=c.booking(item, **changes))


def _service(**changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", SERVICES, json=c.service_body(**changes))


def _window(**changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", WINDOWS, json=c.window(**changes))


def _service_with_raw(key: str, raw: str) -> Callable[[Ctx], Bad]:
    """A service body whose `key` is raw JSON text that Python would not encode (1e400, NaN)."""

    def make(c: Ctx) -> Bad:
        text = json.dumps(c.service_body(**{key: "__RAW__"})).replace('"__RAW__"', raw)
        return Bad("POST", SERVICES, content=text.encode())

    return make


def _staff(**changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", STAFF, json=_edit(c.staff_body(), changes))


def _customer(**changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", CUSTOMERS, json=_edit(c.customer_body(), changes))


def _put(resource: str, changes: Any, content: bytes | None = None) -> Callable[[Ctx], Bad]:
    """PUT /<resource>/{id} of the context's own record with `changes` (or raw `content`)."""

    def make(c: Ctx) -> Bad:
        record = {"service": c.service, "staff": c.staff, "customer": c.customer}[resource]
        request = ep.update(resource, record["id"], {})
        return Bad("PUT", request.path, json=changes, content=content)

    return make


def _grid(**changes: Any) -> Callable[[Ctx], Bad]:
    return lambda c: c.grid(**changes)


def _appointments_where(**params: Any) -> Callable[[Ctx], Bad]:
    """GET /appointments with raw filter values (the builder would format a real date)."""
    return lambda c: Bad("GET", ep.list_appointments().path, params=params)


def _as_array(path: str, body: Callable[[Ctx], dict[str, Any]]) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", path, json=[body(c)])


def _not_json(path: str, content: bytes) -> Callable[[Ctx], Bad]:
    return lambda c: Bad("POST", path, content=content)


def _request(build: Callable[[Ctx], ep.ApiRequest], json: Any = DROP) -> Callable[[Ctx], Bad]:
    """A builder's request as is, or with its body replaced by `json`."""

    def make(c: Ctx) -> Bad:
        request = build(c)
        body = request.json if json is DROP else json
        return Bad(request.method, request.path, json=body, params=dict(request.params))

    return make


def _case(make: Callable[[Ctx], Bad], allowed: set[int], case_id: str) -> Any:
    return pytest.param(make, frozenset(allowed), id=case_id)


def _appt(c: Ctx) -> str:
    return c.appointment["id"]


CASES = [
    # POST /appointments (§4)
    _case(_booking(customer_id=DROP), MALFORMED, "booking-without-customer_id"),
    _case(_booking(services=DROP), MALFORMED, "booking-without-services"),
    _case(_booking(services="massage"), MALFORMED, "booking-services-a-string"),
    _case(_booking(services=[]), EITHER, "booking-services-empty"),
    _case(_booking(customer_id=12345), MALFORMED, "booking-customer_id-a-number"),
    _case(_booking(appointment_date="2026-13-40"), MALFORMED, "booking-on-2026-13-40"),
    _case(_booking(appointment_date="next monday"), MALFORMED, "booking-date-in-words"),
    _case(_booking({"start_time": "25:00"}), MALFORMED, "booking-at-25:00"),
    _case(_booking({"start_time": "10:5"}), MALFORMED, "booking-at-10:5"),
    _case(_booking({"start_time": ""}), MALFORMED, "booking-at-empty-time"),
    _case(_booking({"start_time": DROP}), MALFORMED, "booking-without-start_time"),
    # §4: "a differing duration_minutes in the request is 422" (the service's is 60).
    _case(_booking({"duration_minutes": 45}), MALFORMED, "booking-duration-45-for-60"),
    _case(_booking({"duration_minutes": 0}), MALFORMED, "booking-duration-zero"),
    _case(_booking({"duration_minutes": -60}), MALFORMED, "booking-duration-negative"),
    _case(_booking(notes=HUGE), HUGE_OK, "booking-notes-100k-chars"),
    _case(_booking(customer_id=UNKNOWN), UNKNOWN_ID, "booking-unknown-customer"),
    _case(_booking({"service_id": UNKNOWN}), UNKNOWN_ID, "booking-unknown-service"),
    _case(_booking({"staff_id": UNKNOWN}), UNKNOWN_ID, "booking-unknown-staff"),
    _case(_booking(outlet_id=UNKNOWN), UNKNOWN_ID, "booking-unknown-outlet"),
    _case(_as_array(APPOINTMENTS, lambda c: c.booking()), MALFORMED, "booking-json-array"),
    _case(_not_json(APPOINTMENTS, b"customer_id=1&services=2"), MALFORMED, "booking-not-json"),
    _case(_not_json(APPOINTMENTS, b""), MALFORMED, "booking-empty-body"),
    # POST /services (§3 ranges)
    _case(_service(name=DROP), MALFORMED, "service-without-name"),
    _case(_service(name=123), MALFORMED, "service-name-a-number"),
    _case(_service(duration_minutes=0), MALFORMED, "service-duration-zero"),
    _case(_service(duration_minutes=-30), MALFORMED, "service-duration-negative"),
    _case(_service(duration_minutes=481), MALFORMED, "service-duration-481"),
    _case(_service(duration_minutes="sixty"), MALFORMED, "service-duration-in-words"),
    _case(_service(max_parallel_bookings=0), MALFORMED, "service-capacity-0"),
    _case(_service(max_parallel_bookings=1001), MALFORMED, "service-capacity-1001"),
    _case(_service(cleanup_minutes=121), MALFORMED, "service-cleanup-121"),
    _case(_service(pricing={"base_price": -1, "currency": "IDR"}), MALFORMED, "service-negative-price"),
    _case(_service(pricing={"base_price": 1, "currency": "RUPIAH"}), MALFORMED, "service-currency-6-letters"),
    _case(_service(allow_parallel_bookings="sometimes"), MALFORMED, "service-parallel-flag-in-words"),
    _case(_service(name=HUGE), HUGE_OK, "service-name-100k-chars"),
    _case(_service(outlet_id=UNKNOWN), UNKNOWN_ID, "service-unknown-outlet"),
    _case(_as_array(SERVICES, lambda c: c.service_body()), MALFORMED, "service-json-array"),
    _case(_not_json(SERVICES, b"{'name': 'single quotes'}"), MALFORMED, "service-not-json"),
    _case(_service(duration_minutes=10**30), MALFORMED, "service-duration-10e30"),
    _case(_service(duration_minutes=60.5), MALFORMED, "service-duration-60.5"),
    _case(
        _service_with_raw("pricing", '{"base_price": 1e400, "currency": "IDR"}'),
        MALFORMED,
        "service-price-1e400",
    ),
    # A fresh suffix: the slug made from the name must not repeat across runs (409).
    _case(
        lambda c: Bad("POST", SERVICES, json=c.service_body(name=f"{UNICODE} {secrets.token_hex(4)}")),
        TEXT_OK,
        "service-name-unicode",
    ),
    _case(_not_json(SERVICES, b""), MALFORMED, "service-empty-body"),
    _case(_not_json(SERVICES, b'{"name": "cut off'), MALFORMED, "service-truncated-json"),
    # POST /staff, POST /customers (§3)
    _case(_staff(first_name=DROP), MALFORMED, "staff-without-first_name"),
    _case(_staff(first_name=42), MALFORMED, "staff-first_name-a-number"),
    _case(_staff(service_ids="all"), MALFORMED, "staff-service_ids-a-string"),
    _case(_staff(first_name=UNICODE), TEXT_OK, "staff-name-unicode"),
    _case(_staff(last_name=HUGE), HUGE_OK, "staff-name-100k-chars"),
    _case(_staff(outlet_id=UNKNOWN), UNKNOWN_ID, "staff-unknown-outlet"),
    _case(_not_json(STAFF, b""), MALFORMED, "staff-empty-body"),
    _case(_not_json(STAFF, b"[1, 2"), MALFORMED, "staff-truncated-json"),
    _case(_as_array(STAFF, lambda c: c.staff_body()), MALFORMED, "staff-json-array"),
    _case(_customer(email=DROP), MALFORMED, "customer-without-email"),
    _case(_customer(email="not-an-email"), MALFORMED, "customer-email-not-an-address"),
    _case(_customer(email=["a@example.test"]), MALFORMED, "customer-email-a-list"),
    _case(_customer(first_name=UNICODE), TEXT_OK, "customer-name-unicode"),
    _case(_customer(last_name=HUGE), HUGE_OK, "customer-name-100k-chars"),
    _case(_not_json(CUSTOMERS, b""), MALFORMED, "customer-empty-body"),
    _case(_not_json(CUSTOMERS, b"\xff\xfe not utf-8"), MALFORMED, "customer-not-utf-8"),
    # PUT /services|staff|customers/{id} (§3: out-of-range or wrongly typed fields -> 422)
    _case(_put("service", {"duration_minutes": 0}), MALFORMED, "update-service-duration-zero"),
    _case(_put("service", {"max_parallel_bookings": 1001}), MALFORMED, "update-service-capacity-1001"),
    _case(_put("service", {"name": None}), MALFORMED, "update-service-name-null"),
    _case(_put("service", None, content=b"{"), MALFORMED, "update-service-truncated-json"),
    _case(_put("service", [{"name": "x"}]), MALFORMED, "update-service-json-array"),
    _case(_put("staff", {"first_name": 42}), MALFORMED, "update-staff-first_name-a-number"),
    _case(_put("staff", None, content=b""), MALFORMED, "update-staff-empty-body"),
    _case(_put("customer", {"email": "not-an-email"}), MALFORMED, "update-customer-email-not-an-address"),
    # POST /availability (§3: end_time after start_time, else 422)
    _case(_window(start_time="12:00", end_time="09:00"), MALFORMED, "window-ends-before-start"),
    _case(_window(start_time="12:00", end_time="12:00"), MALFORMED, "window-ends-at-start"),
    _case(_window(day_of_week="funday"), MALFORMED, "window-on-funday"),
    _case(_window(start_time="25:00"), MALFORMED, "window-from-25:00"),
    _case(_window(end_time="10:5"), MALFORMED, "window-until-10:5"),
    _case(_window(staff_id=DROP), MALFORMED, "window-without-staff_id"),
    _case(_window(staff_id=UNKNOWN), UNKNOWN_ID, "window-unknown-staff"),
    _case(_window(outlet_id=UNKNOWN), UNKNOWN_ID, "window-unknown-outlet"),
    _case(_as_array(WINDOWS, lambda c: c.window()), MALFORMED, "window-json-array"),
    _case(_window(start_time=900), MALFORMED, "window-start_time-a-number"),
    _case(_window(day_of_week="Monday "), MALFORMED, "window-day-with-space"),
    _case(_not_json(WINDOWS, b""), MALFORMED, "window-empty-body"),
    # GET /availability/availability-grid (§6: interval 5..240, 1..31 days)
    _case(_grid(slot_interval_minutes=4), MALFORMED, "grid-interval-4"),
    _case(_grid(slot_interval_minutes=241), MALFORMED, "grid-interval-241"),
    _case(_grid(slot_interval_minutes="half-hour"), MALFORMED, "grid-interval-in-words"),
    _case(_grid(start_date="2026-13-40"), MALFORMED, "grid-from-2026-13-40"),
    _case(_grid(service_id=DROP), MALFORMED, "grid-without-service_id"),
    _case(_grid(num_days=0), MALFORMED, "grid-zero-days"),
    _case(_grid(num_days=32), MALFORMED, "grid-32-days"),
    _case(lambda c: c.grid(end_date=next_day(c.day, -1).isoformat()), EITHER, "grid-ends-before-start"),
    _case(lambda c: c.grid(end_date=next_day(c.day, 31).isoformat()), EITHER, "grid-until-32-days-on"),
    _case(_grid(service_id=UNKNOWN), UNKNOWN_ID, "grid-unknown-service"),
    _case(_grid(outlet_id=UNKNOWN), UNKNOWN_ID, "grid-unknown-outlet"),
    # pagination (§1: page from 1, size 1..100)
    _case(_request(lambda c: ep.list_of("service", size=0)), MALFORMED, "list-size-0"),
    _case(_request(lambda c: ep.list_of("service", size=101)), MALFORMED, "list-size-101"),
    _case(_request(lambda c: ep.list_of("service", page=0)), MALFORMED, "list-page-0"),
    _case(_request(lambda c: ep.list_of("staff", page="one")), MALFORMED, "list-staff-page-in-words"),
    _case(_request(lambda c: ep.list_of("customer", size=10**20)), MALFORMED, "list-customers-size-10e20"),
    _case(_request(lambda c: ep.list_of("customer", page=10**12)), {200, 422}, "list-customers-page-10e12"),
    _case(_request(lambda c: ep.list_of("customer", search=UNICODE)), {200}, "customers-search-unicode"),
    _case(_request(lambda c: ep.list_of("customer", search="%_'\\")), {200}, "customers-search-wildcards"),
    _case(
        _request(lambda c: ep.list_of("customer", search="x" * 5000)), {200, 414, 422}, "customers-search-5k"
    ),
    _case(_request(lambda c: ep.list_appointments(size=0)), MALFORMED, "appointments-size-0"),
    _case(_appointments_where(date="2026-13-40"), MALFORMED, "appointments-on-2026-13-40"),
    _case(_appointments_where(status="archived"), MALFORMED, "appointments-status-archived"),
    # appointment actions (§4)
    _case(_request(lambda c: ep.set_status(_appt(c), "archived")), MALFORMED, "status-archived"),
    _case(_request(lambda c: ep.set_status(_appt(c), "x"), json={}), MALFORMED, "status-missing"),
    _case(
        _request(lambda c: ep.reschedule(_appt(c), new_date=c.day, new_time="25:00")),
        MALFORMED,
        "move-to-25:00",
    ),
    _case(
        _request(lambda c: ep.reschedule(_appt(c), new_date=c.day, new_time="x"), json={"new_time": "14:00"}),
        MALFORMED,
        "move-without-new_date",
    ),
    # POST /auth/login (§2)
    _case(
        _request(lambda c: ep.login("a", "b"), json={"email": "a@example.test"}),
        MALFORMED,
        "login-no-password",
    ),
    _case(
        _request(lambda c: ep.login("a", "b"), json={"email": 42, "password": "x"}),
        MALFORMED,
        "login-email-number",
    ),
    # unknown ids in the path (§1: 404)
    _case(_request(lambda c: ep.read("service", UNKNOWN)), UNKNOWN_ID, "get-unknown-service"),
    _case(_request(lambda c: ep.read("service", "not-an-id")), UNKNOWN_ID, "get-service-non-hex-id"),
    _case(_request(lambda c: ep.read("staff", UNKNOWN)), UNKNOWN_ID, "get-unknown-staff"),
    _case(_request(lambda c: ep.read("customer", UNKNOWN)), UNKNOWN_ID, "get-unknown-customer"),
    _case(
        _request(lambda c: ep.update("service", UNKNOWN, {"name": "x"})), UNKNOWN_ID, "update-unknown-service"
    ),
    _case(_request(lambda c: ep.get_appointment(UNKNOWN)), UNKNOWN_ID, "get-unknown-appointment"),
    _case(_request(lambda c: ep.cancel(UNKNOWN)), UNKNOWN_ID, "cancel-unknown-appointment"),
    _case(_request(lambda c: ep.set_status(UNKNOWN, "no_show")), UNKNOWN_ID, "status-of-unknown-appointment"),
    _case(
        _request(lambda c: ep.reschedule(UNKNOWN, new_date=c.day, new_time="14:00")),
        UNKNOWN_ID,
        "move-unknown",
    ),
    _case(_request(lambda c: ep.delete_availability(UNKNOWN)), UNKNOWN_ID, "delete-unknown-window"),
]

# The unbroken request of each family: were it refused, every refusal above would prove nothing.
CONTROLS = [
    _case(_booking(), {201}, "booking"),
    _case(_service(), {201}, "service"),
    _case(_staff(), {201}, "staff"),
    _case(_customer(), {201}, "customer"),
    _case(_window(), {201}, "window"),
    _case(_grid(), {200}, "grid"),
    _case(_request(lambda c: ep.list_of("service", page=1, size=100)), {200}, "list"),
]

# What a wrongly accepted request created, undone at once by _send.
UNDO: dict[str, Callable[[BookingApi, str], httpx.Response]] = {
    SERVICES: lambda api, id_: api.delete_service(id_),
    APPOINTMENTS: lambda api, id_: api.cancel(id_, reason="X-9 cleanup"),
    WINDOWS: lambda api, id_: api.delete_availability(id_),
    STAFF: lambda api, id_: api.delete_staff(id_),
    CUSTOMERS: lambda api, id_: api.delete_customer(id_),
}


def _expect_refused(response: httpx.Response, allowed: frozenset[int]) -> None:
    """Never a 5xx, one of `allowed`, and the contract's error body (CONTRACT.md §1)."""
    __tracebackhide__ = True
    expect_not_server_error(response, why="malformed input (CONTRACT.md §1: never a 5xx)")
    expect_status(response, tuple(sorted(allowed)))
    # §1: business errors {"detail": "<sentence>"}; 422 FastAPI's [{"loc", "msg", "type"}] list.
    if response.status_code == 422:
        expect_validation_errors(response)
    elif response.status_code in (400, 404, 409):
        expect_error_detail(response)


def _send(api: BookingApi, case: Callable[[Ctx], Bad], ctx: Ctx) -> httpx.Response:
    """Send one case; were a broken request accepted (a failure of its own), undo what it created."""
    bad = case(ctx)
    response = bad.send(api)
    if response.status_code == 201 and bad.path in UNDO:
        UNDO[bad.path](api.unchecked(), response.json()["id"])
    return response


class TestMalformedInputIsRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def ctx(cls, factory: Factory, outlet: dict, day: date, run_tag: str) -> Ctx:
        """A roomy 60-minute parallel session with one 10:00 appointment: the valid parts of each case."""
        stage = factory.stage("X-9 validation", capacity=10, day=day)
        customer = factory.customer()
        booked = stage.book("10:00", customer=customer)
        expect_status(booked, 201, why="the appointment that the action cases address")
        return Ctx(outlet["id"], stage.service, stage.staff, customer, booked.json(), day, run_tag)

    @pytest.mark.parametrize(("case", "allowed"), CASES)
    @checklist("X-9", X9)
    def test_malformed_request_is_refused_without_5xx(
        self, api: BookingApi, ctx: Ctx, case: Callable[[Ctx], Bad], allowed: frozenset[int]
    ) -> None:
        _expect_refused(_send(api, case, ctx), allowed)

    @pytest.mark.parametrize(("case", "allowed"), CONTROLS)
    @checklist("X-9", X9)
    def test_unbroken_request_is_accepted(
        self, api: BookingApi, ctx: Ctx, case: Callable[[Ctx], Bad], allowed: frozenset[int]
    ) -> None:
        response = _send(api, case, ctx)
        expect_status(response, tuple(allowed), why="the valid request that the broken cases start from")

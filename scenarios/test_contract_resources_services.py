"""Contract rules, rule by rule: services (docs/contract.md C3.1, C3.3, C3.4).

Creation is judged at the edges of every range (the boundary accepted, one beyond refused),
with and without the optional fields; then one service is updated partially and deleted.
Each service has a fresh name and slug, so a duplicate slug never answers in place of a range.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.expect import (
    ConformanceFailure,
    expect_equal,
    expect_error_detail,
    expect_status,
    expect_success,
    field,
)
from fixtures.factories import Factory, slugify
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X82 = "A service slug is made from the name when absent, and a duplicate slug is refused with 409"
X83 = (
    "Service ranges hold at their edges: duration 1..480, preparation and cleanup 0..120, "
    "capacity 1..1000, price >= 0, currency 3 letters"
)
X84 = (
    "A service sent with only name and duration gets the defaults: cleanup 0, parallel false, "
    "capacity 1, advance 0 h to 60 days, active"
)
X85 = "The service response echoes every field sent plus id, created_at and updated_at"
X86 = "PUT /services/{id} changes only the fields sent; every other field keeps its value"
X87 = "DELETE /services/{id} is a soft delete: GET still answers 200 with is_active false"

DEFAULTS = {
    "cleanup_minutes": 0,
    "allow_parallel_bookings": False,
    "max_parallel_bookings": 1,
    "min_advance_booking_hours": 0,
    "max_advance_booking_days": 60,
    "is_active": True,
}


def _name(label: str, factory: Factory) -> str:
    return f"{label} {secrets.token_hex(4)} {factory.run_tag}"


def _full_body(factory: Factory, outlet_id: str) -> dict[str, Any]:
    """Every C3.1 field, each away from its default, so an echo of the default shows."""
    name = _name("C3 full", factory)
    return ep.service_body(
        name=name,
        outlet_id=outlet_id,
        duration_minutes=45,
        allow_parallel_bookings=True,
        max_parallel_bookings=7,
        base_price=250000,
        slug=slugify(name),
        preparation_minutes=10,
        cleanup_minutes=15,
        min_advance_booking_hours=2,
        max_advance_booking_days=30,
        is_active=True,
    )


def _create(api: BookingApi, factory: Factory, body: dict[str, Any]) -> httpx.Response:
    response = api.create_service(body)
    if response.status_code in (200, 201):
        factory.created.append(("service", str(field(response, "id"))))
    return response


# (field changes on a valid body, expected status); the valid edge next to each refused one.
EDGES = [
    pytest.param({"duration_minutes": 1}, 201, id="POST-services-duration-1"),
    pytest.param({"duration_minutes": 480}, 201, id="POST-services-duration-480"),
    pytest.param({"duration_minutes": 0}, 422, id="POST-services-duration-0"),
    pytest.param({"duration_minutes": 481}, 422, id="POST-services-duration-481"),
    pytest.param({"preparation_minutes": 0}, 201, id="POST-services-preparation-0"),
    pytest.param({"preparation_minutes": 120}, 201, id="POST-services-preparation-120"),
    pytest.param({"preparation_minutes": 121}, 422, id="POST-services-preparation-121"),
    pytest.param({"preparation_minutes": -1}, 422, id="POST-services-preparation-minus-1"),
    pytest.param({"cleanup_minutes": 120}, 201, id="POST-services-cleanup-120"),
    pytest.param({"cleanup_minutes": 121}, 422, id="POST-services-cleanup-121"),
    pytest.param({"cleanup_minutes": -1}, 422, id="POST-services-cleanup-minus-1"),
    pytest.param(
        {"allow_parallel_bookings": True, "max_parallel_bookings": 1000},
        201,
        id="POST-services-capacity-1000",
    ),
    pytest.param(
        {"allow_parallel_bookings": True, "max_parallel_bookings": 1001},
        422,
        id="POST-services-capacity-1001",
    ),
    pytest.param({"max_parallel_bookings": 0}, 422, id="POST-services-capacity-0"),
    pytest.param({"pricing": {"base_price": 0, "currency": "IDR"}}, 201, id="POST-services-price-0"),
    pytest.param({"pricing": {"base_price": -1, "currency": "IDR"}}, 422, id="POST-services-price-minus-1"),
    pytest.param(
        {"pricing": {"base_price": 1, "currency": "ID"}}, 422, id="POST-services-currency-2-letters"
    ),
    pytest.param(
        {"pricing": {"base_price": 1, "currency": "IDRR"}}, 422, id="POST-services-currency-4-letters"
    ),
]


class TestServiceRangesAtTheirEdges:
    @pytest.mark.parametrize(("changes", "expected"), EDGES)
    @checklist("X-83", X83)
    def test_range_edge_is_judged(
        self, api: BookingApi, factory: Factory, outlet: dict, changes: dict[str, Any], expected: int
    ) -> None:
        body = ep.service_body(name=_name("C3.1 edge", factory), outlet_id=outlet["id"]) | changes
        response = _create(api, factory, body)
        expect_status(response, expected, why=f"a service with {changes}")


@dataclass
class Created:
    full: dict[str, Any]  # the body sent
    full_response: httpx.Response
    minimal: dict[str, Any]
    minimal_response: httpx.Response
    duplicate: httpx.Response  # a second service with the full one's slug


class TestServiceCreation:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict) -> Created:
        """A service with every field, one with name and duration only, and one reusing a slug."""
        full = _full_body(factory, outlet["id"])
        with allure.step("Create a service with every C3.1 field"):
            full_response = _create(api, factory, full)
        minimal = {
            "name": _name("C3 Minimal Probe", factory),
            "duration_minutes": 30,
            "pricing": {"base_price": 100000, "currency": "IDR"},
            "outlet_id": outlet["id"],
        }
        with allure.step("Create a service with name, duration, pricing and outlet only"):
            minimal_response = _create(api, factory, minimal)
        with allure.step("Create another service with the first one's slug"):
            again = ep.service_body(name=_name("C3 duplicate slug", factory), outlet_id=outlet["id"])
            duplicate = _create(api, factory, again | {"slug": full["slug"]})
        return Created(full, full_response, minimal, minimal_response, duplicate)

    @checklist("X-85", X85)
    def test_response_echoes_every_field_sent(self, run: Created) -> None:
        expect_status(run.full_response, 201)
        body = field(run.full_response)
        echoed = {key: _sent_part(body.get(key), sent) for key, sent in run.full.items()}
        expect_equal(echoed, run.full, what="the fields sent, as answered", response=run.full_response)
        for key in ("id", "created_at", "updated_at"):
            field(run.full_response, key)

    @checklist("X-84", X84)
    def test_unsent_fields_get_their_defaults(self, run: Created) -> None:
        expect_status(run.minimal_response, 201)
        got = {key: field(run.minimal_response, key) for key in DEFAULTS}
        expect_equal(got, DEFAULTS, what="defaults of the unsent fields", response=run.minimal_response)

    @checklist("X-82", X82)
    def test_slug_is_made_from_the_name(self, run: Created) -> None:
        expect_status(run.minimal_response, 201)
        slug = field(run.minimal_response, "slug")
        token = run.minimal["name"].split()[3]  # the name's hex part: any slugging keeps it
        if not isinstance(slug, str) or token not in slug.lower():
            raise ConformanceFailure(
                f"C3.1 expects a slug made from the name {run.minimal['name']!r}, got {slug!r}",
                response=run.minimal_response,
            )

    @checklist("X-82", X82)
    def test_duplicate_slug_is_refused_with_409(self, run: Created) -> None:
        expect_status(run.duplicate, 409, why=f"slug {run.full['slug']!r} is taken")
        expect_error_detail(run.duplicate)


@dataclass
class Changed:
    before: httpx.Response
    put: httpx.Response
    after_put: httpx.Response
    deleted: httpx.Response
    after_delete: httpx.Response


class TestServiceUpdateAndDelete:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict) -> Changed:
        """Create a full service, PUT two fields, GET, DELETE, GET."""
        before = _create(api, factory, _full_body(factory, outlet["id"]))
        expect_status(before, 201, why="the service to update")
        service_id = field(before, "id")
        sent = {"name": _name("C3.4 renamed", factory), "max_parallel_bookings": 9}
        with allure.step(f"PUT only {sorted(sent)}"):
            put = api.update_service(service_id, sent)
            after_put = api.get_service(service_id)
        with allure.step("DELETE, then GET"):
            deleted = api.delete_service(service_id)
            after_delete = api.get_service(service_id)
        return Changed(before, put, after_put, deleted, after_delete)

    @pytest.mark.parametrize("which", ["put", "after_put"])
    @checklist("X-86", X86)
    def test_put_changes_only_the_fields_sent(self, run: Changed, which: str) -> None:
        response = getattr(run, which)
        expect_status(response, 200)
        before, after = field(run.before), field(response)
        kept = {k: v for k, v in before.items() if k not in ("name", "max_parallel_bookings", "updated_at")}
        expect_equal({k: after.get(k) for k in kept}, kept, what="fields not sent", response=response)
        expect_equal(
            after.get("max_parallel_bookings"), 9, what="max_parallel_bookings sent", response=response
        )

    @checklist("X-87", X87)
    def test_deleted_service_reads_back_inactive(self, run: Changed) -> None:
        expect_success(run.deleted, why="DELETE /services/{id}")
        expect_status(run.after_delete, 200, why="C3.4: a soft-deleted service is still readable")
        expect_equal(field(run.after_delete, "is_active"), False, what="is_active", response=run.after_delete)
        expect_equal(
            field(run.after_delete, "name"),
            field(run.after_put, "name"),
            what="name",
            response=run.after_delete,
        )


def _sent_part(answered: object, sent: object) -> object:
    """What of `answered` corresponds to `sent`: nested objects may carry extra keys (C1.11)."""
    if isinstance(sent, dict) and isinstance(answered, dict):
        return {key: _sent_part(answered.get(key), value) for key, value in sent.items()}
    return answered

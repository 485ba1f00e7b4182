"""Contract rules beyond the guide: authentication and roles (CONTRACT.md §1-§2).

The guide only says "valid JWT token with appropriate permissions". The contract makes it
checkable: no valid token -> 401 and a staff token -> 403 on creating services. Tenant
isolation (X-2) lives in test_contract_tenant_isolation.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.expect import expect_equal, expect_error_detail, expect_status
from fixtures.factories import Factory
from fixtures.readback import PAGE_SIZE, all_pages, page_items
from fixtures.reporting import checklist, scenario
from fixtures.target import TargetConfig

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X1 = "Requests without a valid token are refused with 401"
X3 = "A staff role token gets 403 on creating services"

# Never issued by anyone: only the shape of an id matters for a request refused before lookup.
UNKNOWN_ID = "ffffffffffffffffffffffff"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_json(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _flip_signature(token: str) -> str:
    # The first signature character carries 6 full bits; flipping the last one may only touch
    # base64 padding bits and leave the decoded signature (and the token) valid.
    header, payload, signature = token.split(".")
    first = "A" if signature[0] != "A" else "B"
    return f"{header}.{payload}.{first}{signature[1:]}"


def _unsigned(token: str) -> str:
    """The real claims under {"alg": "none"} and an empty signature (the classic JWT forgery)."""
    _, payload, _ = token.split(".")
    return f"{_b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."


def _expired(token: str) -> str:
    """The real claims with `exp` in 1970, under the original (now wrong) signature."""
    header, payload, signature = token.split(".")
    claims = _b64url_json(payload) | {"exp": 1}
    return f"{header}.{_b64url(json.dumps(claims).encode())}.{signature}"


# id -> Authorization header built from the admin's real token (None: no header at all).
AUTHORIZATIONS: dict[str, Callable[[str], str | None]] = {
    "no-header": lambda token: None,
    "bearer-without-token": lambda token: "Bearer",
    "basic-scheme": lambda token: "Basic " + _b64url(b"someone:secret"),
    "token-without-scheme": lambda token: token,
    "garbage-token": lambda token: "Bearer not-a-jwt",
    "tampered-signature": lambda token: "Bearer " + _flip_signature(token),
    "alg-none": lambda token: "Bearer " + _unsigned(token),
    "expired-claims": lambda token: "Bearer " + _expired(token),
}

# id -> a well-formed request, so that 401 is about the token and never about the body.
PROTECTED: dict[str, Callable[[str, date], ep.ApiRequest]] = {
    "get-tenants-me": lambda outlet_id, day: ep.tenants_me(),
    "list-services": lambda outlet_id, day: ep.list_of("service"),
    "post-appointment": lambda outlet_id, day: ep.book(
        customer_id=UNKNOWN_ID,
        outlet_id=outlet_id,
        appointment_date=day,
        items=[ep.BookingItem(UNKNOWN_ID, UNKNOWN_ID, "10:00")],
    ),
}


class TestRequestsWithoutValidTokenAreRefused:
    @pytest.fixture(scope="class")
    @classmethod
    def real_token(cls, api: BookingApi) -> str:
        """The admin's access token, the raw material of the forged ones."""
        assert api.token, "the admin client always carries a token"
        return api.token

    @pytest.mark.parametrize("endpoint", list(PROTECTED))
    @pytest.mark.parametrize("authorization", list(AUTHORIZATIONS))
    @checklist("X-1", X1)
    def test_request_is_refused_with_401(
        self,
        anonymous_api: BookingApi,
        real_token: str,
        outlet: dict,
        day: date,
        authorization: str,
        endpoint: str,
    ) -> None:
        request = PROTECTED[endpoint](outlet["id"], day)
        header = AUTHORIZATIONS[authorization](real_token)
        headers = {} if header is None else {"Authorization": header}
        response = anonymous_api.raw(request.method, request.path, json=request.json, headers=headers)
        expect_status(response, 401)
        expect_error_detail(response)

    @pytest.mark.parametrize("endpoint", list(PROTECTED))
    @checklist("X-1", X1)
    def test_real_token_passes_the_same_requests(
        self, anonymous_api: BookingApi, real_token: str, outlet: dict, day: date, endpoint: str
    ) -> None:
        # Control: the 401s above are about the token, not the request (the booking's ids are
        # unknown, so it may answer 404, never 401).
        request = PROTECTED[endpoint](outlet["id"], day)
        headers = {"Authorization": f"Bearer {real_token}"}
        response = anonymous_api.raw(request.method, request.path, json=request.json, headers=headers)
        expect_status(response, (200, 404))

    @pytest.mark.parametrize("mistake", ["wrong-password", "unknown-email"])
    @checklist("X-1", X1)
    def test_login_with_wrong_credentials_is_refused_with_401(
        self, anonymous_api: BookingApi, target: TargetConfig, run_tag: str, mistake: str
    ) -> None:
        if not (target.email and target.password):
            pytest.skip("the target was given as a token: no password to get wrong")
        email = f"nobody+{run_tag}@example.test" if mistake == "unknown-email" else target.email
        response = anonymous_api.login(email, target.password + "-wrong")
        expect_status(response, 401)
        expect_error_detail(response)


def _service_names(api: BookingApi, *, max_pages: int = 200) -> set[Any]:
    """Every service name the admin can list, page by page (CONTRACT.md §1 pagination)."""
    pages = all_pages(
        lambda page: api.list_services(page=page, size=PAGE_SIZE),
        max_pages=max_pages,
        why="admin's service list",
    )
    return {item.get("name") for page in pages for item in page_items(page)}


class TestStaffRoleGets403OnCreatingServices:
    @pytest.fixture(scope="class")
    @classmethod
    def attempt(cls, api: BookingApi, staff_api: BookingApi, outlet: dict, run_tag: str):
        """A staff token tries to create a uniquely named service; undone if the target lets it."""
        name = f"X-3 staff-made {run_tag}"
        response = staff_api.create_service(ep.service_body(name=name, outlet_id=outlet["id"]))
        yield name, response
        if response.status_code == 201:
            api.unchecked().delete_service(response.json()["id"])

    @checklist("X-3", X3)
    def test_staff_token_creating_a_service_gets_403(self, attempt: tuple[str, httpx.Response]) -> None:
        expect_status(attempt[1], 403)
        expect_error_detail(attempt[1])

    @checklist("X-3", X3)
    def test_refused_service_is_not_in_the_admin_list(
        self, api: BookingApi, attempt: tuple[str, httpx.Response]
    ) -> None:
        expect_equal(attempt[0] in _service_names(api), False, what=f"{attempt[0]!r} listed after a 403")

    @checklist("X-3", X3)
    def test_staff_token_may_still_read_services(self, staff_api: BookingApi, factory: Factory) -> None:
        service = factory.service("X-3 readable", parallel=False, capacity=1)
        expect_status(staff_api.list_services(), 200)
        expect_status(staff_api.get_service(service["id"]), 200)

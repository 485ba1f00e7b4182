"""Contract rules beyond the guide: authentication, roles and tenancy (CONTRACT.md §1-§2).

X-1: three requests with every forgery of fixtures/tokens.py (JWT or opaque, C1.4) and wrong
login credentials (C2.2). X-3: a staff token gets 403 on creating services (C2.5). X-25 and
X-26: the shapes of login (C2.1) and /tenants/me (C2.3). X-27: a tenant header changes
nothing (C1.3). 401 on every endpoint and method: test_contract_auth_every_endpoint.py;
tenant isolation: test_contract_tenant_isolation*.py.
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
from fixtures import tokens
from fixtures.api import BookingApi
from fixtures.expect import expect_equal, expect_error_detail, expect_status, field, pick
from fixtures.factories import Factory
from fixtures.readback import PAGE_SIZE, all_pages, page_items
from fixtures.reporting import checklist, scenario
from fixtures.target import TargetConfig

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X1 = "Requests without a valid token are refused with 401"
X3 = "A staff role token gets 403 on creating services"

# Never issued by anyone: only the shape of an id matters for a request refused before lookup.
UNKNOWN_ID = "ffffffffffffffffffffffff"


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
    @pytest.mark.parametrize("authorization", tokens.VARIANTS)
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
        # fixtures/tokens.py decides what each variant means for this token (JWT or opaque, C1.4).
        forgery = tokens.forge(authorization, real_token)
        with allure.step(f"{authorization}: {forgery.what}"):
            response = anonymous_api.raw(
                request.method, request.path, json=request.json, headers=forgery.headers()
            )
        expect_status(response, 401, why=forgery.what)
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


X25 = (
    "Login answers 200 with access_token, token_type bearer, expires_in > 0"
    " and user id, email, role tenant_admin"
)
X26 = "GET /tenants/me answers the tenant's id, name and outlets [{id, name}]"
X27 = "A tenant header naming another tenant is ignored: the token's tenant is served"


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


class TestLoginAnswersTheContractsShape:
    @pytest.fixture(scope="class")
    @classmethod
    def login(cls, anonymous_api: BookingApi, target: TargetConfig) -> httpx.Response:
        """Setup 1: the admin logs in once more (C2.1)."""
        if not (target.email and target.password):
            pytest.skip("the target was given as a token: no login to look at")
        return anonymous_api.login(target.email, target.password)

    @pytest.mark.parametrize(
        "part", ["access-token", "token-type-bearer", "expires-in-seconds", "user-admin"]
    )
    @checklist("X-25", X25)
    def test_login_body_has_the_contract_fields(
        self, login: httpx.Response, anonymous_api: BookingApi, target: TargetConfig, part: str
    ) -> None:
        expect_status(login, 200)
        body = pick(login, ["access_token", "token_type", "expires_in", "user"])
        if part == "access-token":
            expect_equal(_text(body["access_token"]), True, what="access_token is a non-empty string")
            me = anonymous_api.with_token(body["access_token"]).tenants_me()
            expect_status(me, 200, why="the fresh access_token on GET /tenants/me")
        elif part == "token-type-bearer":
            # RFC 6749 §5.1: the token type is case-insensitive; the contract's value is "bearer".
            token_type = body["token_type"]
            expect_equal(
                str(token_type).lower() if _text(token_type) else token_type, "bearer", what="token_type"
            )
        elif part == "expires-in-seconds":
            seconds = body["expires_in"]
            ok = isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0
            expect_equal(ok, True, what=f"expires_in {seconds!r} is a whole number of seconds > 0")
        else:
            user = pick(login, ["id", "email", "role"], under="user")
            expect_equal(_text(user["id"]), True, what=f"user.id {user['id']!r} is a non-empty string")
            expect_equal(str(user["email"]).lower(), str(target.email).lower(), what="user.email")
            expect_equal(user["role"], "tenant_admin", what="user.role of the admin account")


class TestTenantsMeAnswersTheContractsShape:
    @pytest.fixture(scope="class")
    @classmethod
    def me(cls, api: BookingApi) -> httpx.Response:
        """Setup 3: GET /tenants/me, read here (not the session `tenant`) so its shape is judged."""
        return api.tenants_me()

    @pytest.mark.parametrize("part", ["tenant-id-name", "outlets-id-name"])
    @checklist("X-26", X26)
    def test_tenants_me_has_the_contract_fields(self, me: httpx.Response, part: str) -> None:
        expect_status(me, 200)
        if part == "tenant-id-name":
            tenant = pick(me, ["id", "name"])
            expect_equal(
                _text(tenant["id"]) and _text(tenant["name"]), True, what=f"tenant id and name {tenant}"
            )
            return
        outlets = field(me, "outlets")
        expect_equal(isinstance(outlets, list) and bool(outlets), True, what="outlets is a non-empty list")
        shapes = [
            isinstance(o, dict) and _text(o.get("id")) and isinstance(o.get("name"), str) for o in outlets
        ]
        expect_equal(
            all(shapes), True, what=f"every outlet has an id and a name: {outlets!r:.300}", response=me
        )


@dataclass(frozen=True)
class HeaderProbe:
    own_tenant: str
    other_tenant: str
    other_service: str
    answers: dict[tuple[str, str], httpx.Response]
    own_services: dict[str, set[Any]]


TENANT_HEADERS = {"x-tenant-id-header": "X-Tenant-ID", "x-tenant-header": "X-Tenant"}


class TestTenantHeaderIsIgnored:
    @pytest.fixture(scope="class")
    @classmethod
    def probe(
        cls, api: BookingApi, other_tenant_api: BookingApi, run_tag: str, target: TargetConfig
    ) -> Iterator[HeaderProbe]:
        """Tenant B creates a service; A's token then asks with B's tenant id in a header (C1.3)."""
        with allure.step("Setup 3: tenant B creates a service"):
            b_me = other_tenant_api.tenants_me()
            expect_status(b_me, 200, why="tenant B's /tenants/me (setup)")
            b = Factory(
                other_tenant_api,
                outlet=field(b_me, "outlets", 0),
                run_tag=run_tag,
                keep_data=target.keep_data,
            )
            service = b.service("X-27 other tenant", parallel=False, capacity=1)
        a_me = api.tenants_me()
        expect_status(a_me, 200, why="tenant A's /tenants/me (setup)")
        answers: dict[tuple[str, str], httpx.Response] = {}
        own: dict[str, set[Any]] = {}
        for key, header in TENANT_HEADERS.items():
            with allure.step(f"Tenant A's token with {header}: <tenant B's id>"):
                extra = {header: str(field(b_me, "id"))}
                answers[key, "tenants-me"] = api.raw("GET", ep.tenants_me().path, headers=extra)
                answers[key, "get-service"] = api.raw(
                    "GET", ep.read("service", service["id"]).path, headers=extra
                )
                own[key] = _service_ids(api, headers=extra)
        yield HeaderProbe(str(field(a_me, "id")), str(field(b_me, "id")), service["id"], answers, own)
        b.cleanup()

    @pytest.mark.parametrize("header", list(TENANT_HEADERS))
    @pytest.mark.parametrize("probe_of", ["tenants-me-is-own", "their-service-404", "their-service-unlisted"])
    @checklist("X-27", X27)
    def test_token_tenant_is_served_whatever_the_header(
        self, probe: HeaderProbe, header: str, probe_of: str
    ) -> None:
        if probe_of == "tenants-me-is-own":
            response = probe.answers[header, "tenants-me"]
            expect_status(response, 200)
            expect_equal(
                field(response, "id"), probe.own_tenant, what="tenant id with a foreign tenant header"
            )
        elif probe_of == "their-service-404":
            expect_status(
                probe.answers[header, "get-service"], 404, why="tenant B's service, B's tenant header"
            )
        else:
            listed = probe.other_service in probe.own_services[header]
            expect_equal(listed, False, what="tenant B's service in A's list with a tenant header")


def _service_ids(api: BookingApi, *, headers: dict[str, str]) -> set[Any]:
    """Every service id A's token lists with `headers`, page by page."""
    path = ep.list_of("service").path
    pages = all_pages(
        lambda page: api.raw("GET", path, params={"page": page, "size": PAGE_SIZE}, headers=headers),
        max_pages=200,
        why="service list with a tenant header",
    )
    return {item.get("id") for page in pages for item in page_items(page)}

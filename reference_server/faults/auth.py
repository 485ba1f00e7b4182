"""Faults of authentication, roles and tenancy (C1.2, C1.3, C2.x, C3.10)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from reference_server.faults.registry import answering, fault
from reference_server.policy import Policy
from reference_server.repository.lookups import CustomerInfo
from reference_server.security import Principal, bearer_token, principal_of, read_token


def _unverified_claims(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(header, claims) of a JWT read without any check; None when it is not one."""
    import jwt

    try:
        return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None


@fault(
    "customers-list-open",
    "GET /customers served without a valid token (the route forgot its auth dependency)",
    rules=("C1.2",),
    catches=("X-20", "X-21", "X-22", "X-23"),
)
class CustomersListOpen(Policy):
    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        found = super().authenticate(method, path, authorization, secret=secret)
        if found is None and method == "GET" and path.rstrip("/").endswith("/api/v1/customers"):
            return Principal(user_id="anonymous", tenant_id="", role="staff")  # no tenant: an empty page
        return found


@fault(
    "scheme-unchecked",
    "any Authorization scheme accepted (Basic <token> works like Bearer)",
    rules=("C1.2",),
    catches=("X-20",),
)
class SchemeUnchecked(Policy):
    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        _, _, token = (authorization or "").strip().partition(" ")
        return read_token(token.strip(), secret=secret) if token.strip() else None


@fault(
    "alg-none-accepted",
    'unsigned JWTs ({"alg": "none"}) accepted (algorithm taken from the token header)',
    rules=("C1.2",),
    catches=("X-22",),
)
class AlgNoneAccepted(Policy):
    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        token = bearer_token(authorization)
        read = _unverified_claims(token) if token else None
        if read is not None and str(read[0].get("alg", "")).lower() == "none":
            exp = read[1].get("exp")
            return principal_of(read[1]) if isinstance(exp, int | float) and exp > time.time() else None
        return super().authenticate(method, path, authorization, secret=secret)


@fault(
    "signature-unchecked",
    "HS256 signatures not verified (claims and expiry still checked)",
    rules=("C1.2",),
    catches=("X-21",),
)
class SignatureUnchecked(Policy):
    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        token = bearer_token(authorization)
        read = _unverified_claims(token) if token else None
        if read is None or read[0].get("alg") != "HS256":
            return None
        exp = read[1].get("exp")
        return principal_of(read[1]) if isinstance(exp, int | float) and exp > time.time() else None


@fault(
    "expired-accepted",
    "expired tokens accepted: jwt.decode(verify_signature=False) also skips exp (and the signature)",
    rules=("C1.2",),
    catches=("X-21", "X-22", "X-23"),
)
class ExpiredAccepted(Policy):
    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        token = bearer_token(authorization)
        read = _unverified_claims(token) if token else None
        return None if read is None else principal_of(read[1])


@fault(
    "any-password-accepted",
    "login accepts a wrong password for a known email",
    rules=("C2.2",),
    catches=("X-1",),
)
class AnyPasswordAccepted(Policy):
    def password_matches(self, password: str, password_hash: str | None) -> bool:
        super().password_matches(password, password_hash)  # the same work, the answer ignored
        return password_hash is not None


answering(
    "staff-creates-services",
    "the staff role may create services (role check missing on POST /services)",
    seam="may_create_services",
    answer=True,
    rules=("C2.5",),
    catches=("X-3",),
)


@fault(
    "tenant-header-honoured",
    "an X-Tenant-ID header overrides the token's tenant",
    rules=("C1.3",),
    catches=("X-27",),
)
class TenantHeaderHonoured(Policy):
    def scoped(self, principal: Principal, headers: Mapping[str, str]) -> Principal:
        tenant = headers.get("x-tenant-id")
        return Principal(principal.user_id, tenant, principal.role) if tenant else principal


def _owner(session: Session, model: type, record_id: str, tenant_id: str) -> str:
    """The record's own tenant (the cross-tenant bug), or the caller's when there is no record."""
    record = session.get(model, record_id) if isinstance(record_id, str) else None
    return getattr(record, "tenant_id", tenant_id)


@fault(
    "foreign-appointment-readable",
    "GET /appointments/{id} reads another tenant's appointment (lookup by id only)",
    rules=("C2.4",),
    catches=("X-2",),
)
class ForeignAppointmentReadable(Policy):
    def reference_tenant(self, session: Session, model: type, record_id: str, tenant_id: str) -> str:
        from reference_server.models import Appointment

        return _owner(session, model, record_id, tenant_id) if model is Appointment else tenant_id


@fault(
    "foreign-staff-bookable",
    "a booking body may name another tenant's staff member (staff looked up by id only)",
    rules=("C2.4",),
    catches=("X-40",),
)
class ForeignStaffBookable(Policy):
    def reference_tenant(self, session: Session, model: type, record_id: str, tenant_id: str) -> str:
        from reference_server.models import Staff

        return _owner(session, model, record_id, tenant_id) if model is Staff else tenant_id


@fault(
    "customers-list-leaks",
    "GET /customers lists every tenant's customers (tenant filter missing)",
    rules=("C2.4",),
    catches=("X-42",),
)
class CustomersListLeaks(Policy):
    def lists_only_own_tenant(self, kind: str) -> bool:
        return kind != "customer"


@fault(
    "unknown-customer-books",
    "an unknown customer_id books anyway, as a walk-in customer made up on the spot",
    rules=("C3.10",),
    catches=("X-44",),
)
class UnknownCustomerBooks(Policy):
    def booking_customer(self, session: Session, tenant_id: str, customer_id: str) -> CustomerInfo:
        from reference_server.errors import NotFound
        from reference_server.models import Customer

        try:
            return super().booking_customer(session, tenant_id, customer_id)
        except NotFound:
            if session.get(Customer, customer_id) is not None:  # another tenant's: still refused
                raise
        walk_in = Customer(
            id=customer_id,
            tenant_id=tenant_id,
            first_name="Walk-in",
            last_name="Customer",
            email=f"walk-in-{customer_id}@example.invalid",
            phone="",
        )
        session.add(walk_in)
        session.flush()
        return CustomerInfo(customer_id, "Walk-in", "Customer", True)

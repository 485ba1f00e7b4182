"""Deliberate defects for the kill matrix (PRACTICES.md P4): one `Policy` subclass per fault.

`python -m reference_server --fault NAME` (or REFERENCE_SERVER_FAULT=NAME) switches ONE on;
the default is none. Each fault overrides one seam of `reference_server/policy.py` (a
decision, a serialiser, or `rewrite_response` for what only the wire shows), so the normal
code paths never test a fault flag, and only this module knows the faults. `@fault(...)`
registers each with the contract rule it breaks (docs/contract.md) and the checklist ids
(scenarios/checklist.toml) that MUST fail when the suite runs against it; the kill matrix
(`make mutation`, tests/mutation/) asserts exactly that and reports extra failing ids.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from reference_server.errors import ServiceBusy
from reference_server.policy import Assessment, CapacityConfig, GridSlot, Policy, SessionKey
from reference_server.repository.lookups import CustomerInfo
from reference_server.rules import Booked, Candidate, Window, fmt_time
from reference_server.security import Principal, bearer_token, principal_of, read_token

UNLIMITED = 1_000_000
RACE_WINDOW_SECONDS = 0.03  # check-to-insert gap of the unlocked fault (the 30-60 ms seen in the field)


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    bug: str  # what a reader of a bug report would call it
    source: str  # the real-world report it mirrors (SERVER-NOTES.md "Real bugs"), or ""
    rules: tuple[str, ...]  # the docs/contract.md rule ids it breaks
    expected_failures: tuple[str, ...]  # checklist ids that MUST fail against this fault
    policy: type[Policy]


FAULTS: dict[str, Fault] = {}


def fault(
    name: str, bug: str, *, rules: tuple[str, ...], catches: tuple[str, ...], source: str = ""
) -> Callable[[type[Policy]], type[Policy]]:
    """Register the decorated Policy subclass as fault `name` (names are unique)."""

    def register(policy: type[Policy]) -> type[Policy]:
        assert name not in FAULTS, f"fault {name!r} registered twice"
        FAULTS[name] = Fault(name, bug, source, rules, catches, policy)
        return policy

    return register


def policy_for(name: str) -> Policy:
    """A fresh policy with the named defect; ValueError (listing the names) when unknown."""
    found = FAULTS.get(name.strip().lower().replace("_", "-"))
    if found is None:
        raise ValueError(f"unknown fault {name!r}; known faults: {', '.join(FAULTS)}")
    policy = found.policy()
    policy.name = found.name
    return policy


def load_policy(name: str | None) -> Policy:
    """The correct policy, or the named fault's (unknown name: ValueError)."""
    return Policy() if not name else policy_for(name)


# ---- capacity and counting ----
@fault(
    "capacity-off-by-one",
    "capacity limit + 1 accepted (booked > max instead of >=)",
    source="calcom #13331",
    rules=("C5.2",),
    catches=("S1-2", "S3-5", "S3-7", "A-2", "B-4"),
)
class CapacityOffByOne(Policy):
    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        found = super().assess(booked, candidate, capacity)
        if candidate.customer_id is None:  # the grid (no customer) still shows the right numbers
            return found
        # The write path compares `booked > capacity` instead of `>=`: limit + 1 gets in.
        return Assessment(found.capacity, max(0, found.booked - 1), found.busy_with, found.duplicate)


@fault(
    "parallel-flag-ignored",
    "parallel settings ignored: every session unlimited",
    source="calcom #13331",
    rules=("C3.2",),
    catches=("S1-2", "S3-5", "S3-7", "S5-3", "A-1", "A-2"),
)
class ParallelFlagIgnored(Policy):
    def effective_capacity(self, service: CapacityConfig) -> int:
        return UNLIMITED  # neither allow_parallel_bookings nor max_parallel_bookings is read


@fault(
    "single-takes-two",
    "a single-booking service takes two bookings",
    source="easyappointments #996",
    rules=("C3.2",),
    catches=("S1-2", "S1-4", "S5-3", "R-1"),
)
class SingleTakesTwo(Policy):
    def effective_capacity(self, service: CapacityConfig) -> int:
        # "single" is treated as max(1, max_parallel_bookings) + 1 by a default of 2 seats.
        return super().effective_capacity(service) if service.allow_parallel_bookings else 2


@fault(
    "cancelled-counted",
    "cancelled bookings still counted",
    source="Hi.Events #466",
    rules=("C4.7",),
    catches=("S7-2", "S7-3", "S7-6"),
)
class CancelledCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "no_show"


@fault("no-show-counted", "no-show bookings still counted", source="", rules=("C4.8",), catches=("S7-5",))
class NoShowCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "cancelled"


@fault(
    "reschedule-counts-self",
    "reschedule counts the appointment against itself",
    source="calcom #12348",
    rules=("C4.6",),
    catches=("S6-6", "S6-7"),
)
class RescheduleCountsSelf(Policy):
    def reschedule_excludes_self(self) -> bool:
        return False


@fault(
    "reschedule-skips-capacity",
    "reschedule skips the capacity check",
    source="",
    rules=("C4.6",),
    catches=("S6-4", "S6-8"),
)
class RescheduleSkipsCapacity(Policy):
    def reschedule_checks_capacity(self) -> bool:
        return False


@fault(
    "capacity-all-dates",
    "capacity counted across all dates",
    source="",
    rules=("C5.5",),
    catches=("D-2", "D-3"),
)
class CapacityAllDates(Policy):
    def counting_days(self, day: date) -> tuple[date, date]:
        return day - timedelta(days=400), day + timedelta(days=400)

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.start == candidate.start
        )


@fault(
    "capacity-keyed-by-start",
    "capacity keyed by date and start time only",
    source="easyappointments #792",
    rules=("C5.2",),
    catches=("S5-6",),
)
class CapacityKeyedByStart(Policy):
    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        # The counter key is (date, start): another service's session at that time shares it.
        return booked.day == candidate.day and booked.start == candidate.start


@fault(
    "staff-overlap-missed",
    "staff overlap across services not detected",
    source="calcom #13269",
    rules=("C5.3",),
    catches=("C-1", "C-2"),
)
class StaffOverlapMissed(Policy):
    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        if booked.service_id != candidate.service_id:
            return False  # only the same service's sessions are compared
        return super().staff_overlap(booked, candidate)


@fault(
    "window-unchecked", "staff availability window not checked", source="", rules=("C5.1",), catches=("X-8",)
)
class WindowUnchecked(Policy):
    def window_covers(self, windows: Iterable[Window], candidate: Candidate) -> bool:
        return True


@fault(
    "unlocked",
    "check-then-insert without a lock (30 ms gap)",
    source="calcom #13397",
    rules=("C5.9",),
    catches=("A-1", "A-2", "A-4", "A-5", "A-6"),  # every kind of §5.9: bookings and reschedules
)
class Unlocked(Policy):
    """Check, then insert, in two transactions and without a lock (calcom #13397).

    On SQLite every write transaction starts with BEGIN IMMEDIATE (the database's one write
    lock), which would still serialise the requests; and a deferred BEGIN alone would fail the
    late writer with SQLITE_BUSY_SNAPSHOT, which is retried. So the check reads in its own
    deferred transaction (readers run side by side under WAL) and the insert lands in a new
    one that re-checks nothing: what an autocommit ORM does. PostgreSQL: no lock is enough.
    """

    def gates_process_writes(self) -> bool:
        return False  # db.py's per-process write gate is a lock too

    def lock(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("COMMIT")
            connection.exec_driver_sql("BEGIN")

    def between_check_and_insert(self, session: Session) -> None:
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("COMMIT")
        time.sleep(RACE_WINDOW_SECONDS)
        if sqlite:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# ---- service updates ----
@fault(
    "lowering-cancels",
    "lowering capacity cancels existing bookings",
    source="pretix #135",
    rules=("C5.6",),
    catches=("B-1", "B-3"),
)
class LoweringCancels(Policy):
    def on_capacity_change(self, session: Session, *, service: Any, old: int, new: int) -> None:
        from sqlalchemy import select

        from reference_server.models import Appointment, AppointmentItem

        if new >= old:
            return
        a, i = Appointment, AppointmentItem
        rows = session.execute(
            select(i, a)
            .join(a, a.id == i.appointment_id)
            .where(i.service_id == service.id, i.status.in_(self.active_statuses()))
            .order_by(a.created_at, a.id)
        ).all()
        sessions: dict[tuple[str, date, int], list[tuple[AppointmentItem, Appointment]]] = {}
        for item, appointment in rows:
            sessions.setdefault((item.staff_id, item.appointment_date, item.start_minute), []).append(
                (item, appointment)
            )
        for booked in sessions.values():
            for item, appointment in booked[new:]:  # "over the new limit": the latest are dropped
                item.status = appointment.status = "cancelled"


@fault(
    "capacity-change-ignored",
    "capacity change ignored (cached capacity)",
    source="alf.io #330",
    rules=("C5.6",),
    catches=("B-2",),
)
class CapacityChangeIgnored(Policy):
    """The capacity is cached per service at first use and never invalidated."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def effective_capacity(self, service: CapacityConfig) -> int:
        key = getattr(service, "id", None) or str(id(service))
        return self._cache.setdefault(key, super().effective_capacity(service))


# ---- grid serialisation ----
@fault("grid-seconds", "grid times as HH:MM:SS", source="", rules=("C1.5",), catches=("S2-9", "S4-7"))
class GridSeconds(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["start_time"], body["end_time"] = fmt_time(slot.start), fmt_time(slot.end)
        return body


@fault(
    "grid-capacity-not-reduced",
    "grid available_capacity not reduced by bookings",
    source="calcom #17542",
    rules=("C6.7",),
    catches=("S2-4", "S3-3", "S4-3", "S4-9"),
)
class GridCapacityNotReduced(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["available_capacity"] = slot.assessment.capacity
        return body


@fault(
    "grid-available-when-full",
    "grid is_available true when full",
    source="calcom #17542",
    rules=("C6.8",),
    catches=("S3-4", "S4-6", "S7-1"),
)
class GridAvailableWhenFull(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        return {**super().grid_slot(slot), "is_available": True}


@fault(
    "grid-without-metadata",
    "grid without metadata",
    source="",
    rules=("C6.2",),
    catches=("S2-8", "S3-2", "S4-8"),
)
class GridWithoutMetadata(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> Any:
        return None


# ---- status codes ----
@fault(
    "conflict-400",
    "conflict answered 400 instead of 409",
    source="",
    rules=("C1.8",),
    catches=("S1-2", "S3-5", "S5-3", "C-1", "X-6"),
)
class Conflict400(Policy):
    def conflict_status(self) -> int:
        return 400


@fault(
    "created-200",
    "booking answered 200 instead of 201",
    source="",
    rules=("C1.8",),
    catches=("S1-1", "S2-1", "S3-1"),
)
class Created200(Policy):
    def booking_created_status(self) -> int:
        return 200


# Sections below are filled rule by rule (docs/contract.md); keep each fault in its section.
# ---- §1 conventions: shapes, codes, pagination (C1.x) ----
API = "/api/v1"


def _each_resource(body: Any) -> list[dict[str, Any]]:
    """The resource objects of a body: the body itself, or a page's items."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [item for item in body["items"] if isinstance(item, dict)]
    return [body] if isinstance(body, dict) else []


@fault(
    "timestamps-without-offset",
    "created_at/updated_at sent as naive local timestamps (no offset, no Z)",
    rules=("C1.6",),
    catches=("X-77",),
)
class TimestampsWithoutOffset(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        for resource in _each_resource(body):
            for key in ("created_at", "updated_at"):
                if isinstance(resource.get(key), str):
                    resource[key] = resource[key].removesuffix("Z").split("+")[0]
        return status, body


@fault(
    "error-detail-as-list",
    "business errors answer detail as a list of strings instead of one sentence",
    rules=("C1.7",),
    catches=("X-78",),
)
class ErrorDetailAsList(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if (
            400 <= status < 500
            and status != 422
            and isinstance(body, dict)
            and isinstance(body.get("detail"), str)
        ):
            body["detail"] = [body["detail"]]
        return status, body


@fault(
    "errors-as-text-plain",
    "error bodies sent with Content-Type text/plain",
    rules=("C1.1",),
    catches=("X-75",),
)
class ErrorsAsTextPlain(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        # A str body is sent as text/plain by reference_server/rewrite.py.
        return status, (json.dumps(body) if status >= 400 else body)


@fault(
    "service-created-200",
    "POST /services answers 200 instead of 201",
    rules=("C1.8",),
    catches=("X-79",),
)
class ServiceCreated200(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        return (200 if (method, path, status) == ("POST", f"{API}/services", 201) else status), body


@fault(
    "page-total-counts-page",
    "a list's total counts only the items of the page served",
    source="fastapi-pagination misuse (len(items) as total)",
    rules=("C1.10",),
    catches=("X-81",),
)
class PageTotalCountsPage(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and isinstance(body.get("items"), list) and "total" in body:
            body["total"] = len(body["items"])
            body["pages"] = 1 if body["items"] else 0
        return status, body


@fault(
    "page-size-unbounded",
    "size outside 1..100 answers an (empty) page instead of 422",
    rules=("C1.10",),
    catches=("X-80",),
)
class PageSizeUnbounded(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        errors = body.get("detail") if isinstance(body, dict) else None
        only_size = (
            isinstance(errors, list) and errors and all(e.get("loc") == ["query", "size"] for e in errors)
        )
        if method == "GET" and status == 422 and only_size:
            size = int(errors[0].get("input"))  # type: ignore[index]
            return 200, {"items": [], "total": 0, "page": 1, "size": size, "pages": 0}
        return status, body


@fault(
    "availability-times-hhmm",
    "availability entries answer start_time/end_time as HH:MM instead of HH:MM:SS",
    rules=("C1.5", "C3.6"),
    catches=("X-76", "X-89"),
)
class AvailabilityTimesHHMM(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.startswith(f"{API}/availability") and not path.endswith("availability-grid"):
            for window in _each_resource(body):
                for key in ("start_time", "end_time"):
                    if isinstance(window.get(key), str):
                        window[key] = window[key][:5]
        return status, body


# ---- §1-§2 auth, roles and tenancy (C1.2, C2.x) ----
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


@fault(
    "staff-creates-services",
    "the staff role may create services (role check missing on POST /services)",
    rules=("C2.5",),
    catches=("X-3",),
)
class StaffCreatesServices(Policy):
    def may_create_services(self, principal: Principal) -> bool:
        return True


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
    "login-token-type-wrong",
    'login answers token_type "mac" instead of "bearer"',
    rules=("C2.1",),
    catches=("X-25",),
)
class LoginTokenTypeWrong(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.endswith("/auth/login") and status == 200 and isinstance(body, dict):
            body = {**body, "token_type": "mac"}
        return status, body


@fault(
    "tenants-me-outlets-unnamed",
    "GET /tenants/me lists outlets without their names",
    rules=("C2.3",),
    catches=("X-26",),
)
class TenantsMeOutletsUnnamed(Policy):
    # Not "without outlets": the suite's preflight stops a run whose tenant lists no outlet.
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.endswith("/tenants/me") and status == 200 and isinstance(body, dict):
            outlets = body.get("outlets") or []
            body = {**body, "outlets": [{"id": o.get("id")} for o in outlets if isinstance(o, dict)]}
        return status, body


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


# ---- §3 resources: services, staff, windows, customers (C3.x) ----
@fault(
    "staff-without-full-name",
    "staff responses lack full_name",
    rules=("C3.5",),
    catches=("X-88",),
)
class StaffWithoutFullName(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.startswith(f"{API}/staff") and status < 400:
            for staff in _each_resource(body):
                staff.pop("full_name", None)
        return status, body


@fault(
    "service-echo-drops-description",
    "POST /services answers without the description it stored",
    rules=("C3.3",),
    catches=("X-85",),
)
class ServiceEchoDropsDescription(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == f"{API}/services" and status == 201 and isinstance(body, dict):
            body.pop("description", None)
        return status, body


@fault(
    "service-id-integer",
    "POST /services answers its id as a number (an auto-increment key leaking out)",
    rules=("C1.4",),
    catches=("X-85",),
)
class ServiceIdInteger(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == f"{API}/services" and status == 201 and isinstance(body, dict):
            body["id"] = len(str(body.get("id", "")))
        return status, body


@fault(
    "slug-duplicate-accepted",
    "a taken slug is silently renamed (slug-2) instead of 409",
    rules=("C3.1",),
    catches=("X-82",),
)
class SlugDuplicateAccepted(Policy):
    def refuses_duplicate_slug(self) -> bool:
        return False


@fault(
    "service-put-resets-unsent",
    "PUT /services/{id} writes every unsent field back to its default",
    rules=("C3.4",),
    catches=("X-86",),
)
class ServicePutResetsUnsent(Policy):
    def service_update_fields(self, changes: dict[str, Any]) -> dict[str, Any]:
        defaults = {
            "description": None,
            "category": None,
            "preparation_minutes": 0,
            "cleanup_minutes": 0,
            "allow_parallel_bookings": False,
            "max_parallel_bookings": 1,
            "min_advance_booking_hours": 0,
            "max_advance_booking_days": 60,
        }
        return defaults | changes


@fault(
    "service-hard-delete",
    "DELETE /services/{id} removes the service: GET answers 404 instead of is_active false",
    rules=("C3.4",),
    catches=("X-87",),
)
class ServiceHardDelete(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        one = path.startswith(f"{API}/services/") and method == "GET"
        if one and status == 200 and isinstance(body, dict) and body.get("is_active") is False:
            return 404, {"detail": "Service not found"}
        return status, body


@fault(
    "touching-windows-refused",
    "windows compared as closed intervals: 12:00-14:00 overlaps 10:00-12:00",
    rules=("C3.8",),
    catches=("X-10",),
)
class TouchingWindowsRefused(Policy):
    def windows_overlap(self, existing: Iterable[Window], new: Window) -> bool:
        return any(w.start <= new.end and new.start <= w.end for w in existing)


@fault(
    "window-equal-times-accepted",
    "a window with end_time equal to start_time is accepted (>= instead of >)",
    rules=("C3.7",),
    catches=("X-90",),
)
class WindowEqualTimesAccepted(Policy):
    def window_ends_after_start(self, start: int, end: int) -> bool:
        return end >= start


@fault(
    "customer-email-duplicate-accepted",
    "a second customer with a taken email answers 201",
    rules=("C3.9",),
    catches=("X-92",),
)
class CustomerEmailDuplicateAccepted(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if (method, path, status) == ("POST", f"{API}/customers", 409):
            return 201, {"id": "0" * 24, "first_name": "?", "last_name": "?", "email": "?"}
        return status, body


# ---- §4-§5 appointments, transitions and rules at their edges (C4.x, C5.x) ----
def _appointment_bodies(body: Any) -> list[dict[str, Any]]:
    """The appointment objects of a response body: itself, or a page's items."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [b for b in body["items"] if isinstance(b, dict)]
    return [body] if isinstance(body, dict) and "services" in body else []


def _is_appointments(path: str) -> bool:
    return path.startswith("/api/v1/appointments")


@fault(
    "end-time-is-start",
    "appointment items answer end_time = start_time",
    rules=("C4.1",),
    catches=("X-96", "X-102"),
)
class EndTimeIsStart(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if _is_appointments(path):
            for appointment in _appointment_bodies(body):
                for item in appointment.get("services") or []:
                    item["end_time"] = item.get("start_time")
        return status, body


@fault("service-name-missing", "appointment items without service_name", rules=("C4.1",), catches=("X-96",))
class ServiceNameMissing(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if _is_appointments(path):
            for appointment in _appointment_bodies(body):
                for item in appointment.get("services") or []:
                    item.pop("service_name", None)
        return status, body


@fault(
    "request-duration-accepted",
    "a duration_minutes other than the service's is accepted",
    rules=("C4.2",),
    catches=("X-97",),
)
class RequestDurationAccepted(Policy):
    def accepts_duration(self, requested: int, service_duration: int) -> bool:
        return True


@fault(
    "items-judged-apart",
    "the items of one booking are not checked against each other",
    rules=("C4.3",),
    catches=("X-98",),
)
class ItemsJudgedApart(Policy):
    def checks_items_together(self) -> bool:
        return False


@fault(
    "list-status-filter-ignored",
    "GET /appointments ignores the status filter",
    rules=("C4.4",),
    catches=("X-101",),
)
class ListStatusFilterIgnored(Policy):
    def list_filters(self, filters: dict[str, Any]) -> dict[str, Any]:
        return {**filters, "status": None}


@fault(
    "reschedule-loses-offsets",
    "a reschedule moves every service to new_time (offsets lost)",
    rules=("C4.5",),
    catches=("X-102",),
)
class RescheduleLosesOffsets(Policy):
    def moved_start(self, start: int, first_start: int, new_time: int) -> int:
        return new_time


@fault(
    "reschedule-ignores-window",
    "a reschedule is not checked against the staff member's window",
    rules=("C4.6",),
    catches=("X-104",),
)
class RescheduleIgnoresWindow(Policy):
    def reschedule_checks_window(self) -> bool:
        return False


@fault(
    "cancel-twice-allowed",
    "a cancelled appointment can be cancelled again",
    rules=("C4.9",),
    catches=("X-108", "X-7"),
)
class CancelTwiceAllowed(Policy):
    def can_transition(self, current: str, target: str) -> bool:
        return (current, target) == ("cancelled", "cancelled") or super().can_transition(current, target)


@fault(
    "completed-reopens",
    "a completed appointment can be set back to confirmed",
    rules=("C4.9",),
    catches=("X-108",),
)
class CompletedReopens(Policy):
    def can_transition(self, current: str, target: str) -> bool:
        return (current, target) == ("completed", "confirmed") or super().can_transition(current, target)


@fault(
    "unknown-status-accepted",
    "PATCH status answers 200 to a status value the contract does not know",
    rules=("C4.8",),
    catches=("X-107",),
)
class UnknownStatusAccepted(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "PATCH" and path.endswith("/status") and status == 422:
            return 200, body
        return status, body


@fault(
    "window-end-unchecked",
    "only the start of a booking is checked against the window",
    rules=("C5.1",),
    catches=("X-109", "X-8"),
)
class WindowEndUnchecked(Policy):
    def window_covers(self, windows: Iterable[Window], candidate: Candidate) -> bool:
        return any(w.start <= candidate.start < w.end for w in windows)


@fault(
    "closed-intervals",
    "intervals are closed: a session ending 11:00 conflicts with one starting 11:00",
    rules=("C5.3",),
    catches=("X-110",),
)
class ClosedIntervals(Policy):
    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.day == candidate.day
            and booked.start <= candidate.block_end
            and candidate.start <= booked.block_end
        )


@fault(
    "conflict-detail-anonymous",
    "a booking's 409 detail names neither the staff member nor the counts",
    rules=("C5.4",),
    catches=("X-112", "X-8"),
)
class ConflictDetailAnonymous(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == "/api/v1/appointments" and status == 409:
            return status, {"detail": "The requested time is not available"}
        return status, body


@fault(
    "capacity-per-weekday",
    "capacity counted per weekday and start, not per date",
    rules=("C5.5",),
    catches=("X-113",),
)
class CapacityPerWeekday(Policy):
    def counting_days(self, day: date) -> tuple[date, date]:
        return day - timedelta(days=28), day + timedelta(days=28)

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.day.weekday() == candidate.day.weekday()
            and booked.start == candidate.start
        )


@fault(
    "duplicate-per-day",
    "a customer may hold only one session of a service per staff member and day",
    rules=("C5.7",),
    catches=("X-114",),
)
class DuplicatePerDay(Policy):
    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        booked = list(booked)
        found = super().assess(booked, candidate, capacity)
        if found.duplicate is None and candidate.customer_id is not None:
            found.duplicate = next(
                (
                    b
                    for b in booked
                    if b.customer_id == candidate.customer_id
                    and (b.service_id, b.staff_id, b.day)
                    == (candidate.service_id, candidate.staff_id, candidate.day)
                ),
                None,
            )
        return found


@fault(
    "past-today-accepted",
    "a start earlier today is accepted (the past judged by date only)",
    rules=("C5.8",),
    catches=("X-115",),
)
class PastTodayAccepted(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        if start < now and start.date() == now.date():
            now = start  # the clock read as the day's start
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=min_advance_hours, max_advance_days=max_advance_days
        )


@fault(
    "max-advance-off-by-one",
    "max_advance_booking_days + 1 days ahead accepted",
    rules=("C5.8",),
    catches=("X-116",),
)
class MaxAdvanceOffByOne(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=min_advance_hours, max_advance_days=max_advance_days + 1
        )


@fault(
    "min-advance-ignored",
    "min_advance_booking_hours not enforced",
    rules=("C5.8",),
    catches=("X-117", "X-4"),
)
class MinAdvanceIgnored(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=0, max_advance_days=max_advance_days
        )


# ---- §5.9 races ----
SESSION_LOCK_BUCKETS = 4096  # lock files of unlocked-staff-overlap; a shared bucket only serialises more
SESSION_LOCK_WAIT_SECONDS = 10.0


def _sqlite_restart(session: Session, begin: str = "BEGIN") -> None:
    """End the current SQLite transaction and start another (a fresh snapshot, or the write lock)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql(begin)


def _race_gap(session: Session) -> None:
    """Commit what was read, wait RACE_WINDOW_SECONDS, write in a new transaction (as Unlocked)."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("COMMIT")
    time.sleep(RACE_WINDOW_SECONDS)
    if sqlite:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _session_lock_path(tenant_id: str, key: tuple[Any, ...]) -> Path:
    digest = hashlib.blake2b(repr((tenant_id, *key)).encode(), digest_size=8).digest()
    folder = Path(tempfile.gettempdir()) / "reference-server-session-locks"
    folder.mkdir(exist_ok=True)
    return folder / f"{int.from_bytes(digest, 'big') % SESSION_LOCK_BUCKETS:04d}.lock"


def _flock(path: Path) -> int:
    """An exclusive flock on `path` through a new descriptor: it excludes other threads (each
    its own open file) and other server processes alike. Bounded: 503 after the wait."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + SESSION_LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise ServiceBusy("session lock not free") from None
            time.sleep(0.001)


@fault(
    "unlocked-staff-overlap",
    "lock per session, not per staff member: overlaps with other services checked outside the lock",
    source="calcom #13269",
    rules=("C5.9",),
    catches=("A-5",),
)
class UnlockedStaffOverlap(Policy):
    """The lock is keyed by the session (staff, service, date, start), not by the staff pool.

    Bookings (and reschedules) of one session queue behind each other and count exactly, and
    a sequential overlap check (Scenario C) still sees the other service's booking; but two
    services of one staff member hold different locks, so their overlap checks run side by
    side and both insert. On SQLite the database write lock is given up (as in `unlocked`) for
    a flock per session; the lock is let go when the request's transaction ends.
    """

    def gates_process_writes(self) -> bool:
        return False

    def lock(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        _sqlite_restart(session)  # no database-wide write lock: only the session lock below

    def lock_sessions(self, session: Session, *, tenant_id: str, sessions: Iterable[SessionKey]) -> None:
        paths = sorted({_session_lock_path(tenant_id, key) for key in sessions})  # sorted: no deadlock
        held = [_flock(path) for path in paths]

        def release(_session: Session, transaction: Any) -> None:
            if transaction.parent is None:  # the request's own transaction, not a savepoint
                for fd in held:
                    os.close(fd)  # closing the descriptor lets go of its flock
                held.clear()

        event.listen(session, "after_transaction_end", release)
        _sqlite_restart(session)  # read what the previous holder of the lock committed

    def between_check_and_insert(self, session: Session) -> None:
        _race_gap(session)


@fault(
    "unlocked-reschedule",
    "reschedule checks the target and moves without the lock (30 ms gap)",
    source="calcom #12348",
    rules=("C5.9",),
    catches=("A-6",),
)
class UnlockedReschedule(Policy):
    """Bookings keep the lock; a reschedule checks its target in one transaction and moves in
    another, so simultaneous moves into one session all see its old count. One at a time,
    every reschedule check (Scenario 6) still passes."""

    def gates_process_writes(self) -> bool:
        return False  # the per-process gate would serialise the reschedules; BEGIN IMMEDIATE
        # still serialises the bookings

    def lock_for_reschedule(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        _sqlite_restart(session)

    def between_check_and_move(self, session: Session) -> None:
        _race_gap(session)


# ---- §6 the availability grid (C6.x) ----
GRID_PATH = "/api/v1/availability/availability-grid"


def _grid_days(path: str, status: int, body: Any) -> dict[str, Any] | None:
    """The `availability_grid` object of a 200 grid response (None for anything else)."""
    if not path.endswith(GRID_PATH) or status != 200 or not isinstance(body, dict):
        return None
    days = body.get("availability_grid")
    return days if isinstance(days, dict) else None


@fault(
    "grid-end-date-off-by-one",
    "grid default end_date = start_date + num_days (one date too many)",
    rules=("C6.1",),
    catches=("X-55", "X-56", "X-57"),
)
class GridEndDateOffByOne(Policy):
    def grid_end_date(self, start: date, num_days: int) -> date:
        return start + timedelta(days=num_days)


@fault(
    "grid-range-unbounded",
    "grid accepts an end_date 32 or more days after start_date",
    rules=("C6.1",),
    catches=("X-57",),
)
class GridRangeUnbounded(Policy):
    def grid_max_days(self) -> int:
        return 366


@fault(
    "grid-interval-ignored",
    "grid slot_interval_minutes echoed but starts always every 30 minutes",
    rules=("C6.1",),
    catches=("X-59",),
)
class GridIntervalIgnored(Policy):
    def grid_candidate_starts(
        self, windows: list[Window], *, block_minutes: int, duration_minutes: int, interval: int
    ) -> list[int]:
        return super().grid_candidate_starts(
            windows, block_minutes=block_minutes, duration_minutes=duration_minutes, interval=30
        )


@fault(
    "grid-staff-filter-ignored",
    "grid staff_id query ignored: every staff member of the outlet is listed",
    rules=("C6.1",),
    catches=("X-61",),
)
class GridStaffFilterIgnored(Policy):
    def grid_staff_filter(self, staff_id: str | None) -> str | None:
        return None


@fault(
    "grid-outlet-name-is-id",
    "grid metadata.outlet_name carries the outlet id",
    rules=("C6.2",),
    catches=("X-63", "S2-8"),
)
class GridOutletNameIsId(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return {**metadata, "outlet_name": metadata["outlet_id"]}


@fault(
    "grid-slot-overruns-window",
    "grid last start ignores preparation and cleanup: the block overruns the window",
    rules=("C6.3",),
    catches=("X-64",),
)
class GridSlotOverrunsWindow(Policy):
    def grid_candidate_starts(
        self, windows: list[Window], *, block_minutes: int, duration_minutes: int, interval: int
    ) -> list[int]:
        return super().grid_candidate_starts(
            windows, block_minutes=duration_minutes, duration_minutes=duration_minutes, interval=interval
        )


@fault(
    "grid-slots-reversed",
    "grid slots of each date in reverse order",
    rules=("C6.4",),
    catches=("X-65",),
)
class GridSlotsReversed(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        for key, slots in (days or {}).items():
            days[key] = list(reversed(slots))  # type: ignore[index]
        return status, body


@fault(
    "grid-staff-order-reversed",
    "grid slots sorted by start time, but staff in descending order within a start",
    rules=("C6.4",),
    catches=("X-65",),
)
class GridStaffOrderReversed(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        for key, slots in (days or {}).items():
            by_staff = sorted(slots, key=lambda s: str(s["staff_id"]), reverse=True)
            days[key] = sorted(by_staff, key=lambda s: s["start_time"])  # type: ignore[index]  # stable
        return status, body


@fault(
    "grid-off-grid-booking-hidden",
    "grid lists only interval starts: a session booked off the grid has no slot",
    rules=("C6.5",),
    catches=("X-66",),
)
class GridOffGridBookingHidden(Policy):
    def grid_lists_booked_starts(self) -> bool:
        return False


@fault(
    "grid-max-capacity-raw",
    "grid max_capacity is max_parallel_bookings even for single-booking services",
    rules=("C6.6",),
    catches=("X-67",),
)
class GridMaxCapacityRaw(Policy):
    def grid_capacity(self, service: CapacityConfig) -> int:
        return service.max_parallel_bookings


@fault(
    "grid-busy-staff-not-zeroed",
    "grid available_capacity ignores the staff member's other overlapping bookings",
    rules=("C6.7",),
    catches=("X-69",),
)
class GridBusyStaffNotZeroed(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        found = slot.assessment
        available = max(0, found.capacity - found.booked)
        return {**super().grid_slot(slot), "available_capacity": available, "is_available": available > 0}


@fault(
    "grid-unavailable-at-one",
    "grid is_available false when exactly one place is left",
    rules=("C6.8",),
    catches=("X-70", "S4-5"),
)
class GridUnavailableAtOne(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        return {**super().grid_slot(slot), "is_available": slot.assessment.available > 1}


@fault(
    "grid-total-counts-available-only",
    "grid total_available_slots counts only the slots with a place left",
    rules=("C6.9",),
    catches=("X-71", "S4-8"),
)
class GridTotalCountsAvailableOnly(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        if days is not None and isinstance(body.get("metadata"), dict):
            free = sum(1 for slots in days.values() for s in slots if s.get("is_available"))
            body["metadata"]["total_available_slots"] = free
        return status, body


@fault(
    "grid-metadata-staff-null",
    "grid metadata.staff_id always null",
    rules=("C6.10",),
    catches=("X-72", "S2-8"),
)
class GridMetadataStaffNull(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return {**metadata, "staff_id": None}


@fault(
    "grid-parallel-without-capacity",
    "grid slots of parallel services without available_capacity and max_capacity",
    rules=("C6.11",),
    catches=("X-73",),
)
class GridParallelWithoutCapacity(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        if slot.allows_parallel_bookings:
            del body["available_capacity"], body["max_capacity"]
        return body


@fault(
    "grid-empty-dates-dropped",
    "grid leaves out the dates without slots",
    rules=("C6.12",),
    catches=("X-74",),
)
class GridEmptyDatesDropped(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        if days is not None:
            body["availability_grid"] = {key: slots for key, slots in days.items() if slots}
        return status, body


# ---- fuzzing (issue 12): what Schemathesis must catch ----
@fault(
    "malformed-input-500",
    "malformed input answered 500 instead of 422 (the validation error escapes as a server error)",
    source="",
    rules=("C1.9",),
    catches=("X-9",),
)
class MalformedInput500(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if status == 422:
            return 500, {"detail": "Internal Server Error"}
        return status, body


STAFF_LIST = "/api/v1/staff"


@fault(
    "unauthenticated-staff-list",
    "GET /api/v1/staff served without a token (the route lost its auth dependency)",
    source="",
    rules=("C1.2",),
    catches=("X-20",),
)
class UnauthenticatedStaffList(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        # A route without its auth dependency serves whatever token comes, or none; with no
        # tenant to read, it lists nothing.
        if method == "GET" and path.rstrip("/") == STAFF_LIST and status == 401:
            return 200, {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}
        return status, body

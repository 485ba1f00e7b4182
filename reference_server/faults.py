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

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from reference_server.policy import Assessment, CapacityConfig, GridSlot, Policy
from reference_server.rules import Booked, Candidate, Window, fmt_time

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
    catches=("A-1", "A-2"),
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
# ---- §5.9 races ----
# ---- §6 the availability grid (C6.x) ----
# ---- fuzzing (issue 12): what Schemathesis must catch ----

"""The booking policy: every decision a deliberate fault may replace, one small method each.

`Policy()` is the correct behaviour (CONTRACT.md §5-§6). `faults/` subclasses it and
overrides ONE method per fault; it alone knows the faults (this module never imports it).
Services and the grid only ever call these methods, so a fault never needs to touch normal
code paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from reference_server import rules
from reference_server.repository.locking import lock_staff
from reference_server.repository.lookups import CustomerInfo, fetch
from reference_server.rules import (
    STATUSES,
    Booked,
    Candidate,
    Window,
    candidate_starts,
    fmt_time,
    overlaps,
    windows_overlap,
)
from reference_server.security import Principal, bearer_token, read_token, verify_password

# (staff_id, service_id, date, start minute): one session of CONTRACT.md §5.2.
SessionKey = tuple[str, str, date, int]


class CapacityConfig(Protocol):
    allow_parallel_bookings: bool
    max_parallel_bookings: int


@dataclass(slots=True)
class Assessment:
    """What the one counting function found for a candidate session."""

    capacity: int
    booked: int  # active items of the same session
    busy_with: Booked | None  # another active item of the staff member that overlaps
    duplicate: Booked | None  # the same customer already holds this session

    @property
    def available(self) -> int:
        return 0 if self.busy_with is not None else max(0, self.capacity - self.booked)


@dataclass(slots=True)
class GridSlot:
    staff_id: str
    start: int
    end: int  # start + duration (what the guide shows), not the blocked interval
    allows_parallel_bookings: bool
    assessment: Assessment


class Policy:
    """Correct behaviour. Override one method in faults/ to inject one defect."""

    name: str | None = None

    # ---- capacity and counting (CONTRACT.md §5) ----
    def effective_capacity(self, service: CapacityConfig) -> int:
        return service.max_parallel_bookings if service.allow_parallel_bookings else 1

    def is_active_status(self, status: str) -> bool:
        return status not in ("cancelled", "no_show")

    def active_statuses(self) -> tuple[str, ...]:
        return tuple(s for s in STATUSES if self.is_active_status(s))

    def counting_days(self, day: date) -> tuple[date, date]:
        """The dates whose items are loaded to check a booking on `day` (capacity is per date)."""
        return day, day

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.day == candidate.day
            and booked.start == candidate.start
        )

    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        """An item of the staff member whose blocked interval overlaps (§5.3); `assess` asks this
        only about items that are not of the candidate's own session."""
        return (
            booked.staff_id == candidate.staff_id
            and booked.day == candidate.day
            and overlaps(booked.start, booked.block_end, candidate.start, candidate.block_end)
        )

    def window_covers(self, windows: Iterable[Window], candidate: Candidate) -> bool:
        return any(w.start <= candidate.start and candidate.block_end <= w.end for w in windows)

    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        """THE counting function, shared by booking, rescheduling and the grid."""
        count, busy_with, duplicate = 0, None, None
        for item in booked:
            if self.same_session(item, candidate):
                count += 1
                if candidate.customer_id is not None and item.customer_id == candidate.customer_id:
                    duplicate = item
            elif busy_with is None and self.staff_overlap(item, candidate):
                busy_with = item
        return Assessment(capacity=capacity, booked=count, busy_with=busy_with, duplicate=duplicate)

    # ---- appointments and their moves (CONTRACT.md §4, §5.8) ----
    def accepts_duration(self, requested: int, service_duration: int) -> bool:
        """§4.2: a `duration_minutes` in the request must be the service's own."""
        return requested == service_duration

    def checks_items_together(self) -> bool:
        """§4.3: each item of one booking is judged against the items before it."""
        return True

    def list_filters(self, filters: dict[str, Any]) -> dict[str, Any]:
        """§4.4: the list filters that GET /appointments applies."""
        return filters

    def moved_start(self, start: int, first_start: int, new_time: int) -> int:
        """§4.5: `new_time` is the first service's new start; every item keeps its offset."""
        return start + (new_time - first_start)

    def can_transition(self, current: str, target: str) -> bool:
        """§4.9: the transition table."""
        return rules.can_transition(current, target)

    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        """§5.8: why a start is outside the booking window, or None."""
        return rules.booking_window_error(
            now=now, start=start, min_advance_hours=min_advance_hours, max_advance_days=max_advance_days
        )

    # ---- rescheduling (CONTRACT.md §4) ----
    def reschedule_checks_window(self) -> bool:
        """§4.6: a reschedule's target must lie inside a window of the staff member (§5.1)."""
        return True

    def reschedule_excludes_self(self) -> bool:
        return True

    def reschedule_checks_capacity(self) -> bool:
        return True

    # ---- locking around check + insert (SERVER-NOTES.md "How to lock") ----
    def lock(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        lock_staff(session, tenant_id=tenant_id, staff_ids=staff_ids)

    def lock_sessions(self, session: Session, *, tenant_id: str, sessions: Iterable[SessionKey]) -> None:
        """Per-session locks, taken right after `lock`. The staff pool's lock already covers every
        session of the staff member (§5.3 spans services), so the correct policy needs none."""

    def lock_for_reschedule(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        """The reschedule's lock: the same as a booking's."""
        self.lock(session, tenant_id=tenant_id, staff_ids=staff_ids)

    def gates_process_writes(self) -> bool:
        """Queue one SQLite writer per process in front of BEGIN IMMEDIATE (db.py's write gate)."""
        return True

    def between_check_and_insert(self, session: Session) -> None:
        """Runs after the decision, before the write. A lock fault may commit here to open a race."""

    def between_check_and_move(self, session: Session) -> None:
        """The reschedule's gap between its decision and its write: the same as a booking's."""
        self.between_check_and_insert(session)

    # ---- service updates (CONTRACT.md §5.6: grandfathering) ----
    def on_capacity_change(self, session: Session, *, service: Any, old: int, new: int) -> None:
        """Existing bookings are kept whatever the new limit; nothing to do."""

    # ---- the grid's query and slots (CONTRACT.md C6.1-C6.5) ----
    def grid_end_date(self, start: date, num_days: int) -> date:
        """C6.1: the last date when the query gives no end_date."""
        return start + timedelta(days=num_days - 1)

    def grid_max_days(self) -> int:
        """C6.1: the longest range a grid may span (longer -> 422)."""
        return 31

    def grid_staff_filter(self, staff_id: str | None) -> str | None:
        """C6.1: the staff member the grid is narrowed to (None: every eligible one)."""
        return staff_id

    def grid_candidate_starts(
        self, windows: list[Window], *, block_minutes: int, duration_minutes: int, interval: int
    ) -> list[int]:
        """C6.3: starts every `interval` from each window start while the whole block fits."""
        return candidate_starts(windows, block_minutes=block_minutes, interval=interval)

    def grid_lists_booked_starts(self) -> bool:
        """C6.5: booked session starts are slots even off the interval grid."""
        return True

    def grid_capacity(self, service: CapacityConfig) -> int:
        """C6.6: the max_capacity the grid shows."""
        return self.effective_capacity(service)

    # ---- resources (CONTRACT.md §3) ----
    def refuses_duplicate_slug(self) -> bool:
        """C3.1: a slug already taken in the tenant is a 409 (False: the server renames it)."""
        return True

    def service_update_fields(self, changes: dict[str, Any]) -> dict[str, Any]:
        """C3.4: PUT is partial; the fields to write are exactly the ones sent."""
        return changes

    def window_ends_after_start(self, start: int, end: int) -> bool:
        """C3.7: a window ends strictly after it starts (minutes since midnight)."""
        return end > start

    def windows_overlap(self, existing: Iterable[Window], new: Window) -> bool:
        """C3.8: half-open intervals, so touching windows do not overlap."""
        return windows_overlap(list(existing), new)

    # ---- grid serialisation (CONTRACT.md §6) ----
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        available = slot.assessment.available
        return {
            "start_time": fmt_time(slot.start, seconds=False),
            "end_time": fmt_time(slot.end, seconds=False),
            "staff_id": slot.staff_id,
            "is_available": available > 0,
            "allows_parallel_bookings": slot.allows_parallel_bookings,
            "available_capacity": available,
            "max_capacity": slot.assessment.capacity,
        }

    def grid_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return metadata

    # ---- status codes ----
    def conflict_status(self) -> int:
        return 409

    def booking_created_status(self) -> int:
        return 201

    # ---- authentication and tenancy (CONTRACT.md C1.2, C1.3, C2.2, C2.4, C2.5) ----
    def password_matches(self, password: str, password_hash: str | None) -> bool:
        """Login's check (C2.2); constant work, and False without a stored hash (unknown email)."""
        return verify_password(password, password_hash)

    def authenticate(
        self, method: str, path: str, authorization: str | None, *, secret: str
    ) -> Principal | None:
        """The caller of a valid `Authorization: Bearer` header on any endpoint, else None (401)."""
        token = bearer_token(authorization)
        return None if token is None else read_token(token, secret=secret)

    def scoped(self, principal: Principal, headers: Mapping[str, str]) -> Principal:
        """The caller as served: the tenant comes from the token alone, headers change nothing."""
        return principal

    def may_create_services(self, principal: Principal) -> bool:
        return principal.configures

    def reference_tenant(self, session: Session, model: type, record_id: str, tenant_id: str) -> str:
        """The tenant whose records an id in a request is looked up among: the caller's (C2.4)."""
        return tenant_id

    def lists_only_own_tenant(self, kind: str) -> bool:
        """A list shows the caller's tenant's records only (C2.4)."""
        return True

    def booking_customer(self, session: Session, tenant_id: str, customer_id: str) -> CustomerInfo:
        """The booking body's customer: the tenant's, else 404 (C3.10: nothing is created)."""
        return fetch(session, CustomerInfo, tenant_id, customer_id, "Customer")

    # ---- the wire (faults that only a response shows: reference_server/rewrite.py) ----
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        """(status, JSON body) as sent; a fault may change either. Called only when overridden."""
        return status, body

    def rewrites_responses(self) -> bool:
        return type(self).rewrite_response is not Policy.rewrite_response

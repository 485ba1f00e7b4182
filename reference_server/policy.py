"""The booking policy: every decision a deliberate fault may replace, one small method each.

`Policy()` is the correct behaviour (CONTRACT.md §5-§6). `faults.py` subclasses it and
overrides ONE method per fault; it alone knows the faults (this module never imports it).
Services and the grid only ever call these methods, so a fault never needs to touch normal
code paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from reference_server.repository.locking import lock_staff
from reference_server.rules import STATUSES, Booked, Candidate, Window, fmt_time, overlaps

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
    """Correct behaviour. Override one method in faults.py to inject one defect."""

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

    # ---- rescheduling (CONTRACT.md §4) ----
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

    # ---- the wire (faults that only a response shows: reference_server/rewrite.py) ----
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        """(status, JSON body) as sent; a fault may change either. Called only when overridden."""
        return status, body

    def rewrites_responses(self) -> bool:
        return type(self).rewrite_response is not Policy.rewrite_response

"""Deliberate defects for the kill matrix (PRACTICES.md P4): one `Policy` subclass per fault.

`python -m reference_server --fault NAME` (or REFERENCE_SERVER_FAULT=NAME) switches ONE on;
the default is none. Each fault overrides one seam (one or two methods) of
`reference_server/policy.py`, so the normal code paths never test a fault flag. Next to each
fault: the checklist ids (scenarios/checklist.toml) that MUST fail when the suite runs
against it; the kill matrix (`make mutation`, tests/mutation/) asserts exactly that and
reports extra failing ids.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
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
    expected_failures: tuple[str, ...]  # checklist ids that MUST fail against this fault
    policy: type[Policy]


# ---- capacity and counting ----
class CapacityOffByOne(Policy):
    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        found = super().assess(booked, candidate, capacity)
        if candidate.customer_id is None:  # the grid (no customer) still shows the right numbers
            return found
        # The write path compares `booked > capacity` instead of `>=`: limit + 1 gets in.
        return Assessment(found.capacity, max(0, found.booked - 1), found.busy_with, found.duplicate)


class ParallelFlagIgnored(Policy):
    def effective_capacity(self, service: CapacityConfig) -> int:
        return UNLIMITED  # neither allow_parallel_bookings nor max_parallel_bookings is read


class SingleTakesTwo(Policy):
    def effective_capacity(self, service: CapacityConfig) -> int:
        # "single" is treated as max(1, max_parallel_bookings) + 1 by a default of 2 seats.
        return super().effective_capacity(service) if service.allow_parallel_bookings else 2


class CancelledCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "no_show"


class NoShowCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "cancelled"


class RescheduleCountsSelf(Policy):
    def reschedule_excludes_self(self) -> bool:
        return False


class RescheduleSkipsCapacity(Policy):
    def reschedule_checks_capacity(self) -> bool:
        return False


class CapacityAllDates(Policy):
    def counting_days(self, day: date) -> tuple[date, date]:
        return day - timedelta(days=400), day + timedelta(days=400)

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.start == candidate.start
        )


class CapacityKeyedByStart(Policy):
    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        # The counter key is (date, start): another service's session at that time shares it.
        return booked.day == candidate.day and booked.start == candidate.start


class StaffOverlapMissed(Policy):
    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        if booked.service_id != candidate.service_id:
            return False  # only the same service's sessions are compared
        return super().staff_overlap(booked, candidate)


class WindowUnchecked(Policy):
    def window_covers(self, windows: Iterable[Window], candidate: Candidate) -> bool:
        return True


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


class CapacityChangeIgnored(Policy):
    """The capacity is cached per service at first use and never invalidated."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def effective_capacity(self, service: CapacityConfig) -> int:
        key = getattr(service, "id", None) or str(id(service))
        return self._cache.setdefault(key, super().effective_capacity(service))


# ---- grid serialisation ----
class GridSeconds(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["start_time"], body["end_time"] = fmt_time(slot.start), fmt_time(slot.end)
        return body


class GridCapacityNotReduced(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["available_capacity"] = slot.assessment.capacity
        return body


class GridAvailableWhenFull(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        return {**super().grid_slot(slot), "is_available": True}


class GridWithoutMetadata(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> Any:
        return None


# ---- status codes ----
class Conflict400(Policy):
    def conflict_status(self) -> int:
        return 400


class Created200(Policy):
    def booking_created_status(self) -> int:
        return 200


# name, bug, real-world source, checklist ids that MUST fail, policy.
# fmt: off
_TABLE: tuple[tuple[str, str, str, tuple[str, ...], type[Policy]], ...] = (
    ("capacity-off-by-one", "capacity limit + 1 accepted (booked > max instead of >=)", "calcom #13331",
     ("S1-2", "S3-5", "S3-7", "A-2", "B-4"), CapacityOffByOne),
    ("parallel-flag-ignored", "parallel settings ignored: every session unlimited", "calcom #13331",
     ("S1-2", "S3-5", "S3-7", "S5-3", "A-1", "A-2"), ParallelFlagIgnored),
    ("single-takes-two", "a single-booking service takes two bookings", "easyappointments #996",
     ("S1-2", "S1-4", "S5-3", "R-1"), SingleTakesTwo),
    ("cancelled-counted", "cancelled bookings still counted", "Hi.Events #466",
     ("S7-2", "S7-3", "S7-6"), CancelledCounted),
    ("no-show-counted", "no-show bookings still counted", "",
     ("S7-5",), NoShowCounted),
    ("reschedule-counts-self", "reschedule counts the appointment against itself", "calcom #12348",
     ("S6-6", "S6-7"), RescheduleCountsSelf),
    ("reschedule-skips-capacity", "reschedule skips the capacity check", "",
     ("S6-4", "S6-8"), RescheduleSkipsCapacity),
    ("capacity-all-dates", "capacity counted across all dates", "",
     ("D-2", "D-3"), CapacityAllDates),
    ("capacity-keyed-by-start", "capacity keyed by date and start time only", "easyappointments #792",
     ("S5-6",), CapacityKeyedByStart),
    ("staff-overlap-missed", "staff overlap across services not detected", "calcom #13269",
     ("C-1", "C-2"), StaffOverlapMissed),
    ("window-unchecked", "staff availability window not checked", "",
     ("X-8",), WindowUnchecked),
    ("unlocked", "check-then-insert without a lock (30 ms gap)", "calcom #13397",
     ("A-1", "A-2"), Unlocked),
    ("lowering-cancels", "lowering capacity cancels existing bookings", "pretix #135",
     ("B-1", "B-3"), LoweringCancels),
    ("capacity-change-ignored", "capacity change ignored (cached capacity)", "alf.io #330",
     ("B-2",), CapacityChangeIgnored),
    ("grid-seconds", "grid times as HH:MM:SS", "",
     ("S2-9", "S4-7"), GridSeconds),
    ("grid-capacity-not-reduced", "grid available_capacity not reduced by bookings", "calcom #17542",
     ("S2-4", "S3-3", "S4-3", "S4-9"), GridCapacityNotReduced),
    ("grid-available-when-full", "grid is_available true when full", "calcom #17542",
     ("S3-4", "S4-6", "S7-1"), GridAvailableWhenFull),
    ("grid-without-metadata", "grid without metadata", "",
     ("S2-8", "S3-2", "S4-8"), GridWithoutMetadata),
    ("conflict-400", "conflict answered 400 instead of 409", "",
     ("S1-2", "S3-5", "S5-3", "C-1", "X-6"), Conflict400),
    ("created-200", "booking answered 200 instead of 201", "",
     ("S1-1", "S2-1", "S3-1"), Created200),
)
# fmt: on
FAULTS: dict[str, Fault] = {row[0]: Fault(*row) for row in _TABLE}


def policy_for(name: str) -> Policy:
    """A fresh policy with the named defect; ValueError (listing the names) when unknown."""
    fault = FAULTS.get(name.strip().lower().replace("_", "-"))
    if fault is None:
        raise ValueError(f"unknown fault {name!r}; known faults: {', '.join(FAULTS)}")
    policy = fault.policy()
    policy.name = fault.name
    return policy

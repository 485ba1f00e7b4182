"""The reads behind the capacity check and the grid: active items and weekly windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from reference_server.models import AppointmentItem, AvailabilityWindow
from reference_server.repository.direct import DirectStatement, Sent, deferred_rows, transaction_state
from reference_server.rules import Booked, Window, date_range

_I = AppointmentItem.__table__.c
# Served by ix_items_staff_day_status (staff_id, appointment_date, status).
_BOOKED_QUERY = select(
    _I.appointment_id,
    _I.customer_id,
    _I.service_id,
    _I.staff_id,
    _I.appointment_date,
    _I.start_minute,
    _I.block_end_minute,
).where(
    _I.staff_id.in_(bindparam("staff_ids", expanding=True)),
    _I.appointment_date.between(bindparam("first"), bindparam("last")),
    _I.status.in_(bindparam("statuses", expanding=True)),
    _I.tenant_id == bindparam("tenant_id"),
)
_BOOKED = DirectStatement(_BOOKED_QUERY)
_BOOKED_ON_DAYS = DirectStatement(
    _BOOKED_QUERY.with_only_columns(*_BOOKED_QUERY.selected_columns).where(
        _I.appointment_date.in_(bindparam("days", expanding=True))
    )
)
INSERT_ITEM = DirectStatement(insert(AppointmentItem.__table__))
BOOKED = transaction_state("prefetched_booked")  # a Prefetched


@dataclass(frozen=True, slots=True)
class Prefetched:
    """Counted items read for a group-commit batch, before any of its units wrote."""

    tenant_id: str
    staff_ids: frozenset[str]
    days: frozenset[date]
    statuses: tuple[str, ...]
    rows: list[Booked]

    def covers(
        self, tenant_id: str, staff_ids: Collection[str], days: tuple[date, date], statuses: Collection[str]
    ) -> bool:
        return (
            tenant_id == self.tenant_id
            and tuple(statuses) == self.statuses
            and self.staff_ids.issuperset(staff_ids)
            and self.days.issuperset(date_range(*days))
        )


def prefetch_booked(
    session: Session,
    *,
    tenant_id: str,
    staff_ids: Collection[str],
    days: Collection[date],
    statuses: tuple[str, ...],
) -> Callable[[], None]:
    """Send the read of the counted items of these staff members on these dates, for the batch;
    the returned callable stores them in the transaction (after the pipeline's answer)."""
    params = {
        "staff_ids": sorted(staff_ids),
        "first": min(days),
        "last": max(days),
        "days": sorted(days),
        "statuses": list(statuses),
        "tenant_id": tenant_id,
    }
    sent = _BOOKED_ON_DAYS.send(session, params)

    def store() -> None:
        rows = [Booked(*row) for row in sent.rows()]
        session.info[BOOKED] = Prefetched(tenant_id, frozenset(staff_ids), frozenset(days), statuses, rows)

    return store


_BOOKED_EXCLUDING = DirectStatement(_BOOKED_QUERY.where(_I.appointment_id != bindparam("exclude")))
_W = AvailabilityWindow.__table__.c
_WINDOWS = DirectStatement(
    select(_W.staff_id, _W.day_of_week, _W.start_minute, _W.end_minute)
    .where(_W.staff_id.in_(bindparam("staff_ids", expanding=True)), _W.is_available.is_(True))
    .order_by(_W.start_minute)
)


def load_booked(
    session: Session,
    *,
    tenant_id: str,
    staff_ids: Collection[str],
    days: tuple[date, date],
    statuses: Collection[str],
    exclude_appointment_id: str | None = None,
) -> list[Booked]:
    """Items of these staff members in [days[0], days[1]] whose status counts; one indexed query,
    or none when a group commit prefetched them. Items written by this transaction but held
    back (direct.defer_writes) count too."""
    first, last = days
    prefetched = session.info.get(BOOKED)
    if prefetched is not None and prefetched.covers(tenant_id, staff_ids, days, statuses):
        found = [
            b
            for b in prefetched.rows
            if b.staff_id in staff_ids
            and first <= b.day <= last
            and b.appointment_id != exclude_appointment_id
        ]
    else:
        params = {
            "staff_ids": list(staff_ids),
            "first": first,
            "last": last,
            "statuses": list(statuses),
            "tenant_id": tenant_id,
        }
        query = _BOOKED
        if exclude_appointment_id is not None:
            query, params["exclude"] = _BOOKED_EXCLUDING, exclude_appointment_id
        found = [Booked(*row) for row in query.rows(session, params)]
    for r in deferred_rows(session, INSERT_ITEM):
        if (
            r["tenant_id"] == tenant_id
            and r["staff_id"] in staff_ids
            and first <= r["appointment_date"] <= last
            and r["status"] in statuses
            and r["appointment_id"] != exclude_appointment_id
        ):
            found.append(
                Booked(
                    r["appointment_id"],
                    r["customer_id"],
                    r["service_id"],
                    r["staff_id"],
                    r["appointment_date"],
                    r["start_minute"],
                    r["block_end_minute"],
                )
            )
    return found


WINDOWS = transaction_state("prefetched_windows")  # (staff ids, their windows as load_windows gives)


def load_windows(session: Session, *, staff_ids: Collection[str]) -> dict[tuple[str, int], list[Window]]:
    """Open weekly windows per (staff_id, weekday), sorted by start; from the transaction's
    prefetched windows when a group commit read them for a superset of `staff_ids` (the
    answer may then hold other staff members' windows too)."""
    prefetched = session.info.get(WINDOWS)
    if prefetched is not None and prefetched[0].issuperset(staff_ids):
        return prefetched[1]
    return _windows(_WINDOWS.send(session, {"staff_ids": list(staff_ids)}))


def prefetch_windows(session: Session, *, staff_ids: Collection[str]) -> Callable[[], None]:
    """Send the read of these staff members' windows; the returned callable stores them."""
    sent = _WINDOWS.send(session, {"staff_ids": sorted(staff_ids)})

    def store() -> None:
        session.info[WINDOWS] = (frozenset(staff_ids), _windows(sent))

    return store


def _windows(sent: Sent) -> dict[tuple[str, int], list[Window]]:
    windows: dict[tuple[str, int], list[Window]] = defaultdict(list)
    for staff_id, weekday, start, end in sent.rows():
        windows[(staff_id, weekday)].append(Window(start, end))
    return windows

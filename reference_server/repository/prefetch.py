"""The reads of a whole PostgreSQL group-commit batch in one statement (pg_group_commit.py).

A booking unit reads its customer, outlet, services and staff members, their weekly windows
and the items it counts: six statements, each ~0.15 ms of driver CPU on this kind of machine
before the database does anything. Known before the unit runs (`Needs`), they are read for
the whole batch by one UNION ALL, sent right after the batch's locks, and the unit's own
`fetch`, `load_windows` and `load_booked` find them in the transaction (session.info)
instead of asking again. Booking units write none of the records and windows; the items
they write are held back (direct.defer_writes) and load_booked adds those to what was read,
so each unit counts exactly what it would have counted alone. A batch of several tenants
or counting rules is not prefetched: its units read for themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, SessionTransaction

from reference_server.models import AppointmentItem, AvailabilityWindow
from reference_server.repository.items import BOOKED, WINDOWS, Prefetched
from reference_server.repository.lookups import MODELS, RECORDS
from reference_server.repository.union import Part, TypedUnion
from reference_server.rules import Booked, Window
from reference_server.schemas.common import ID_PATTERN


@dataclass(frozen=True, slots=True)
class Needs:
    """What a write unit will lock and read, known before it runs."""

    tenant_id: str
    staff_ids: tuple[str, ...]
    records: tuple[tuple[type[Any], str], ...] = ()  # (lookups' Info class, id)
    days: tuple[date, ...] = ()  # the dates whose counted items it loads
    statuses: tuple[str, ...] = ()  # the statuses that count


def _ids(name: str, item: Any = String) -> Any:
    return any_(bindparam(name, type_=ARRAY(item)))


def _parts() -> dict[str, Part]:
    parts = {}
    for info, model in MODELS.items():
        c = model.__table__.c
        where = [c.tenant_id == bindparam("tenant_id"), c.id == _ids(info.__name__)]
        parts[info.__name__] = ([c[f.name] for f in fields(info)], where)
    w, i = AvailabilityWindow.__table__.c, AppointmentItem.__table__.c
    parts["window"] = (
        [w.staff_id, w.day_of_week, w.start_minute, w.end_minute],
        [
            w.staff_id == _ids("staff_ids"),
            w.day_of_week == _ids("weekdays", Integer),
            w.is_available.is_(True),
        ],
    )
    # Served by ix_items_staff_day_status (staff_id, appointment_date, status).
    parts["booked"] = (
        [
            i.appointment_id,
            i.customer_id,
            i.service_id,
            i.staff_id,
            i.appointment_date,
            i.start_minute,
            i.block_end_minute,
        ],
        [
            i.staff_id == _ids("staff_ids"),
            i.appointment_date == _ids("days", Date),
            i.status == _ids("statuses"),
            i.tenant_id == bindparam("tenant_id"),
        ],
    )
    return parts


_READS = TypedUnion(_parts())
_INFOS = {info.__name__: info for info in MODELS}


def prefetch(session: Session, needs: list[Needs]) -> None:
    """Read every record, window and counted item the units of `needs` will ask for, into the
    transaction, with one statement (inside a pipeline: no round trip of its own)."""
    if len({(n.tenant_id, n.statuses) for n in needs}) != 1:
        return  # several tenants or counting rules: rare; the units read for themselves
    tenant_id, statuses = needs[0].tenant_id, needs[0].statuses
    wanted: dict[type[Any], set[str]] = {info: set() for info in MODELS}
    for need in needs:
        for info, record_id in need.records:
            if isinstance(record_id, str) and ID_PATTERN.match(record_id):
                wanted[info].add(record_id)
    staff = frozenset(s for n in needs for s in n.staff_ids)
    days = frozenset(d for n in needs for d in n.days)
    weekdays = frozenset(d.weekday() for d in days)
    params: dict[str, Any] = {info.__name__: sorted(ids) for info, ids in wanted.items()}
    params |= {"tenant_id": tenant_id, "staff_ids": sorted(staff), "statuses": list(statuses)}
    params |= {"days": sorted(days), "weekdays": sorted(weekdays)}
    # Asked for and absent: a 404 from the cache, as from the database.
    records: dict[tuple[type[Any], str, str], Any] = {
        (info, tenant_id, i): None for info, ids in wanted.items() for i in ids
    }
    windows: dict[tuple[str, int], list[Window]] = defaultdict(list)
    booked: list[Booked] = []
    for row in _READS.statement.rows(session, params):
        kind, values = row[0], [row[i] for i in _READS.pick[row[0]]]
        if kind == "booked":
            booked.append(Booked(*values))
        elif kind == "window":
            windows[(values[0], values[1])].append(Window(values[2], values[3]))
        else:
            record = _INFOS[kind](*values)
            records[(_INFOS[kind], tenant_id, record.id)] = record
    for found in windows.values():
        found.sort(key=lambda w: w.start)
    session.info[RECORDS] = records
    session.info[WINDOWS] = (staff, weekdays, windows)
    session.info[BOOKED] = Prefetched(tenant_id, staff, days, statuses, booked)


@event.listens_for(Session, "after_flush")
def _stale(session: Session, _context: Any) -> None:
    forget(session)  # a unit wrote through the ORM: the batch's reads may no longer hold


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        forget(session)


def forget(session: Session) -> None:
    session.info.pop(RECORDS, None)
    session.info.pop(WINDOWS, None)
    session.info.pop(BOOKED, None)

"""The reads of a whole PostgreSQL group-commit batch, sent together (pg_group_commit.py).

A booking unit reads its customer, outlet, services and staff members, their weekly windows
and the items it counts: six statements per booking. Known before the unit runs (`Needs`),
they are read once for the whole batch, one statement per kind with every id of the batch,
all sent in the pipeline that takes the batch's locks (one round trip); the unit's own
`fetch`, `load_windows` and `load_booked` then find them in the transaction (session.info).
Booking units write none of the records and windows; the items they write are held back
(direct.defer_writes) and load_booked adds those to what was read, so each unit counts
exactly what it would have counted alone. One UNION ALL of all six reads was tried and
measured: it cost PostgreSQL more than it saved here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from reference_server.repository.items import BOOKED, WINDOWS, prefetch_booked, prefetch_windows
from reference_server.repository.lookups import RECORDS, send_many
from reference_server.schemas.common import ID_PATTERN


@dataclass(frozen=True, slots=True)
class Needs:
    """What a write unit will lock and read, known before it runs."""

    tenant_id: str
    staff_ids: tuple[str, ...]
    records: tuple[tuple[type[Any], str], ...] = ()  # (lookups' Info class, id)
    days: tuple[date, ...] = ()  # the dates whose counted items it loads
    statuses: tuple[str, ...] = ()  # the statuses that count


def prefetch(session: Session, needs: list[Needs]) -> None:
    """Read every record, window and counted item the units of `needs` will ask for, into the
    transaction: every statement is sent before the first answer is read (in a pipeline:
    one round trip, after whatever the pipeline sent first, e.g. the batch's locks)."""
    wanted: dict[tuple[type[Any], str], set[str]] = defaultdict(set)
    for need in needs:
        for info, record_id in need.records:
            if isinstance(record_id, str) and ID_PATTERN.match(record_id):
                wanted[(info, need.tenant_id)].add(record_id)
    sent = [(key, ids, send_many(session, key[0], key[1], sorted(ids))) for key, ids in wanted.items()]
    stores = []
    staff = {s for n in needs for s in n.staff_ids}
    if staff:
        stores.append(prefetch_windows(session, staff_ids=staff))
    counted = {(n.tenant_id, n.statuses) for n in needs if n.days and n.staff_ids}
    if len(counted) == 1:  # one tenant, one policy: the usual batch (others read item by item)
        ((tenant_id, statuses),) = counted
        days = {d for n in needs for d in n.days}
        stores.append(
            prefetch_booked(session, tenant_id=tenant_id, staff_ids=staff, days=days, statuses=statuses)
        )
    cache: dict[tuple[type[Any], str, str], Any] = {}
    for (info, tenant_id), ids, statement in sent:
        cache.update(dict.fromkeys(((info, tenant_id, i) for i in ids), None))  # missing: 404
        for row in statement.rows():
            record = info(*row)
            cache[(info, tenant_id, record.id)] = record
    session.info[RECORDS] = cache
    for store in stores:
        store()


@event.listens_for(Session, "after_flush")
def _stale(session: Session, _context: Any) -> None:
    # A unit wrote through the ORM: the batch's reads may no longer hold.
    for key in (RECORDS, WINDOWS, BOOKED):
        session.info.pop(key, None)

"""The availability grid (CONTRACT.md §6): one query for items, one for windows, then a sweep
over each staff member's day with the same counting function the booking path uses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.models import Staff
from reference_server.policy import GridSlot, Policy
from reference_server.repository.items import load_booked, load_windows
from reference_server.repository.lookups import OutletInfo, ServiceInfo, StaffInfo, fetch
from reference_server.rules import Booked, Candidate, date_range
from reference_server.services import uow


@dataclass(frozen=True, slots=True)
class GridQuery:
    outlet_id: str
    service_id: str
    start_date: date
    end_date: date
    staff_id: str | None
    slot_interval_minutes: int

    @property
    def days(self) -> list[date]:
        return date_range(self.start_date, self.end_date)


_S = Staff.__table__.c
_OUTLET_STAFF = select(_S.id, _S.service_ids).where(
    _S.tenant_id == bindparam("tenant_id"),
    _S.is_active.is_(True),
    or_(_S.outlet_id == bindparam("outlet_id"), _S.outlet_id.is_(None)),
)


def _staff(
    session: Session, policy: Policy, tenant_id: str, q: GridQuery, outlet: OutletInfo, service: ServiceInfo
) -> list[str]:
    """The queried staff member, or every active one of the outlet who may perform the service."""
    staff_id = policy.grid_staff_filter(q.staff_id)
    if staff_id is not None:
        return [fetch(session, StaffInfo, tenant_id, staff_id, "Staff member").id]
    rows = session.connection().execute(_OUTLET_STAFF, {"tenant_id": tenant_id, "outlet_id": outlet.id})
    return [staff_id for staff_id, allowed in rows if not allowed or service.id in allowed]


def build(*, db: Database, policy: Policy, tenant_id: str, q: GridQuery) -> dict[str, Any]:
    """The grid for one service over a date range, serialised through the policy."""

    def work(session: Session) -> dict[str, Any]:
        outlet = fetch(session, OutletInfo, tenant_id, q.outlet_id, "Outlet")
        service = fetch(session, ServiceInfo, tenant_id, q.service_id, "Service")
        staff_ids = _staff(session, policy, tenant_id, q, outlet, service)
        grid = _grid(session, policy, tenant_id, q, service, staff_ids)
        metadata = {
            "service_id": service.id,
            "service_name": service.name,
            "outlet_id": outlet.id,
            "outlet_name": outlet.name,
            "staff_id": q.staff_id,
            "total_available_slots": sum(len(slots) for slots in grid.values()),
            "service_duration_minutes": service.duration_minutes,
        }
        return {
            "start_date": q.start_date.isoformat(),
            "end_date": q.end_date.isoformat(),
            "num_days": len(q.days),
            "slot_interval_minutes": q.slot_interval_minutes,
            "availability_grid": grid,
            "metadata": policy.grid_metadata(metadata),
        }

    return uow.read(db, work)


def _grid(
    session: Session, policy: Policy, tenant_id: str, q: GridQuery, service: ServiceInfo, staff_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    days = q.days
    windows = load_windows(session, staff_ids=staff_ids)
    span = (policy.counting_days(days[0])[0], policy.counting_days(days[-1])[1])
    booked = (
        load_booked(
            session, tenant_id=tenant_id, staff_ids=staff_ids, days=span, statuses=policy.active_statuses()
        )
        if staff_ids
        else []
    )
    buckets: dict[tuple[str, date], list[Booked]] = defaultdict(list)
    for item in booked:
        buckets[(item.staff_id, item.day)].append(item)
    capacity = policy.grid_capacity(service)
    listed_booked = policy.grid_lists_booked_starts()
    # Plain locals: attribute access inside the slot loop costs more than the counting.
    service_id, duration, parallel = service.id, service.duration_minutes, service.allow_parallel_bookings
    block = duration + service.preparation_minutes + service.cleanup_minutes
    grid: dict[str, list[dict[str, Any]]] = {}
    for day in days:
        slots: list[GridSlot] = []
        for staff_id in staff_ids:
            day_windows = windows.get((staff_id, day.weekday()))
            if not day_windows:
                continue  # no window that day: no slots, booked or not (§6 last rule)
            items = _items(policy, buckets, staff_id, day)
            starts = set(
                policy.grid_candidate_starts(
                    day_windows,
                    block_minutes=block,
                    duration_minutes=duration,
                    interval=q.slot_interval_minutes,
                )
            )
            if listed_booked:
                starts.update(b.start for b in items if b.service_id == service_id and b.day == day)
            for start in starts:
                found = policy.assess(
                    items, Candidate(service_id, staff_id, day, start, start + block), capacity
                )
                slots.append(GridSlot(staff_id, start, start + duration, parallel, found))
        slots.sort(key=lambda s: (s.start, s.staff_id))
        grid[day.isoformat()] = [policy.grid_slot(s) for s in slots]
    return grid


def _items(
    policy: Policy, buckets: dict[tuple[str, date], list[Booked]], staff_id: str, day: date
) -> list[Booked]:
    """The staff member's items on the dates that count for `day` (just `day` by default)."""
    first, last = policy.counting_days(day)
    if first == last:
        return buckets.get((staff_id, first), [])
    return [b for d in date_range(first, last) for b in buckets.get((staff_id, d), [])]

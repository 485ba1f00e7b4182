"""The reads behind the capacity check and the grid: active items and weekly windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_server.models import AppointmentItem, AvailabilityWindow
from reference_server.rules import Booked, Window


def load_booked(
    session: Session,
    *,
    tenant_id: str,
    staff_ids: Collection[str],
    days: tuple[date, date],
    statuses: Collection[str],
    exclude_appointment_id: str | None = None,
) -> list[Booked]:
    """Items of these staff members in [days[0], days[1]] whose status counts; one indexed query."""
    t = AppointmentItem
    query = select(
        t.appointment_id,
        t.customer_id,
        t.service_id,
        t.staff_id,
        t.appointment_date,
        t.start_minute,
        t.block_end_minute,
    ).where(
        t.staff_id.in_(list(staff_ids)),
        t.appointment_date.between(days[0], days[1]),
        t.status.in_(list(statuses)),
        t.tenant_id == tenant_id,
    )
    if exclude_appointment_id is not None:
        query = query.where(t.appointment_id != exclude_appointment_id)
    return [Booked(*row) for row in session.execute(query)]


def load_windows(session: Session, *, staff_ids: Collection[str]) -> dict[tuple[str, int], list[Window]]:
    """Open weekly windows per (staff_id, weekday), sorted by start."""
    w = AvailabilityWindow
    query = (
        select(w.staff_id, w.day_of_week, w.start_minute, w.end_minute)
        .where(w.staff_id.in_(list(staff_ids)), w.is_available.is_(True))
        .order_by(w.start_minute)
    )
    windows: dict[tuple[str, int], list[Window]] = defaultdict(list)
    for staff_id, weekday, start, end in session.execute(query):
        windows[(staff_id, weekday)].append(Window(start, end))
    return windows

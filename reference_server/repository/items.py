"""The reads behind the capacity check and the grid: active items and weekly windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from reference_server.models import AppointmentItem, AvailabilityWindow
from reference_server.repository.direct import DirectStatement
from reference_server.rules import Booked, Window

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
    """Items of these staff members in [days[0], days[1]] whose status counts; one indexed query."""
    params = {
        "staff_ids": list(staff_ids),
        "first": days[0],
        "last": days[1],
        "statuses": list(statuses),
        "tenant_id": tenant_id,
    }
    query = _BOOKED
    if exclude_appointment_id is not None:
        query, params["exclude"] = _BOOKED_EXCLUDING, exclude_appointment_id
    return [Booked(*row) for row in query.rows(session, params)]


def load_windows(session: Session, *, staff_ids: Collection[str]) -> dict[tuple[str, int], list[Window]]:
    """Open weekly windows per (staff_id, weekday), sorted by start."""
    windows: dict[tuple[str, int], list[Window]] = defaultdict(list)
    for staff_id, weekday, start, end in _WINDOWS.rows(session, {"staff_ids": list(staff_ids)}):
        windows[(staff_id, weekday)].append(Window(start, end))
    return windows

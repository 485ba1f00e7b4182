"""Weekly availability windows of staff members (CONTRACT.md §3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict, InvalidInput, not_found
from reference_server.models import AvailabilityWindow, Outlet, Staff
from reference_server.policy import Policy
from reference_server.repository.records import find, load, paged
from reference_server.rules import DAYS, Window, fmt_time
from reference_server.schemas.catalog import AvailabilityCreate
from reference_server.schemas.common import page_of, utc
from reference_server.services import uow


def public(window: AvailabilityWindow) -> dict[str, Any]:
    return {
        "id": window.id,
        "staff_id": window.staff_id,
        "day_of_week": DAYS[window.day_of_week],
        "start_time": fmt_time(window.start_minute),
        "end_time": fmt_time(window.end_minute),
        "is_available": window.is_available,
        "outlet_id": window.outlet_id,
        "created_at": utc(window.created_at),
    }


def create(*, db: Database, policy: Policy, tenant_id: str, body: AvailabilityCreate) -> dict[str, Any]:
    """Add a window; one that overlaps another of the same staff member and day is a 409."""
    weekday = DAYS.index(body.day_of_week)
    if not policy.window_ends_after_start(body.start_time, body.end_time):
        raise InvalidInput(("body", "end_time"), "end_time must be after start_time")

    def work(session: Session) -> dict[str, Any]:
        # The staff lock keeps two overlapping windows from passing the check together.
        policy.lock(session, tenant_id=tenant_id, staff_ids=[body.staff_id])
        staff = load(session, Staff, tenant_id, body.staff_id, "Staff member")
        outlet_id = body.outlet_id or staff.outlet_id
        if body.outlet_id is not None:
            load(session, Outlet, tenant_id, body.outlet_id, "Outlet")
        w = AvailabilityWindow
        rows = session.execute(
            select(w.start_minute, w.end_minute).where(w.staff_id == staff.id, w.day_of_week == weekday)
        )
        if policy.windows_overlap([Window(*row) for row in rows], Window(body.start_time, body.end_time)):
            raise Conflict(
                f"Staff member {staff.full_name} already has an availability window on "
                f"{body.day_of_week} that overlaps {fmt_time(body.start_time)}-{fmt_time(body.end_time)}"
            )
        window = AvailabilityWindow(
            tenant_id=tenant_id,
            staff_id=staff.id,
            outlet_id=outlet_id,
            day_of_week=weekday,
            start_minute=body.start_time,
            end_minute=body.end_time,
            is_available=body.is_available,
        )
        session.add(window)
        session.flush()
        return public(window)

    return uow.write(db, work)


def list_page(*, db: Database, tenant_id: str, staff_id: str | None, page: int, size: int) -> dict[str, Any]:
    """The tenant's windows (of one staff member when given), by weekday and start."""
    w = AvailabilityWindow
    query = select(w).where(w.tenant_id == tenant_id).order_by(w.staff_id, w.day_of_week, w.start_minute)
    if staff_id is not None:
        query = query.where(w.staff_id == staff_id)

    def work(session: Session) -> dict[str, Any]:
        rows, total = paged(session, query, page=page, size=size)
        return page_of([public(r) for r in rows], total=total, page=page, size=size)

    return uow.read(db, work)


def delete(*, db: Database, tenant_id: str, window_id: str) -> None:
    """Remove a window; bookings already made in it stay."""

    def work(session: Session) -> None:
        window = find(session, AvailabilityWindow, tenant_id, window_id)
        if window is None:
            raise not_found("Availability window")
        session.delete(window)

    uow.write(db, work)

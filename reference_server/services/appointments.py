"""Reading appointments and moving their status (CONTRACT.md §4)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict
from reference_server.models import Appointment, AppointmentItem, Customer, Service, Staff, utcnow
from reference_server.policy import Policy
from reference_server.repository.records import load, paged
from reference_server.rules import fmt_time
from reference_server.schemas.common import page_of, utc
from reference_server.services import uow

KIND = "Appointment"


def public_many(session: Session, appointments: list[Appointment]) -> list[dict[str, Any]]:
    """Response bodies for appointments, with names of services, staff and customer (3 queries)."""
    ids = [a.id for a in appointments]
    i = AppointmentItem
    rows = session.execute(
        select(i, Service.name, Staff.first_name, Staff.last_name)
        .join(Service, Service.id == i.service_id)
        .join(Staff, Staff.id == i.staff_id)
        .where(i.appointment_id.in_(ids))
        .order_by(i.appointment_id, i.position)
    )
    items: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item, service_name, first, last in rows:
        staff_name = f"{first} {last}".strip()
        items[item.appointment_id].append(
            item_body(
                item.service_id,
                service_name,
                item.staff_id,
                staff_name,
                item.start_minute,
                item.duration_minutes,
            )
        )
    customer_ids = {a.customer_id for a in appointments}
    names = {
        c.id: c.full_name for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    }
    return [body(a, items[a.id], names.get(a.customer_id, "")) for a in appointments]


def item_body(
    service_id: str, service_name: str, staff_id: str, staff_name: str, start: int, duration: int
) -> dict:
    return {
        "service_id": service_id,
        "service_name": service_name,
        "staff_id": staff_id,
        "staff_name": staff_name,
        "start_time": fmt_time(start),
        "end_time": fmt_time(start + duration),
        "duration_minutes": duration,
    }


def body(a: Appointment, items: list[dict[str, Any]], customer_name: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "status": a.status,
        "appointment_date": a.appointment_date,
        "customer_id": a.customer_id,
        "outlet_id": a.outlet_id,
        "services": items,
        "customer": {"id": a.customer_id, "name": customer_name},
        "notes": a.notes,
        "cancellation_reason": a.cancellation_reason,
        "created_at": utc(a.created_at),
        "updated_at": utc(a.updated_at),
    }


def public(session: Session, appointment: Appointment) -> dict[str, Any]:
    return public_many(session, [appointment])[0]


def get(*, db: Database, policy: Policy, tenant_id: str, appointment_id: str) -> dict[str, Any]:
    """One appointment of the tenant (404 for another tenant's, C2.4)."""

    def work(s: Session) -> dict[str, Any]:
        owner = policy.reference_tenant(s, Appointment, appointment_id, tenant_id)
        return public(s, load(s, Appointment, owner, appointment_id, KIND))

    return uow.read(db, work)


def list_page(
    *, db: Database, policy: Policy, tenant_id: str, page: int, size: int, filters: dict[str, Any]
) -> dict[str, Any]:
    """Appointments by date and start, filtered by date, staff_id, service_id, status, customer_id."""
    filters = policy.list_filters(filters)
    a, i = Appointment, AppointmentItem
    query = select(a).where(a.tenant_id == tenant_id).order_by(a.appointment_date, a.start_minute, a.id)
    day: date | None = filters.get("date")
    if day is not None:
        query = query.where(a.appointment_date == day)
    for name in ("status", "customer_id", "outlet_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(a, name) == filters[name])
    for name in ("staff_id", "service_id"):
        if filters.get(name) is not None:
            query = query.where(a.id.in_(select(i.appointment_id).where(getattr(i, name) == filters[name])))

    def work(session: Session) -> dict[str, Any]:
        rows, total = paged(session, query, page=page, size=size)
        return page_of(public_many(session, rows), total=total, page=page, size=size)

    return uow.read(db, work)


def set_status(
    *,
    db: Database,
    policy: Policy,
    tenant_id: str,
    appointment_id: str,
    status: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """Move to `status` if the contract allows it from the current one, else 409, nothing changed."""

    def work(session: Session) -> dict[str, Any]:
        appointment = load(session, Appointment, tenant_id, appointment_id, KIND, lock=True)
        if not policy.can_transition(appointment.status, status):
            raise Conflict(f"Appointment {appointment.id} is {appointment.status} and cannot become {status}")
        # Freeing capacity needs no lock (pretix rule); the items carry the status for the count.
        appointment.status = status
        appointment.updated_at = utcnow()
        if status == "cancelled":
            appointment.cancellation_reason = reason
        session.execute(
            update(AppointmentItem)
            .where(AppointmentItem.appointment_id == appointment.id)
            .values(status=status)
        )
        return public(session, appointment)

    return uow.write(db, work)

"""Booking and rescheduling: lock the staff pools, judge every session, write (CONTRACT.md §4-§5)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import BusinessRuleBroken, Conflict, InvalidInput, not_found
from reference_server.models import Appointment, AppointmentItem, Outlet, Service, Staff, new_id, utcnow
from reference_server.policy import Policy
from reference_server.repository.direct import DirectStatement
from reference_server.repository.items import INSERT_ITEM
from reference_server.repository.lookups import CustomerInfo, OutletInfo, ServiceInfo, StaffInfo, fetch
from reference_server.repository.prefetch import Needs
from reference_server.repository.records import load
from reference_server.rules import RESCHEDULABLE, date_range
from reference_server.schemas.booking import AppointmentCreate, RescheduleRequest
from reference_server.services import appointments, clients, uow
from reference_server.services.capacity import Request, check_booking_window, check_sessions, check_staff_fit


def booking_unit(
    *, policy: Policy, tenant_id: str, body: AppointmentCreate
) -> Callable[[Session], dict[str, Any]]:
    """The write unit that books one appointment of one or more sessions, or refuses it whole
    (400/404/409/422); run it with uow.submit (group commit) or uow.write."""

    def work(session: Session) -> dict[str, Any]:
        # Lock first, read after: every read below sees the previous holder's commit.
        policy.lock(session, tenant_id=tenant_id, staff_ids=[i.staff_id for i in body.services])
        keys = [(i.staff_id, i.service_id, body.appointment_date, i.start_time) for i in body.services]
        policy.lock_sessions(session, tenant_id=tenant_id, sessions=keys)
        customer = policy.booking_customer(session, tenant_id, body.customer_id)
        if not customer.is_active:
            raise not_found("Customer")
        outlet = fetch(session, OutletInfo, tenant_id, body.outlet_id, "Outlet")
        requests = _requests(session, policy, tenant_id, body)
        check_booking_window(policy, outlet, requests)
        check_staff_fit(requests)
        check_sessions(session, policy, tenant_id=tenant_id, customer=customer, requests=requests)
        policy.between_check_and_insert(session)
        appointment = _insert(session, tenant_id, body, requests)
        # Built from what is in hand: the names were loaded for the checks, no re-query.
        items = [
            appointments.item_body(
                r.service.id,
                r.service.name,
                r.staff.id,
                r.staff.full_name,
                r.start,
                r.service.duration_minutes,
            )
            for r in requests
        ]
        return appointments.body(appointment, items, customer.full_name)

    return work


def needs(policy: Policy, tenant_id: str, body: AppointmentCreate) -> Needs:
    """What booking_unit will lock and read (a group commit reads a batch's in bulk)."""
    first, last = policy.counting_days(body.appointment_date)
    return Needs(
        tenant_id,
        tuple(i.staff_id for i in body.services),
        (
            (CustomerInfo, body.customer_id),
            (OutletInfo, body.outlet_id),
            *((ServiceInfo, i.service_id) for i in body.services),
            *((StaffInfo, i.staff_id) for i in body.services),
        ),
        tuple(date_range(first, last)),
        policy.active_statuses(),
    )


def _requests(session: Session, policy: Policy, tenant_id: str, body: AppointmentCreate) -> list[Request]:
    requests = []
    seen: dict[tuple[type, str], Any] = {}  # one read per record and request, like the identity map

    def get(info: type, record_id: str, kind: str) -> Any:
        if (info, record_id) not in seen:
            owner = policy.reference_tenant(session, _MODELS[info], record_id, tenant_id)
            seen[(info, record_id)] = fetch(session, info, owner, record_id, kind)
        return seen[(info, record_id)]

    for index, item in enumerate(body.services):
        service = get(ServiceInfo, item.service_id, "Service")
        staff = get(StaffInfo, item.staff_id, "Staff member")
        if item.duration_minutes is not None and not policy.accepts_duration(
            item.duration_minutes, service.duration_minutes
        ):
            raise InvalidInput(
                ("body", "services", index, "duration_minutes"),
                f"duration_minutes must be the service's duration ({service.duration_minutes})",
            )
        if not service.is_active:
            raise BusinessRuleBroken(f"Service {service.name} is not active and cannot be booked")
        requests.append(Request(service, staff, body.appointment_date, item.start_time))
    return requests


_MODELS: dict[type, type] = {ServiceInfo: Service, StaffInfo: Staff}
_INSERT_APPOINTMENT = DirectStatement(insert(Appointment.__table__))


def _insert(
    session: Session, tenant_id: str, body: AppointmentCreate, requests: list[Request]
) -> SimpleNamespace:
    """Direct INSERTs of the appointment and its items (no ORM unit of work, no execution context)."""
    now = utcnow()
    appointment = SimpleNamespace(
        id=new_id(),
        tenant_id=tenant_id,
        outlet_id=body.outlet_id,
        customer_id=body.customer_id,
        appointment_date=body.appointment_date,
        start_minute=min(r.start for r in requests),
        status="confirmed",
        notes=body.notes,
        cancellation_reason=None,
        created_at=now,
        updated_at=now,
    )
    _INSERT_APPOINTMENT.execute(session, vars(appointment))
    items = [_item_row(appointment, position, r) for position, r in enumerate(requests)]
    INSERT_ITEM.execute(session, items if len(items) > 1 else items[0])
    return appointment


def _item_row(appointment: SimpleNamespace, position: int, r: Request) -> dict[str, Any]:
    c = r.candidate(appointment.customer_id)
    return {
        "id": new_id(),
        "appointment_id": appointment.id,
        "position": position,
        "tenant_id": appointment.tenant_id,
        "customer_id": appointment.customer_id,
        "service_id": c.service_id,
        "staff_id": c.staff_id,
        "appointment_date": c.day,
        "status": appointment.status,
        "start_minute": c.start,
        "duration_minutes": r.service.duration_minutes,
        "block_end_minute": c.block_end,
    }


def reschedule(
    *, db: Database, policy: Policy, tenant_id: str, appointment_id: str, body: RescheduleRequest
) -> dict[str, Any]:
    """Move every session (offsets kept) to a new date/time/staff; a full target is a 409."""

    def work(session: Session) -> dict[str, Any]:
        i = AppointmentItem
        old_staff = session.scalars(select(i.staff_id).where(i.appointment_id == appointment_id)).all()
        # Old and new staff pools, sorted, in one call (deadlock-free; pretix "lock once").
        staff_ids = [*old_staff, *filter(None, [body.new_staff_id])]
        policy.lock_for_reschedule(session, tenant_id=tenant_id, staff_ids=staff_ids)
        appointment = load(session, Appointment, tenant_id, appointment_id, "Appointment", lock=True)
        if appointment.status not in RESCHEDULABLE:
            raise Conflict(f"Appointment {appointment.id} is {appointment.status} and cannot be rescheduled")
        items = session.scalars(
            select(i).where(i.appointment_id == appointment.id).order_by(i.position)
        ).all()
        requests = _moved(session, policy, tenant_id, items, body)
        targets = [(r.staff.id, r.service.id, r.day, r.start) for r in requests]
        policy.lock_sessions(session, tenant_id=tenant_id, sessions=targets)
        outlet = load(session, Outlet, tenant_id, appointment.outlet_id, "Outlet")
        check_booking_window(policy, outlet, requests)
        if body.new_staff_id is not None:
            check_staff_fit(requests)
        if policy.reschedule_checks_capacity():
            exclude = appointment.id if policy.reschedule_excludes_self() else None
            customer = clients.load_any(session, appointment.customer_id)
            check_sessions(
                session,
                policy,
                tenant_id=tenant_id,
                customer=customer,
                requests=requests,
                exclude_appointment_id=exclude,
                check_window=policy.reschedule_checks_window(),
            )
        policy.between_check_and_move(session)
        _move(appointment, items, requests)
        return appointments.public(session, appointment)

    return uow.write(db, work)


def _moved(
    session: Session, policy: Policy, tenant_id: str, items: list[AppointmentItem], body: RescheduleRequest
) -> list[Request]:
    first = items[0].start_minute
    new_staff = (
        load(session, Staff, tenant_id, body.new_staff_id, "Staff member") if body.new_staff_id else None
    )
    return [
        Request(
            session.get_one(Service, item.service_id),
            new_staff or session.get_one(Staff, item.staff_id),
            body.new_date,
            policy.moved_start(item.start_minute, first, body.new_time),
        )
        for item in items
    ]


def _move(appointment: Appointment, items: list[AppointmentItem], requests: list[Request]) -> None:
    for item, r in zip(items, requests, strict=True):
        c = r.candidate(appointment.customer_id)
        item.staff_id, item.appointment_date, item.start_minute, item.block_end_minute = (
            c.staff_id,
            c.day,
            c.start,
            c.block_end,
        )
    appointment.appointment_date = requests[0].day
    appointment.start_minute = min(r.start for r in requests)
    appointment.updated_at = utcnow()

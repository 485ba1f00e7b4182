"""Appointments (CONTRACT.md §4). Any role may book: front-desk staff book for customers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from reference_server.deps import CallerDep, DbDep, PolicyDep
from reference_server.routers.params import IdFilter, PageNo, PageSize
from reference_server.schemas.booking import (
    AppointmentCreate,
    AppointmentPublic,
    CancelRequest,
    RescheduleRequest,
    Status,
    StatusChange,
)
from reference_server.schemas.common import Day, Page, errors
from reference_server.services import appointments, booking, uow

router = APIRouter(prefix="/appointments", tags=["appointments"])


@router.post(
    "",
    response_model=AppointmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Book an appointment",
    responses=errors(400, 401, 404, 409, 422),
)
async def book(
    body: AppointmentCreate, caller: CallerDep, request: Request, response: Response
) -> dict[str, Any]:
    # The app's state read here, not through two more dependencies (~50 us each per booking).
    db, policy = request.app.state.db, request.app.state.policy
    # async on purpose: a plain def route would park one pool thread per booking on the write
    # gate; submit() queues the unit on the loop and commits it with its neighbours.
    unit = booking.booking_unit(policy=policy, tenant_id=caller.tenant_id, body=body)
    created = await uow.submit(db, unit, booking.needs(policy, caller.tenant_id, body))
    response.status_code = policy.booking_created_status()
    return created


@router.get(
    "",
    response_model=Page[AppointmentPublic],
    summary="List appointments (filter by date, staff, service, customer, outlet, status)",
    responses=errors(401, 422),
)
def list_appointments(
    caller: CallerDep,
    db: DbDep,
    page: PageNo = 1,
    size: PageSize = 20,
    date: Annotated[Day | None, Query()] = None,
    staff_id: IdFilter = None,
    service_id: IdFilter = None,
    customer_id: IdFilter = None,
    outlet_id: IdFilter = None,
    status: Annotated[Status | None, Query()] = None,
    *,
    policy: PolicyDep,
) -> dict[str, Any]:
    filters = {
        "date": date,
        "staff_id": staff_id,
        "service_id": service_id,
        "customer_id": customer_id,
        "outlet_id": outlet_id,
        "status": status,
    }
    return appointments.list_page(
        db=db, policy=policy, tenant_id=caller.tenant_id, page=page, size=size, filters=filters
    )


@router.get(
    "/{appointment_id}",
    response_model=AppointmentPublic,
    summary="Get an appointment",
    responses=errors(401, 404, 422),
)
def get_appointment(appointment_id: str, caller: CallerDep, db: DbDep, policy: PolicyDep) -> dict[str, Any]:
    return appointments.get(db=db, policy=policy, tenant_id=caller.tenant_id, appointment_id=appointment_id)


@router.put(
    "/{appointment_id}/reschedule",
    response_model=AppointmentPublic,
    summary="Reschedule an appointment",
    responses=errors(400, 401, 404, 409, 422),
)
def reschedule(
    appointment_id: str, body: RescheduleRequest, caller: CallerDep, db: DbDep, policy: PolicyDep
) -> dict[str, Any]:
    return booking.reschedule(
        db=db, policy=policy, tenant_id=caller.tenant_id, appointment_id=appointment_id, body=body
    )


@router.put(
    "/{appointment_id}/cancel",
    response_model=AppointmentPublic,
    summary="Cancel a booking",
    responses=errors(401, 404, 409, 422),
)
def cancel(
    appointment_id: str,
    caller: CallerDep,
    db: DbDep,
    policy: PolicyDep,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> dict[str, Any]:
    reason = body.cancellation_reason if body else None
    return appointments.set_status(
        db=db,
        policy=policy,
        tenant_id=caller.tenant_id,
        appointment_id=appointment_id,
        status="cancelled",
        reason=reason,
    )


@router.patch(
    "/{appointment_id}/status",
    response_model=AppointmentPublic,
    summary="Change an appointment's status (e.g. no-show)",
    responses=errors(401, 404, 409, 422),
)
def change_status(
    appointment_id: str, body: StatusChange, caller: CallerDep, db: DbDep, policy: PolicyDep
) -> dict[str, Any]:
    return appointments.set_status(
        db=db, policy=policy, tenant_id=caller.tenant_id, appointment_id=appointment_id, status=body.status
    )

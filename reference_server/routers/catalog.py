"""Services and staff (CONTRACT.md §3). Writes need a configuring role; reads any role."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from reference_server.deps import CallerDep, ConfigurerDep, DbDep, PolicyDep, ServiceCreatorDep
from reference_server.routers.params import IdFilter, PageNo, PageSize
from reference_server.schemas.catalog import (
    ServiceCreate,
    ServicePublic,
    ServiceUpdate,
    StaffCreate,
    StaffPublic,
    StaffUpdate,
)
from reference_server.schemas.common import Page, errors
from reference_server.services import offerings, team

services = APIRouter(prefix="/services", tags=["services"])
staff = APIRouter(prefix="/staff", tags=["staff"])


@services.post(
    "",
    response_model=ServicePublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a service",
    responses=errors(401, 403, 404, 409, 422),
)
def create_service(
    body: ServiceCreate, caller: ServiceCreatorDep, db: DbDep, policy: PolicyDep
) -> dict[str, Any]:
    return offerings.create(db=db, policy=policy, tenant_id=caller.tenant_id, body=body)


@services.get("", response_model=Page[ServicePublic], summary="List services", responses=errors(401, 422))
def list_services(
    caller: CallerDep,
    db: DbDep,
    page: PageNo = 1,
    size: PageSize = 20,
    outlet_id: IdFilter = None,
    is_active: bool | None = None,
) -> dict[str, Any]:
    return offerings.list_page(
        db=db, tenant_id=caller.tenant_id, page=page, size=size, outlet_id=outlet_id, is_active=is_active
    )


@services.get(
    "/{service_id}", response_model=ServicePublic, summary="Get a service", responses=errors(401, 404, 422)
)
def get_service(service_id: str, caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return offerings.get(db=db, tenant_id=caller.tenant_id, service_id=service_id)


@services.put(
    "/{service_id}",
    response_model=ServicePublic,
    summary="Update a service (partial update)",
    responses=errors(401, 403, 404, 409, 422),
)
def update_service(
    service_id: str, body: ServiceUpdate, caller: ConfigurerDep, db: DbDep, policy: PolicyDep
) -> dict[str, Any]:
    return offerings.update(
        db=db, policy=policy, tenant_id=caller.tenant_id, service_id=service_id, body=body
    )


@services.delete(
    "/{service_id}",
    response_model=ServicePublic,
    summary="Deactivate a service (soft delete)",
    responses=errors(401, 403, 404, 422),
)
def delete_service(service_id: str, caller: ConfigurerDep, db: DbDep) -> dict[str, Any]:
    return offerings.deactivate(db=db, tenant_id=caller.tenant_id, service_id=service_id)


@staff.post(
    "",
    response_model=StaffPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a staff member",
    responses=errors(401, 403, 404, 422),
)
def create_staff(body: StaffCreate, caller: ConfigurerDep, db: DbDep) -> dict[str, Any]:
    return team.create(db=db, tenant_id=caller.tenant_id, body=body)


@staff.get("", response_model=Page[StaffPublic], summary="List staff members", responses=errors(401, 422))
def list_staff(
    caller: CallerDep,
    db: DbDep,
    page: PageNo = 1,
    size: PageSize = 20,
    outlet_id: IdFilter = None,
    is_active: bool | None = None,
) -> dict[str, Any]:
    return team.list_page(
        db=db, tenant_id=caller.tenant_id, page=page, size=size, outlet_id=outlet_id, is_active=is_active
    )


@staff.get(
    "/{staff_id}", response_model=StaffPublic, summary="Get a staff member", responses=errors(401, 404, 422)
)
def get_staff(staff_id: str, caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return team.get(db=db, tenant_id=caller.tenant_id, staff_id=staff_id)


@staff.put(
    "/{staff_id}",
    response_model=StaffPublic,
    summary="Update a staff member (partial update)",
    responses=errors(401, 403, 404, 422),
)
def update_staff(staff_id: str, body: StaffUpdate, caller: ConfigurerDep, db: DbDep) -> dict[str, Any]:
    return team.update(db=db, tenant_id=caller.tenant_id, staff_id=staff_id, body=body)


@staff.delete(
    "/{staff_id}",
    response_model=StaffPublic,
    summary="Deactivate a staff member (soft delete)",
    responses=errors(401, 403, 404, 422),
)
def delete_staff(staff_id: str, caller: ConfigurerDep, db: DbDep) -> dict[str, Any]:
    return team.deactivate(db=db, tenant_id=caller.tenant_id, staff_id=staff_id)

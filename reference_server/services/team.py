"""Staff members: create, read, partial update, soft delete, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.models import Outlet, Service, Staff, utcnow
from reference_server.repository.records import load
from reference_server.schemas.catalog import StaffCreate, StaffUpdate
from reference_server.schemas.common import utc
from reference_server.services import soft_catalog, uow

KIND = "Staff member"


def public(staff: Staff) -> dict[str, Any]:
    return {
        "id": staff.id,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "full_name": staff.full_name,
        "email": staff.email,
        "phone": staff.phone,
        "position": staff.position,
        "hire_date": staff.hire_date,
        "outlet_id": staff.outlet_id,
        "service_ids": list(staff.service_ids or []),
        "is_active": staff.is_active,
        "created_at": utc(staff.created_at),
        "updated_at": utc(staff.updated_at),
    }


def _check_refs(session: Session, tenant_id: str, fields: dict[str, Any]) -> None:
    if fields.get("outlet_id") is not None:
        load(session, Outlet, tenant_id, fields["outlet_id"], "Outlet")
    for service_id in fields.get("service_ids") or []:
        load(session, Service, tenant_id, service_id, "Service")
    if fields.get("service_ids") is not None:
        fields["service_ids"] = list(dict.fromkeys(fields["service_ids"]))  # keep order, drop repeats


def create(*, db: Database, tenant_id: str, body: StaffCreate) -> dict[str, Any]:
    """Create a staff member; `service_ids` empty means 'may perform every service'."""

    def work(session: Session) -> dict[str, Any]:
        fields = body.model_dump()
        _check_refs(session, tenant_id, fields)
        staff = Staff(tenant_id=tenant_id, **fields)
        session.add(staff)
        session.flush()
        return public(staff)

    return uow.write(db, work)


def get(*, db: Database, tenant_id: str, staff_id: str) -> dict[str, Any]:
    """One staff member of the tenant (inactive ones included)."""
    return uow.read(db, lambda s: public(load(s, Staff, tenant_id, staff_id, KIND)))


def update(*, db: Database, tenant_id: str, staff_id: str, body: StaffUpdate) -> dict[str, Any]:
    """Partial update of a staff member."""

    def work(session: Session) -> dict[str, Any]:
        staff = load(session, Staff, tenant_id, staff_id, KIND)
        changes = body.changes()
        _check_refs(session, tenant_id, changes)
        for name, value in changes.items():
            setattr(staff, name, value)
        staff.updated_at = utcnow()
        session.flush()
        return public(staff)

    return uow.write(db, work)


def deactivate(*, db: Database, tenant_id: str, staff_id: str) -> dict[str, Any]:
    """Soft delete: existing appointments keep their staff member, new bookings are refused."""
    return soft_catalog.deactivate(
        db=db, model=Staff, tenant_id=tenant_id, row_id=staff_id, kind=KIND, public=public
    )


def list_page(*, db: Database, tenant_id: str, **query: Any) -> dict[str, Any]:
    """The tenant's staff members, oldest first. `query`: page, size, outlet_id, is_active."""
    return soft_catalog.list_page(db=db, model=Staff, tenant_id=tenant_id, public=public, **query)

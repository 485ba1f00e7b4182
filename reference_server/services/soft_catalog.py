"""What services and staff share: soft delete, and the outlet/is_active-filtered list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.models import Service, Staff, utcnow
from reference_server.repository.records import load, paged
from reference_server.schemas.common import page_of
from reference_server.services import uow

Row = type[Service] | type[Staff]
Public = Callable[[Any], dict[str, Any]]


def deactivate(
    *, db: Database, model: Row, tenant_id: str, row_id: str, kind: str, public: Public
) -> dict[str, Any]:
    """Soft delete: the row stays readable with is_active false; new bookings refuse it."""

    def work(session: Session) -> dict[str, Any]:
        row = load(session, model, tenant_id, row_id, kind)
        row.is_active = False
        row.updated_at = utcnow()
        return public(row)

    return uow.write(db, work)


def list_page(
    *,
    db: Database,
    model: Row,
    tenant_id: str,
    page: int,
    size: int,
    outlet_id: str | None,
    is_active: bool | None,
    public: Public,
) -> dict[str, Any]:
    """The tenant's rows, oldest first, optionally of one outlet and one activity state."""
    query = select(model).where(model.tenant_id == tenant_id).order_by(model.created_at, model.id)
    if outlet_id is not None:
        query = query.where(model.outlet_id == outlet_id)
    if is_active is not None:
        query = query.where(model.is_active.is_(is_active))

    def work(session: Session) -> dict[str, Any]:
        rows, total = paged(session, query, page=page, size=size)
        return page_of([public(r) for r in rows], total=total, page=page, size=size)

    return uow.read(db, work)

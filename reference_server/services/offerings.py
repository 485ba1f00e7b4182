"""Services (the things customers book): create, read, partial update, soft delete, list."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict
from reference_server.models import Outlet, Service, utcnow
from reference_server.policy import Policy
from reference_server.repository.records import load
from reference_server.schemas.catalog import ServiceCreate, ServiceUpdate
from reference_server.schemas.common import utc
from reference_server.services import soft_catalog, uow

KIND = "Service"


def slugify(name: str) -> str:
    """'Group Yoga Class!' -> 'group-yoga-class'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:200] or "service"


def public(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "category": service.category,
        "duration_minutes": service.duration_minutes,
        "preparation_minutes": service.preparation_minutes,
        "cleanup_minutes": service.cleanup_minutes,
        "pricing": {"base_price": service.base_price, "currency": service.currency},
        "allow_parallel_bookings": service.allow_parallel_bookings,
        "max_parallel_bookings": service.max_parallel_bookings,
        "min_advance_booking_hours": service.min_advance_booking_hours,
        "max_advance_booking_days": service.max_advance_booking_days,
        "outlet_id": service.outlet_id,
        "is_active": service.is_active,
        "created_at": utc(service.created_at),
        "updated_at": utc(service.updated_at),
    }


def _taken(session: Session, tenant_id: str, slug: str, own_id: str | None) -> bool:
    clash = session.scalar(select(Service.id).where(Service.tenant_id == tenant_id, Service.slug == slug))
    return clash is not None and clash != own_id


def _claim_slug(
    session: Session, policy: Policy, tenant_id: str, slug: str, *, own_id: str | None = None
) -> str:
    """The slug to store: `slug` when free; taken -> 409 (or, under a fault, a renamed one)."""
    if not _taken(session, tenant_id, slug, own_id):
        return slug
    if policy.refuses_duplicate_slug():
        raise Conflict(f"A service with slug '{slug}' already exists")
    n = 2
    while _taken(session, tenant_id, f"{slug}-{n}", own_id):
        n += 1
    return f"{slug}-{n}"


def _apply(service: Service, fields: dict[str, Any]) -> None:
    pricing = fields.pop("pricing", None)
    if pricing is not None:
        service.base_price, service.currency = pricing["base_price"], pricing["currency"]
    for name, value in fields.items():
        setattr(service, name, value)


def create(*, db: Database, policy: Policy, tenant_id: str, body: ServiceCreate) -> dict[str, Any]:
    """Create a service; the slug (given or made from the name) is unique per tenant."""

    def work(session: Session) -> dict[str, Any]:
        if body.outlet_id is not None:
            load(session, Outlet, tenant_id, body.outlet_id, "Outlet")
        slug = _claim_slug(session, policy, tenant_id, body.slug or slugify(body.name))
        service = Service(tenant_id=tenant_id, slug=slug)
        _apply(service, body.model_dump(exclude={"slug"}))
        session.add(service)
        session.flush()
        return public(service)

    return uow.write(db, work, duplicate="A service with this slug already exists")


def get(*, db: Database, tenant_id: str, service_id: str) -> dict[str, Any]:
    """One service of the tenant (inactive ones included)."""
    return uow.read(db, lambda s: public(load(s, Service, tenant_id, service_id, KIND)))


def update(*, db: Database, policy: Policy, tenant_id: str, service_id: str, body: ServiceUpdate) -> dict:
    """Partial update; a capacity change goes through the policy (grandfathering by default)."""

    def work(session: Session) -> dict[str, Any]:
        service = load(session, Service, tenant_id, service_id, KIND)
        changes = policy.service_update_fields(body.changes())
        if changes.get("outlet_id") is not None:
            load(session, Outlet, tenant_id, changes["outlet_id"], "Outlet")
        if "slug" in changes:
            changes["slug"] = _claim_slug(session, policy, tenant_id, changes["slug"], own_id=service.id)
        old = policy.effective_capacity(service)
        _apply(service, changes)
        service.updated_at = utcnow()
        new = policy.effective_capacity(service)
        if new != old:
            policy.on_capacity_change(session, service=service, old=old, new=new)
        session.flush()
        return public(service)

    return uow.write(db, work, duplicate="A service with this slug already exists")


def deactivate(*, db: Database, tenant_id: str, service_id: str) -> dict[str, Any]:
    """Soft delete: the service stays readable with is_active false and cannot be booked."""
    return soft_catalog.deactivate(
        db=db, model=Service, tenant_id=tenant_id, row_id=service_id, kind=KIND, public=public
    )


def list_page(*, db: Database, tenant_id: str, **query: Any) -> dict[str, Any]:
    """The tenant's services, oldest first. `query`: page, size, outlet_id, is_active."""
    return soft_catalog.list_page(db=db, model=Service, tenant_id=tenant_id, public=public, **query)

"""Customers: create, read, partial update, delete, list and search. Email unique per tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict, not_found
from reference_server.models import Customer, utcnow
from reference_server.policy import Policy
from reference_server.repository.records import find, paged
from reference_server.schemas.catalog import CustomerCreate, CustomerUpdate
from reference_server.schemas.common import page_of, utc
from reference_server.services import uow

DUPLICATE = "A customer with this email already exists"


def public(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "full_name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "created_at": utc(customer.created_at),
        "updated_at": utc(customer.updated_at),
    }


def load_live(session: Session, tenant_id: str, customer_id: str) -> Customer:
    """A customer that exists, belongs to the tenant and was not deleted, else 404."""
    customer = find(session, Customer, tenant_id, customer_id)
    if customer is None or not customer.is_active:
        raise not_found("Customer")
    return customer


def _claim_email(session: Session, tenant_id: str, email: str, *, own_id: str | None = None) -> None:
    query = select(Customer.id).where(
        Customer.tenant_id == tenant_id, Customer.email == email, Customer.is_active.is_(True)
    )
    clash = session.scalar(query)
    if clash is not None and clash != own_id:
        raise Conflict(f"A customer with email {email} already exists")


def create(*, db: Database, tenant_id: str, body: CustomerCreate) -> dict[str, Any]:
    """Create a customer; a live customer of the tenant with the same email is a 409."""

    def work(session: Session) -> dict[str, Any]:
        _claim_email(session, tenant_id, body.email)
        customer = Customer(tenant_id=tenant_id, **body.model_dump())
        session.add(customer)
        session.flush()
        return public(customer)

    return uow.write(db, work, duplicate=DUPLICATE)


def get(*, db: Database, tenant_id: str, customer_id: str) -> dict[str, Any]:
    """One live customer of the tenant."""
    return uow.read(db, lambda s: public(load_live(s, tenant_id, customer_id)))


def update(*, db: Database, tenant_id: str, customer_id: str, body: CustomerUpdate) -> dict[str, Any]:
    """Partial update; changing the email to a taken one is a 409."""

    def work(session: Session) -> dict[str, Any]:
        customer = load_live(session, tenant_id, customer_id)
        changes = body.changes()
        if "email" in changes:
            _claim_email(session, tenant_id, changes["email"], own_id=customer.id)
        for name, value in changes.items():
            setattr(customer, name, value)
        customer.updated_at = utcnow()
        session.flush()
        return public(customer)

    return uow.write(db, work, duplicate=DUPLICATE)


def delete(*, db: Database, tenant_id: str, customer_id: str) -> None:
    """Delete (hidden from reads, kept for the appointments that name it; frees the email)."""

    def work(session: Session) -> None:
        customer = load_live(session, tenant_id, customer_id)
        customer.is_active = False
        customer.updated_at = utcnow()

    uow.write(db, work)


def list_page(
    *, db: Database, policy: Policy, tenant_id: str, page: int, size: int, search: str | None
) -> dict[str, Any]:
    """Live customers, oldest first; `search` matches name, email or phone, case-insensitively."""
    c = Customer
    query = select(c).where(c.is_active.is_(True)).order_by(c.created_at, c.id)
    if policy.lists_only_own_tenant("customer"):
        query = query.where(c.tenant_id == tenant_id)
    if search:
        fields = (c.first_name, c.last_name, c.email, c.phone, c.first_name + " " + c.last_name)
        query = query.where(or_(*(f.icontains(search, autoescape=True) for f in fields)))

    def work(session: Session) -> dict[str, Any]:
        rows, total = paged(session, query, page=page, size=size)
        return page_of([public(r) for r in rows], total=total, page=page, size=size)

    return uow.read(db, work)


def load_any(session: Session, customer_id: str) -> Customer:
    """A customer by id even if deleted (appointments keep naming their customer)."""
    return session.get_one(Customer, customer_id)

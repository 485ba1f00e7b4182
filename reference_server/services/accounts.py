"""Login and the caller's tenant (CONTRACT.md §2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Unauthorized, not_found
from reference_server.models import Outlet, Tenant, User
from reference_server.policy import Policy
from reference_server.schemas.common import utc
from reference_server.security import Principal, issue_token
from reference_server.services import uow


def login(
    *, db: Database, policy: Policy, email: str, password: str, secret: str, ttl_seconds: int
) -> dict[str, Any]:
    """A bearer token for valid credentials; 401 otherwise (same answer for unknown email)."""
    user = uow.read(db, lambda s: s.scalar(select(User).where(User.email == email.strip().lower())))
    if not policy.password_matches(password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Incorrect email or password")
    principal = Principal(user_id=user.id, tenant_id=user.tenant_id, role=user.role)
    return {
        "access_token": issue_token(principal, secret=secret, ttl_seconds=ttl_seconds),
        "token_type": "bearer",
        "expires_in": ttl_seconds,
        "user": {"id": user.id, "email": user.email, "role": user.role, "tenant_id": user.tenant_id},
    }


def tenant_of(*, db: Database, tenant_id: str) -> dict[str, Any]:
    """The caller's tenant with its outlets."""

    def work(session: Session) -> dict[str, Any]:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise not_found("Tenant")
        outlets = session.scalars(
            select(Outlet).where(Outlet.tenant_id == tenant_id).order_by(Outlet.created_at, Outlet.id)
        )
        return {
            "id": tenant.id,
            "name": tenant.name,
            "outlets": [{"id": o.id, "name": o.name, "timezone": o.timezone} for o in outlets],
            "created_at": utc(tenant.created_at),
        }

    return uow.read(db, work)

"""Schema creation and the first-start seed, safe when several processes start together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from reference_server.db import Database
from reference_server.models import Base, Outlet, Tenant, User, new_id
from reference_server.repository.locking import BOOTSTRAP_KEY
from reference_server.security import hash_password
from reference_server.settings import Settings


@dataclass(frozen=True, slots=True)
class SeedAccount:
    email: str
    password: str
    role: str
    tenant: str


def _accounts(settings: Settings) -> list[tuple[str, SeedAccount]]:
    main, other = settings.seed_tenant_name, settings.seed_other_tenant_name
    return [
        ("main", SeedAccount(settings.seed_admin_email, settings.seed_admin_password, "tenant_admin", main)),
        ("main", SeedAccount(settings.seed_staff_email, settings.seed_staff_password, "staff", main)),
        (
            "other",
            SeedAccount(
                settings.seed_other_admin_email, settings.seed_other_admin_password, "tenant_admin", other
            ),
        ),
    ]


def bootstrap(db: Database, settings: Settings) -> list[SeedAccount]:
    """Create the schema and, on an empty database, seed; returns the accounts seeded now."""
    with db.write_engine.begin() as conn:
        if db.dialect == "postgresql":
            # No lock_timeout here: a second process simply waits for the first one's seed.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": BOOTSTRAP_KEY})
        Base.metadata.create_all(conn)
        if conn.execute(select(Tenant.id).limit(1)).first() is not None:
            return []
        tenants = {
            "main": _tenant(conn, settings.seed_tenant_name, settings.seed_outlet_name, settings),
            "other": _tenant(
                conn, settings.seed_other_tenant_name, f"{settings.seed_other_tenant_name} Outlet", settings
            ),
        }
        accounts = _accounts(settings)
        for key, account in accounts:
            conn.execute(
                User.__table__.insert().values(
                    id=new_id(),
                    tenant_id=tenants[key],
                    email=account.email.lower(),
                    password_hash=hash_password(account.password),
                    role=account.role,
                )
            )
        return [account for _, account in accounts]


def _tenant(conn, tenant_name: str, outlet_name: str, settings: Settings) -> str:
    tenant_id = new_id()
    conn.execute(Tenant.__table__.insert().values(id=tenant_id, name=tenant_name))
    conn.execute(
        Outlet.__table__.insert().values(
            id=new_id(), tenant_id=tenant_id, name=outlet_name, timezone=settings.seed_outlet_timezone
        )
    )
    return tenant_id

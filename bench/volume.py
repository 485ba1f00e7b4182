"""Bulk seeding for the benchmark: N appointments through SQLAlchemy Core, not HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from reference_server.db import Database
from reference_server.models import (
    Appointment,
    AppointmentItem,
    AvailabilityWindow,
    Base,
    Customer,
    Outlet,
    Service,
    Staff,
    Tenant,
    new_id,
    utcnow,
)
from reference_server.seed import bootstrap
from reference_server.settings import Settings

LOAD_STAFF, CUSTOMERS, DAYS_SPAN, CHUNK = 50, 1000, 365, 10_000


@dataclass(frozen=True)
class Volume:
    outlet_id: str
    service_id: str
    grid_staff_id: str
    grid_start: date
    booking_staff_ids: list[str]
    customer_ids: list[str]


def _fresh(url: str) -> Database:
    """An empty database: the SQLite file is removed, PostgreSQL tables are dropped."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(url)
    if db.dialect == "postgresql":
        Base.metadata.drop_all(db.write_engine)
    return db


def _rows(model: type, rows: list[dict]) -> tuple:
    now = utcnow()
    return insert(model), [{"created_at": now, "updated_at": now, **row} for row in rows]


def seed_volume(url: str, appointments: int, *, booking_staff: int) -> Volume:
    """Seed accounts, one parallel service, staff with weekly windows, customers and appointments."""
    db = _fresh(url)
    bootstrap(db, Settings(database_url=url))
    with db.write_engine.begin() as conn:
        tenant_id = conn.scalar(select(Tenant.id).where(Tenant.name == "Beauty Studio"))
        outlet_id = conn.scalar(select(Outlet.id).where(Outlet.tenant_id == tenant_id))
        base = {"tenant_id": tenant_id, "outlet_id": outlet_id}
        service_id = new_id()
        conn.execute(
            *_rows(
                Service,
                [
                    {
                        **base,
                        "id": service_id,
                        "name": "Bench Group Class",
                        "slug": "bench",
                        "duration_minutes": 60,
                        "allow_parallel_bookings": True,
                        "max_parallel_bookings": 10,
                        "max_advance_booking_days": 400,
                    }
                ],
            )
        )
        staff_ids = [new_id() for _ in range(LOAD_STAFF + booking_staff)]
        conn.execute(
            *_rows(
                Staff,
                [
                    {**base, "id": s, "first_name": "Bench", "last_name": f"Staff {i}", "service_ids": []}
                    for i, s in enumerate(staff_ids)
                ],
            )
        )
        conn.execute(
            *_rows(
                AvailabilityWindow,
                [
                    {**base, "staff_id": s, "day_of_week": d, "start_minute": 8 * 60, "end_minute": 20 * 60}
                    for s in staff_ids
                    for d in range(7)
                ],
            )
        )
        customer_ids = [new_id() for _ in range(CUSTOMERS)]
        conn.execute(
            *_rows(
                Customer,
                [
                    {
                        "tenant_id": tenant_id,
                        "id": c,
                        "first_name": "Bench",
                        "last_name": str(i),
                        "email": f"bench{i}@example.com",
                    }
                    for i, c in enumerate(customer_ids)
                ],
            )
        )
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        _appointments(conn, base, service_id, staff_ids[:LOAD_STAFF], customer_ids, today, appointments)
    db.dispose()
    return Volume(
        outlet_id, service_id, staff_ids[0], today + timedelta(days=7), staff_ids[LOAD_STAFF:], customer_ids
    )


def _appointments(
    conn, base: dict, service_id: str, staff_ids: list[str], customer_ids: list[str], today: date, total: int
) -> None:
    """`total` appointments over a year around today, ~5 per staff member and day, 10 % cancelled."""
    for first in range(0, total, CHUNK):
        appointments, items = [], []
        for i in range(first, min(total, first + CHUNK)):
            staff = staff_ids[i % len(staff_ids)]
            day = today + timedelta(days=(i // len(staff_ids)) % DAYS_SPAN - DAYS_SPAN // 2)
            start = 8 * 60 + 60 * ((i // (len(staff_ids) * DAYS_SPAN)) % 12)
            status = "cancelled" if i % 10 == 9 else "confirmed"
            customer, appointment_id = customer_ids[i % len(customer_ids)], new_id()
            appointments.append(
                {
                    **base,
                    "id": appointment_id,
                    "customer_id": customer,
                    "appointment_date": day,
                    "start_minute": start,
                    "status": status,
                }
            )
            items.append(
                {
                    "id": new_id(),
                    "appointment_id": appointment_id,
                    "position": 0,
                    "tenant_id": base["tenant_id"],
                    "customer_id": customer,
                    "service_id": service_id,
                    "staff_id": staff,
                    "appointment_date": day,
                    "status": status,
                    "start_minute": start,
                    "duration_minutes": 60,
                    "block_end_minute": start + 60,
                }
            )
        conn.execute(*_rows(Appointment, appointments))
        conn.execute(insert(AppointmentItem), items)

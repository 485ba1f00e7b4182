"""SQLAlchemy 2 typed ORM. Times of day are minutes since midnight (outlet wall-clock time)."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A 24-hex ObjectId-style id: 4 bytes of seconds (index locality) + 8 random bytes."""
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Stamped:
    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Tenant(Stamped, Base):
    __tablename__ = "tenants"
    name: Mapped[str] = mapped_column(String(200))


class Outlet(Stamped, Base):
    __tablename__ = "outlets"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")


class User(Stamped, Base):
    __tablename__ = "users"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))


class Service(Stamped, Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("outlets.id"))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    preparation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cleanup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    base_price: Mapped[float] = mapped_column(Float, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    allow_parallel_bookings: Mapped[bool] = mapped_column(Boolean, default=False)
    max_parallel_bookings: Mapped[int] = mapped_column(Integer, default=1)
    min_advance_booking_hours: Mapped[int] = mapped_column(Integer, default=0)
    max_advance_booking_days: Mapped[int] = mapped_column(Integer, default=60)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Staff(Stamped, Base):
    __tablename__ = "staff"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("outlets.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(200))
    hire_date: Mapped[date | None] = mapped_column(Date)
    service_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AvailabilityWindow(Stamped, Base):
    __tablename__ = "availability_windows"
    __table_args__ = (Index("ix_availability_staff_day", "staff_id", "day_of_week"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("outlets.id"))
    day_of_week: Mapped[int] = mapped_column(Integer)  # 0 = monday, as date.weekday()
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Stamped, Base):
    __tablename__ = "customers"
    # Email is unique among live customers of a tenant; a deleted one frees its address.
    __table_args__ = (
        Index(
            "uq_customers_tenant_email_live",
            "tenant_id",
            "email",
            unique=True,
            sqlite_where=text("is_active"),
            postgresql_where=text("is_active"),
        ),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Appointment(Stamped, Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_tenant_date", "tenant_id", "appointment_date", "start_minute"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlets.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    appointment_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)  # of the first item, for ordering
    status: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)


class AppointmentItem(Base):
    """One service of an appointment; date, status and customer are copied here so that the
    capacity count and the grid read one table through one index."""

    __tablename__ = "appointment_items"
    __table_args__ = (
        Index("ix_items_staff_day_status", "staff_id", "appointment_date", "status"),
        Index("ix_items_service_day", "service_id", "appointment_date"),
    )
    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=new_id)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    appointment_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    start_minute: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    block_end_minute: Mapped[int] = mapped_column(Integer)  # start + duration + prep + cleanup

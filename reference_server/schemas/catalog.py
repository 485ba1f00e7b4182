"""Services, staff, customers and weekly availability windows (CONTRACT.md §3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from reference_server.schemas.common import (
    Day,
    Email,
    Lenient,
    LongText,
    Name,
    PartialUpdate,
    Phone,
    RefId,
    TimeOfDay,
    Title,
)

Slug = Field(default=None, min_length=1, max_length=200, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Pricing(Lenient):
    base_price: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    currency: str = Field(default="IDR", pattern=r"^[A-Z]{3}$")


class ServiceFields(Lenient):
    description: LongText | None = None
    category: Title | None = None
    preparation_minutes: int = Field(default=0, ge=0, le=120)
    cleanup_minutes: int = Field(default=0, ge=0, le=120)
    pricing: Pricing = Field(default_factory=lambda: Pricing(base_price=0))
    allow_parallel_bookings: bool = False
    max_parallel_bookings: int = Field(default=1, ge=1, le=1000)
    min_advance_booking_hours: int = Field(default=0, ge=0, le=8760)
    max_advance_booking_days: int = Field(default=60, ge=0, le=3650)
    outlet_id: RefId | None = None
    is_active: bool = True


class ServiceCreate(ServiceFields):
    name: Title
    slug: str | None = Slug
    duration_minutes: int = Field(ge=1, le=480)


class ServiceUpdate(PartialUpdate):
    """PUT /services/{id} is a partial update: only the fields sent change."""

    required_when_sent = (
        "name",
        "slug",
        "duration_minutes",
        "preparation_minutes",
        "cleanup_minutes",
        "pricing",
        "allow_parallel_bookings",
        "max_parallel_bookings",
        "min_advance_booking_hours",
        "max_advance_booking_days",
        "is_active",
    )

    name: Title | None = None
    slug: str | None = Slug
    description: LongText | None = None
    category: Title | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=480)
    preparation_minutes: int | None = Field(default=None, ge=0, le=120)
    cleanup_minutes: int | None = Field(default=None, ge=0, le=120)
    pricing: Pricing | None = None
    allow_parallel_bookings: bool | None = None
    max_parallel_bookings: int | None = Field(default=None, ge=1, le=1000)
    min_advance_booking_hours: int | None = Field(default=None, ge=0, le=8760)
    max_advance_booking_days: int | None = Field(default=None, ge=0, le=3650)
    outlet_id: RefId | None = None
    is_active: bool | None = None


class ServicePublic(BaseModel):
    id: str
    name: str
    slug: str
    description: str | None
    category: str | None
    duration_minutes: int
    preparation_minutes: int
    cleanup_minutes: int
    pricing: Pricing
    allow_parallel_bookings: bool
    max_parallel_bookings: int
    min_advance_booking_hours: int
    max_advance_booking_days: int
    outlet_id: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class StaffCreate(Lenient):
    first_name: Name
    last_name: Name
    email: Email | None = None
    phone: Phone | None = None
    position: Title | None = None
    hire_date: Day | None = None
    outlet_id: RefId | None = None
    service_ids: list[RefId] = Field(default_factory=list, max_length=200)


class StaffUpdate(PartialUpdate):
    required_when_sent = ("first_name", "last_name", "service_ids", "is_active")
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    position: Title | None = None
    hire_date: Day | None = None
    outlet_id: RefId | None = None
    service_ids: list[RefId] | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class StaffPublic(BaseModel):
    id: str
    first_name: str
    last_name: str
    full_name: str
    email: str | None
    phone: str | None
    position: str | None
    hire_date: date | None
    outlet_id: str | None
    service_ids: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CustomerCreate(Lenient):
    first_name: Name
    last_name: Name
    email: Email
    phone: Phone | None = None


class CustomerUpdate(PartialUpdate):
    required_when_sent = ("first_name", "last_name", "email")
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None


class CustomerPublic(BaseModel):
    id: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str | None
    created_at: datetime
    updated_at: datetime


class AvailabilityCreate(Lenient):
    staff_id: RefId
    day_of_week: DayName
    start_time: TimeOfDay
    end_time: TimeOfDay
    outlet_id: RefId | None = None
    is_available: bool = True

    @model_validator(mode="after")
    def _ends_after_start(self) -> AvailabilityCreate:
        # Equal times are judged by Policy.window_ends_after_start (C3.7's edge, a fault seam).
        if self.end_time < self.start_time:
            raise ValueError("end_time must be after start_time")
        return self


class AvailabilityPublic(BaseModel):
    id: str
    staff_id: str
    day_of_week: str
    start_time: str = Field(examples=["09:00:00"])
    end_time: str = Field(examples=["17:00:00"])
    is_available: bool
    outlet_id: str | None
    created_at: datetime

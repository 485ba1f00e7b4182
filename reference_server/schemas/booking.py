"""Appointments and the availability grid (CONTRACT.md §4, §6), plus auth and tenancy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from reference_server.schemas.common import Day, LongText, RefId, Strict, TimeOfDay

Status = Literal["pending", "confirmed", "in_progress", "completed", "cancelled", "no_show"]


class LoginRequest(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    id: str
    email: str
    role: str
    tenant_id: str


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: UserPublic


class OutletPublic(BaseModel):
    id: str
    name: str
    timezone: str


class TenantPublic(BaseModel):
    id: str
    name: str
    outlets: list[OutletPublic]
    created_at: datetime


class BookingItem(Strict):
    service_id: RefId
    staff_id: RefId
    start_time: TimeOfDay
    duration_minutes: int | None = Field(default=None, ge=1, le=480)


class AppointmentCreate(Strict):
    customer_id: RefId
    outlet_id: RefId
    appointment_date: Day
    services: list[BookingItem] = Field(min_length=1, max_length=20)
    notes: LongText | None = None


class RescheduleRequest(Strict):
    new_date: Day
    new_time: TimeOfDay
    new_staff_id: RefId | None = None
    reason: LongText | None = None


class CancelRequest(Strict):
    cancellation_reason: LongText | None = None


class StatusChange(Strict):
    status: Status


class ItemPublic(BaseModel):
    service_id: str
    service_name: str
    staff_id: str
    staff_name: str
    start_time: str = Field(examples=["10:00:00"])
    end_time: str = Field(examples=["11:00:00"])
    duration_minutes: int


class CustomerRef(BaseModel):
    id: str
    name: str


class AppointmentPublic(BaseModel):
    id: str
    status: Status
    appointment_date: date
    customer_id: str
    outlet_id: str
    services: list[ItemPublic]
    customer: CustomerRef
    notes: str | None
    cancellation_reason: str | None
    created_at: datetime
    updated_at: datetime


class GridSlotPublic(BaseModel):
    start_time: str = Field(examples=["10:00"])
    end_time: str = Field(examples=["11:00"])
    staff_id: str
    is_available: bool
    allows_parallel_bookings: bool
    available_capacity: int
    max_capacity: int


class GridMetadata(BaseModel):
    service_id: str
    service_name: str
    outlet_id: str
    outlet_name: str
    staff_id: str | None
    total_available_slots: int
    service_duration_minutes: int


class GridResponse(BaseModel):
    start_date: date
    end_date: date
    num_days: int
    slot_interval_minutes: int
    availability_grid: dict[str, list[GridSlotPublic]]
    metadata: GridMetadata

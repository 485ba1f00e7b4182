"""The locked decision shared by booking and rescheduling (CONTRACT.md §5).

Callers lock the staff pools first (policy.lock), then call `check_sessions`, which reads the
windows and the active items once and judges every requested session with the policy's one
counting function, the earlier sessions of the same request included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from reference_server.errors import BusinessRuleBroken, Conflict
from reference_server.models import Customer, Outlet, Service, Staff
from reference_server.policy import Policy
from reference_server.repository.items import load_booked, load_windows
from reference_server.repository.lookups import CustomerInfo, OutletInfo, ServiceInfo, StaffInfo
from reference_server.rules import Booked, Candidate, Window, fmt_time

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class Request:
    """One requested session with the records it names."""

    service: ServiceInfo | Service  # plain rows on the booking path, ORM records on reschedule
    staff: StaffInfo | Staff
    day: date
    start: int

    def candidate(self, customer_id: str) -> Candidate:
        s = self.service
        block = s.duration_minutes + s.preparation_minutes + s.cleanup_minutes
        return Candidate(s.id, self.staff.id, self.day, self.start, self.start + block, customer_id)

    def where(self) -> str:
        return f"at {fmt_time(self.start, seconds=False)} on {self.day.isoformat()}"


def check_booking_window(policy: Policy, outlet: OutletInfo | Outlet, requests: list[Request]) -> None:
    """400 when a session starts in the past or outside the service's advance window."""
    zone = ZoneInfo(outlet.timezone)
    now = datetime.now(zone)
    for r in requests:
        if not 0 <= r.start < MINUTES_PER_DAY:
            raise Conflict(
                f"Staff member {r.staff.full_name} is not available: {r.service.name} would "
                f"start outside {r.day.isoformat()}"
            )
        start = datetime.combine(r.day, time(r.start // 60, r.start % 60), tzinfo=zone)
        reason = policy.booking_window_error(
            now=now,
            start=start,
            min_advance_hours=r.service.min_advance_booking_hours,
            max_advance_days=r.service.max_advance_booking_days,
        )
        if reason:
            raise BusinessRuleBroken(f"Cannot book {r.service.name} {r.where()}: the start {reason}")


def check_staff_fit(requests: list[Request]) -> None:
    """409 when a staff member is inactive or does not perform the service."""
    for r in requests:
        if not r.staff.is_active:
            raise Conflict(f"Staff member {r.staff.full_name} is not available: no longer active")
        if r.staff.service_ids and r.service.id not in r.staff.service_ids:
            raise Conflict(f"Staff member {r.staff.full_name} is not available for {r.service.name}")


def check_sessions(
    session: Session,
    policy: Policy,
    *,
    tenant_id: str,
    customer: CustomerInfo | Customer,
    requests: list[Request],
    exclude_appointment_id: str | None = None,
    check_window: bool = True,
) -> None:
    """409 unless every session fits: window, overlap, same-customer, capacity (in that order)."""
    staff_ids = {r.staff.id for r in requests}
    windows = load_windows(session, staff_ids=staff_ids)
    days = [policy.counting_days(r.day) for r in requests]
    booked = load_booked(
        session,
        tenant_id=tenant_id,
        staff_ids=staff_ids,
        days=(min(d[0] for d in days), max(d[1] for d in days)),
        statuses=policy.active_statuses(),
        exclude_appointment_id=exclude_appointment_id,
    )
    for r in requests:
        candidate = r.candidate(customer.id)
        windows_of = windows.get((r.staff.id, r.day.weekday()), [])
        _judge(session, policy, r, candidate, windows_of, booked, customer, check_window=check_window)
        if policy.checks_items_together():  # §4.3: later items of this request see this one
            booked.append(Booked("(this request)", customer.id, *_key(candidate)))


def _key(c: Candidate) -> tuple[str, str, date, int, int]:
    return c.service_id, c.staff_id, c.day, c.start, c.block_end


def _judge(
    session: Session,
    policy: Policy,
    r: Request,
    candidate: Candidate,
    windows: list[Window],
    booked: list[Booked],
    customer: CustomerInfo | Customer,
    *,
    check_window: bool = True,
) -> None:
    name = r.staff.full_name
    if check_window and not policy.window_covers(windows, candidate):
        raise Conflict(
            f"Staff member {name} is not available for {r.service.name} {r.where()}: "
            "outside their working hours"
        )
    found = policy.assess(booked, candidate, policy.effective_capacity(r.service))
    if found.busy_with is not None:
        other = found.busy_with
        other_service = session.get(Service, other.service_id)
        other_name = other_service.name if other_service else "another service"
        raise Conflict(
            f"Staff member {name} is not available {r.where()}: already booked for {other_name} "
            f"from {fmt_time(other.start, seconds=False)} to {fmt_time(other.block_end, seconds=False)}"
        )
    if found.duplicate is not None:
        raise Conflict(
            f"Customer {customer.full_name} already has a booking for {r.service.name} with "
            f"staff member {name} {r.where()}"
        )
    if found.booked >= found.capacity:
        raise Conflict(
            f"Staff member {name} is fully booked for {r.service.name} {r.where()} "
            f"({found.booked}/{found.capacity} booked)"
        )

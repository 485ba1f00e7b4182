"""Faults of the booking rules: capacity and counting, overlaps, windows, advance limits and
capacity changes (C3.2, C4.7-C4.8, C5.1-C5.8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from reference_server.faults.registry import answering, fault
from reference_server.policy import Assessment, CapacityConfig, Policy
from reference_server.rules import Booked, Candidate, Window

UNLIMITED = 1_000_000


@fault(
    "capacity-off-by-one",
    "capacity limit + 1 accepted (booked > max instead of >=)",
    source="calcom #13331",
    rules=("C5.2",),
    catches=("S1-2", "S3-5", "S3-7", "A-2", "B-4"),
)
class CapacityOffByOne(Policy):
    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        found = super().assess(booked, candidate, capacity)
        if candidate.customer_id is None:  # the grid (no customer) still shows the right numbers
            return found
        # The write path compares `booked > capacity` instead of `>=`: limit + 1 gets in.
        return Assessment(found.capacity, max(0, found.booked - 1), found.busy_with, found.duplicate)


# Neither allow_parallel_bookings nor max_parallel_bookings is read
answering(
    "parallel-flag-ignored",
    "parallel settings ignored: every session unlimited",
    seam="effective_capacity",
    answer=UNLIMITED,
    rules=("C3.2",),
    catches=("S1-2", "S3-5", "S3-7", "S5-3", "A-1", "A-2"),
    source="calcom #13331",
)


@fault(
    "single-takes-two",
    "a single-booking service takes two bookings",
    source="easyappointments #996",
    rules=("C3.2",),
    catches=("S1-2", "S1-4", "S5-3", "R-1"),
)
class SingleTakesTwo(Policy):
    def effective_capacity(self, service: CapacityConfig) -> int:
        # "single" is treated as max(1, max_parallel_bookings) + 1 by a default of 2 seats.
        return super().effective_capacity(service) if service.allow_parallel_bookings else 2


@fault(
    "cancelled-counted",
    "cancelled bookings still counted",
    source="Hi.Events #466",
    rules=("C4.7",),
    catches=("S7-2", "S7-3", "S7-6"),
)
class CancelledCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "no_show"


@fault("no-show-counted", "no-show bookings still counted", source="", rules=("C4.8",), catches=("S7-5",))
class NoShowCounted(Policy):
    def is_active_status(self, status: str) -> bool:
        return status != "cancelled"


@fault(
    "capacity-all-dates",
    "capacity counted across all dates",
    source="",
    rules=("C5.5",),
    catches=("D-2", "D-3"),
)
class CapacityAllDates(Policy):
    def counting_days(self, day: date) -> tuple[date, date]:
        return day - timedelta(days=400), day + timedelta(days=400)

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.start == candidate.start
        )


@fault(
    "capacity-keyed-by-start",
    "capacity keyed by date and start time only",
    source="easyappointments #792",
    rules=("C5.2",),
    catches=("S5-6",),
)
class CapacityKeyedByStart(Policy):
    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        # The counter key is (date, start): another service's session at that time shares it.
        return booked.day == candidate.day and booked.start == candidate.start


@fault(
    "capacity-per-weekday",
    "capacity counted per weekday and start, not per date",
    rules=("C5.5",),
    catches=("X-113",),
)
class CapacityPerWeekday(Policy):
    def counting_days(self, day: date) -> tuple[date, date]:
        return day - timedelta(days=28), day + timedelta(days=28)

    def same_session(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.service_id == candidate.service_id
            and booked.day.weekday() == candidate.day.weekday()
            and booked.start == candidate.start
        )


@fault(
    "staff-overlap-missed",
    "staff overlap across services not detected",
    source="calcom #13269",
    rules=("C5.3",),
    catches=("C-1", "C-2"),
)
class StaffOverlapMissed(Policy):
    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        if booked.service_id != candidate.service_id:
            return False  # only the same service's sessions are compared
        return super().staff_overlap(booked, candidate)


@fault(
    "closed-intervals",
    "intervals are closed: a session ending 11:00 conflicts with one starting 11:00",
    rules=("C5.3",),
    catches=("X-110",),
)
class ClosedIntervals(Policy):
    def staff_overlap(self, booked: Booked, candidate: Candidate) -> bool:
        return (
            booked.staff_id == candidate.staff_id
            and booked.day == candidate.day
            and booked.start <= candidate.block_end
            and candidate.start <= booked.block_end
        )


answering(
    "window-unchecked",
    "staff availability window not checked",
    seam="window_covers",
    answer=True,
    rules=("C5.1",),
    catches=("X-8",),
)


@fault(
    "window-end-unchecked",
    "only the start of a booking is checked against the window",
    rules=("C5.1",),
    catches=("X-109", "X-8"),
)
class WindowEndUnchecked(Policy):
    def window_covers(self, windows: Iterable[Window], candidate: Candidate) -> bool:
        return any(w.start <= candidate.start < w.end for w in windows)


@fault(
    "duplicate-per-day",
    "a customer may hold only one session of a service per staff member and day",
    rules=("C5.7",),
    catches=("X-114",),
)
class DuplicatePerDay(Policy):
    def assess(self, booked: Iterable[Booked], candidate: Candidate, capacity: int) -> Assessment:
        booked = list(booked)
        found = super().assess(booked, candidate, capacity)
        if found.duplicate is None and candidate.customer_id is not None:
            found.duplicate = next(
                (
                    b
                    for b in booked
                    if b.customer_id == candidate.customer_id
                    and (b.service_id, b.staff_id, b.day)
                    == (candidate.service_id, candidate.staff_id, candidate.day)
                ),
                None,
            )
        return found


@fault(
    "past-today-accepted",
    "a start earlier today is accepted (the past judged by date only)",
    rules=("C5.8",),
    catches=("X-115",),
)
class PastTodayAccepted(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        if start < now and start.date() == now.date():
            now = start  # the clock read as the day's start
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=min_advance_hours, max_advance_days=max_advance_days
        )


@fault(
    "max-advance-off-by-one",
    "max_advance_booking_days + 1 days ahead accepted",
    rules=("C5.8",),
    catches=("X-116",),
)
class MaxAdvanceOffByOne(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=min_advance_hours, max_advance_days=max_advance_days + 1
        )


@fault(
    "min-advance-ignored",
    "min_advance_booking_hours not enforced",
    rules=("C5.8",),
    catches=("X-117", "X-4"),
)
class MinAdvanceIgnored(Policy):
    def booking_window_error(
        self, *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
    ) -> str | None:
        return super().booking_window_error(
            now=now, start=start, min_advance_hours=0, max_advance_days=max_advance_days
        )


@fault(
    "lowering-cancels",
    "lowering capacity cancels existing bookings",
    source="pretix #135",
    rules=("C5.6",),
    catches=("B-1", "B-3"),
)
class LoweringCancels(Policy):
    def on_capacity_change(self, session: Session, *, service: Any, old: int, new: int) -> None:
        from sqlalchemy import select

        from reference_server.models import Appointment, AppointmentItem

        if new >= old:
            return
        a, i = Appointment, AppointmentItem
        rows = session.execute(
            select(i, a)
            .join(a, a.id == i.appointment_id)
            .where(i.service_id == service.id, i.status.in_(self.active_statuses()))
            .order_by(a.created_at, a.id)
        ).all()
        sessions: dict[tuple[str, date, int], list[tuple[AppointmentItem, Appointment]]] = {}
        for item, appointment in rows:
            sessions.setdefault((item.staff_id, item.appointment_date, item.start_minute), []).append(
                (item, appointment)
            )
        for booked in sessions.values():
            for item, appointment in booked[new:]:  # "over the new limit": the latest are dropped
                item.status = appointment.status = "cancelled"


@fault(
    "capacity-change-ignored",
    "capacity change ignored (cached capacity)",
    source="alf.io #330",
    rules=("C5.6",),
    catches=("B-2",),
)
class CapacityChangeIgnored(Policy):
    """The capacity is cached per service at first use and never invalidated."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def effective_capacity(self, service: CapacityConfig) -> int:
        key = getattr(service, "id", None) or str(id(service))
        return self._cache.setdefault(key, super().effective_capacity(service))

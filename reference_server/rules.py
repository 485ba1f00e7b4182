"""Pure booking rules (CONTRACT.md §4-§6): no database, no FastAPI, unit-tested directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled", "no_show")
INACTIVE_STATUSES = frozenset({"cancelled", "no_show"})
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# CONTRACT.md §4: every move not listed here is a 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"confirmed", "cancelled", "no_show", "in_progress"}),
    "confirmed": frozenset({"cancelled", "no_show", "in_progress"}),
    "in_progress": frozenset({"completed"}),
}
RESCHEDULABLE = frozenset({"pending", "confirmed"})


@dataclass(frozen=True, slots=True)
class Booked:
    """An existing item of an appointment, as the counting function sees it."""

    appointment_id: str
    customer_id: str
    service_id: str
    staff_id: str
    day: date
    start: int  # minutes since midnight
    block_end: int  # start + duration + preparation + cleanup


@dataclass(frozen=True, slots=True)
class Candidate:
    """A session someone wants to book (or a grid slot: customer_id None)."""

    service_id: str
    staff_id: str
    day: date
    start: int
    block_end: int
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Window:
    start: int
    end: int


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share a minute."""
    return a_start < b_end and b_start < a_end


def windows_overlap(windows: list[Window], new: Window) -> bool:
    return any(overlaps(w.start, w.end, new.start, new.end) for w in windows)


def candidate_starts(windows: list[Window], *, block_minutes: int, interval: int) -> list[int]:
    """Grid starts: from each window start, every `interval`, while the blocked interval fits."""
    starts: set[int] = set()
    for window in windows:
        start = window.start
        while start + block_minutes <= window.end:
            starts.add(start)
            start += interval
    return sorted(starts)


_HH_MM = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(48 * 60))  # grid hot path: a lookup


def date_range(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def fmt_time(minute: int, *, seconds: bool = True) -> str:
    """Minutes since midnight as HH:MM:SS (or HH:MM for the grid)."""
    text = _HH_MM[minute] if 0 <= minute < len(_HH_MM) else f"{minute // 60:02d}:{minute % 60:02d}"
    return f"{text}:00" if seconds else text


def booking_window_error(
    *, now: datetime, start: datetime, min_advance_hours: int, max_advance_days: int
) -> str | None:
    """Why a start (both outlet-local, aware) is outside the booking window, or None (§5.8)."""
    if start < now:
        return "is in the past"
    if start < now + timedelta(hours=min_advance_hours):
        return f"is less than {min_advance_hours} hours in advance"
    if start > now + timedelta(days=max_advance_days):
        return f"is more than {max_advance_days} days in advance"
    return None

"""Faults of resources and conventions (C1.x status codes, C3.x): services, staff windows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reference_server.faults.registry import answering, fault
from reference_server.policy import Policy
from reference_server.rules import Window

answering(
    "conflict-400",
    "conflict answered 400 instead of 409",
    seam="conflict_status",
    answer=400,
    rules=("C1.8",),
    catches=("S1-2", "S3-5", "S5-3", "C-1", "X-6"),
)


answering(
    "created-200",
    "booking answered 200 instead of 201",
    seam="booking_created_status",
    answer=200,
    rules=("C1.8",),
    catches=("S1-1", "S2-1", "S3-1"),
)


answering(
    "slug-duplicate-accepted",
    "a taken slug is silently renamed (slug-2) instead of 409",
    seam="refuses_duplicate_slug",
    answer=False,
    rules=("C3.1",),
    catches=("X-82",),
)


@fault(
    "service-put-resets-unsent",
    "PUT /services/{id} writes every unsent field back to its default",
    rules=("C3.4",),
    catches=("X-86",),
)
class ServicePutResetsUnsent(Policy):
    def service_update_fields(self, changes: dict[str, Any]) -> dict[str, Any]:
        defaults = {
            "description": None,
            "category": None,
            "preparation_minutes": 0,
            "cleanup_minutes": 0,
            "allow_parallel_bookings": False,
            "max_parallel_bookings": 1,
            "min_advance_booking_hours": 0,
            "max_advance_booking_days": 60,
        }
        return defaults | changes


@fault(
    "touching-windows-refused",
    "windows compared as closed intervals: 12:00-14:00 overlaps 10:00-12:00",
    rules=("C3.8",),
    catches=("X-10",),
)
class TouchingWindowsRefused(Policy):
    def windows_overlap(self, existing: Iterable[Window], new: Window) -> bool:
        return any(w.start <= new.end and new.start <= w.end for w in existing)


@fault(
    "window-equal-times-accepted",
    "a window with end_time equal to start_time is accepted (>= instead of >)",
    rules=("C3.7",),
    catches=("X-90",),
)
class WindowEqualTimesAccepted(Policy):
    def window_ends_after_start(self, start: int, end: int) -> bool:
        return end >= start

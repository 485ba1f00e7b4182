"""Faults of appointments: items, listing, reschedules and status transitions (C4.x)."""

from __future__ import annotations

from typing import Any

from reference_server.faults.registry import answering, fault
from reference_server.policy import Policy

answering(
    "request-duration-accepted",
    "a duration_minutes other than the service's is accepted",
    seam="accepts_duration",
    answer=True,
    rules=("C4.2",),
    catches=("X-97",),
)


answering(
    "items-judged-apart",
    "the items of one booking are not checked against each other",
    seam="checks_items_together",
    answer=False,
    rules=("C4.3",),
    catches=("X-98",),
)


@fault(
    "list-status-filter-ignored",
    "GET /appointments ignores the status filter",
    rules=("C4.4",),
    catches=("X-101",),
)
class ListStatusFilterIgnored(Policy):
    def list_filters(self, filters: dict[str, Any]) -> dict[str, Any]:
        return {**filters, "status": None}


@fault(
    "reschedule-loses-offsets",
    "a reschedule moves every service to new_time (offsets lost)",
    rules=("C4.5",),
    catches=("X-102",),
)
class RescheduleLosesOffsets(Policy):
    def moved_start(self, start: int, first_start: int, new_time: int) -> int:
        return new_time


answering(
    "reschedule-ignores-window",
    "a reschedule is not checked against the staff member's window",
    seam="reschedule_checks_window",
    answer=False,
    rules=("C4.6",),
    catches=("X-104",),
)


answering(
    "reschedule-counts-self",
    "reschedule counts the appointment against itself",
    seam="reschedule_excludes_self",
    answer=False,
    rules=("C4.6",),
    catches=("S6-6", "S6-7"),
    source="calcom #12348",
)


answering(
    "reschedule-skips-capacity",
    "reschedule skips the capacity check",
    seam="reschedule_checks_capacity",
    answer=False,
    rules=("C4.6",),
    catches=("S6-4", "S6-8"),
)


@fault(
    "cancel-twice-allowed",
    "a cancelled appointment can be cancelled again",
    rules=("C4.9",),
    catches=("X-108", "X-7"),
)
class CancelTwiceAllowed(Policy):
    def can_transition(self, current: str, target: str) -> bool:
        return (current, target) == ("cancelled", "cancelled") or super().can_transition(current, target)


@fault(
    "completed-reopens",
    "a completed appointment can be set back to confirmed",
    rules=("C4.9",),
    catches=("X-108",),
)
class CompletedReopens(Policy):
    def can_transition(self, current: str, target: str) -> bool:
        return (current, target) == ("completed", "confirmed") or super().can_transition(current, target)

"""Faults of the availability grid's decisions: its range, starts, capacity and slots (C1.5, C6.x)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from reference_server.faults.registry import answering, fault
from reference_server.policy import CapacityConfig, GridSlot, Policy
from reference_server.rules import Window, fmt_time


@fault("grid-seconds", "grid times as HH:MM:SS", source="", rules=("C1.5",), catches=("S2-9", "S4-7"))
class GridSeconds(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["start_time"], body["end_time"] = fmt_time(slot.start), fmt_time(slot.end)
        return body


@fault(
    "grid-capacity-not-reduced",
    "grid available_capacity not reduced by bookings",
    source="calcom #17542",
    rules=("C6.7",),
    catches=("S2-4", "S3-3", "S4-3", "S4-9"),
)
class GridCapacityNotReduced(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        body["available_capacity"] = slot.assessment.capacity
        return body


@fault(
    "grid-available-when-full",
    "grid is_available true when full",
    source="calcom #17542",
    rules=("C6.8",),
    catches=("S3-4", "S4-6", "S7-1"),
)
class GridAvailableWhenFull(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        return {**super().grid_slot(slot), "is_available": True}


answering(
    "grid-without-metadata",
    "grid without metadata",
    seam="grid_metadata",
    answer=None,
    rules=("C6.2",),
    catches=("S2-8", "S3-2", "S4-8"),
)


@fault(
    "grid-end-date-off-by-one",
    "grid default end_date = start_date + num_days (one date too many)",
    rules=("C6.1",),
    catches=("X-55", "X-56", "X-57"),
)
class GridEndDateOffByOne(Policy):
    def grid_end_date(self, start: date, num_days: int) -> date:
        return start + timedelta(days=num_days)


answering(
    "grid-range-unbounded",
    "grid accepts an end_date 32 or more days after start_date",
    seam="grid_max_days",
    answer=366,
    rules=("C6.1",),
    catches=("X-57",),
)


@fault(
    "grid-interval-ignored",
    "grid slot_interval_minutes echoed but starts always every 30 minutes",
    rules=("C6.1",),
    catches=("X-59",),
)
class GridIntervalIgnored(Policy):
    def grid_candidate_starts(
        self, windows: list[Window], *, block_minutes: int, duration_minutes: int, interval: int
    ) -> list[int]:
        return super().grid_candidate_starts(
            windows, block_minutes=block_minutes, duration_minutes=duration_minutes, interval=30
        )


answering(
    "grid-staff-filter-ignored",
    "grid staff_id query ignored: every staff member of the outlet is listed",
    seam="grid_staff_filter",
    answer=None,
    rules=("C6.1",),
    catches=("X-61",),
)


@fault(
    "grid-outlet-name-is-id",
    "grid metadata.outlet_name carries the outlet id",
    rules=("C6.2",),
    catches=("X-63", "S2-8"),
)
class GridOutletNameIsId(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return {**metadata, "outlet_name": metadata["outlet_id"]}


@fault(
    "grid-slot-overruns-window",
    "grid last start ignores preparation and cleanup: the block overruns the window",
    rules=("C6.3",),
    catches=("X-64",),
)
class GridSlotOverrunsWindow(Policy):
    def grid_candidate_starts(
        self, windows: list[Window], *, block_minutes: int, duration_minutes: int, interval: int
    ) -> list[int]:
        return super().grid_candidate_starts(
            windows, block_minutes=duration_minutes, duration_minutes=duration_minutes, interval=interval
        )


answering(
    "grid-off-grid-booking-hidden",
    "grid lists only interval starts: a session booked off the grid has no slot",
    seam="grid_lists_booked_starts",
    answer=False,
    rules=("C6.5",),
    catches=("X-66",),
)


@fault(
    "grid-max-capacity-raw",
    "grid max_capacity is max_parallel_bookings even for single-booking services",
    rules=("C6.6",),
    catches=("X-67",),
)
class GridMaxCapacityRaw(Policy):
    def grid_capacity(self, service: CapacityConfig) -> int:
        return service.max_parallel_bookings


@fault(
    "grid-busy-staff-not-zeroed",
    "grid available_capacity ignores the staff member's other overlapping bookings",
    rules=("C6.7",),
    catches=("X-69",),
)
class GridBusyStaffNotZeroed(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        found = slot.assessment
        available = max(0, found.capacity - found.booked)
        return {**super().grid_slot(slot), "available_capacity": available, "is_available": available > 0}


@fault(
    "grid-unavailable-at-one",
    "grid is_available false when exactly one place is left",
    rules=("C6.8",),
    catches=("X-70", "S4-5"),
)
class GridUnavailableAtOne(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        return {**super().grid_slot(slot), "is_available": slot.assessment.available > 1}


@fault(
    "grid-metadata-staff-null",
    "grid metadata.staff_id always null",
    rules=("C6.10",),
    catches=("X-72", "S2-8"),
)
class GridMetadataStaffNull(Policy):
    def grid_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return {**metadata, "staff_id": None}


@fault(
    "grid-parallel-without-capacity",
    "grid slots of parallel services without available_capacity and max_capacity",
    rules=("C6.11",),
    catches=("X-73",),
)
class GridParallelWithoutCapacity(Policy):
    def grid_slot(self, slot: GridSlot) -> dict[str, Any]:
        body = super().grid_slot(slot)
        if slot.allows_parallel_bookings:
            del body["available_capacity"], body["max_capacity"]
        return body

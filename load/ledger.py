"""What the load saw, gathered on the master from every worker's messages.

Each user owns the appointments it booked (only it reschedules, cancels or marks them), and
one worker's messages arrive in order, so the last event of an id is what the load last saw.
A request killed in flight at the end leaves nothing here: the checks only judge what was seen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

Event = dict[str, Any]


@dataclass
class Ledger:
    created: dict[str, Event] = field(default_factory=dict)  # id -> {kind, staff, start}
    last: dict[str, str] = field(default_factory=dict)  # id -> created|moved|cancelled|no_show
    moved: dict[str, str] = field(default_factory=dict)  # id -> new start
    customers: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)  # "METHOD name -> 5xx"
    requests: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # worker -> count

    def apply(self, batch: dict[str, Any]) -> None:
        self.requests[str(batch.get("worker", "local"))] += int(batch.get("requests", 0))
        for event in batch.get("events", []):
            kind, item = event["event"], event.get("id", "")
            if kind == "created":
                self.created[item] = event
                self.last[item] = "created"
            elif kind == "moved":
                self.moved[item] = event["start"]
                self.last[item] = "moved"
            elif kind in ("cancelled", "no_show"):
                self.last[item] = kind
            elif kind == "customer":
                self.customers.append(item)
            elif kind == "server_error":
                self.server_errors.append(event["what"])

    def ended(self, status: str) -> list[str]:
        return [item for item, last in self.last.items() if last == status]


class Outbox:
    """A worker's (or a local run's) buffer of events, flushed to the master as one batch."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.requests = 0

    def add(self, event: str, **data: Any) -> None:
        self.events.append({"event": event, **data})

    def take(self, worker: str) -> dict[str, Any] | None:
        if not self.events and not self.requests:
            return None
        batch = {"worker": worker, "requests": self.requests, "events": self.events}
        self.events, self.requests = [], 0
        return batch

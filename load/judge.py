"""After the whole run, once, on the master: the invariants read back from the target's own API.

C5.2 no session holds more active bookings than its capacity; C5.3 no staff member in two
overlapping sessions; every 201 the load saw is listed and every cancel / no-show took effect;
the grid and the list agree on every session the load touched (C6.7); and no 5xx (C1.9).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures import endpoints as ep
from fixtures.readback import INACTIVE
from load.ledger import Ledger
from load.plan import Plan, client, send

Session = tuple[str, str, str]  # (staff id, service id, start HH:MM)


@dataclass
class Invariant:
    rule: str
    name: str
    found: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def holds(self) -> bool:
        return not self.found

    def report(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "holds": self.holds,
            "checked": self.checked,
            "found": self.found[:50],
            "violations": len(self.found),
        }


@dataclass(frozen=True)
class Item:
    appointment: str
    status: str
    staff: str
    service: str
    start: str
    end: str

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE

    @property
    def session(self) -> Session:
        return (self.staff, self.service, self.start)


class ReadError(Exception):
    pass


def _get(http: httpx.Client, request: ep.ApiRequest, server_errors: list[str]) -> Any:
    response = send(http, request)
    if response.status_code >= 500:
        server_errors.append(f"{request.method} {request.path} (read-back) -> {response.status_code}")
    if response.status_code != 200:
        raise ReadError(
            f"{request.method} {request.path} answered {response.status_code}: {response.text[:200]}"
        )
    return response.json()


def read_appointments(http: httpx.Client, plan: Plan, server_errors: list[str]) -> list[dict[str, Any]]:
    """Every appointment of the run's staff on the run's day, every page (C1.10)."""
    found: dict[str, dict[str, Any]] = {}
    for staff in plan.staff:
        page = 1
        while True:
            request = ep.list_appointments(date=plan.booking_day, staff_id=staff, page=page, size=100)
            body = _get(http, request, server_errors)
            items = body["items"] if isinstance(body, dict) else body
            found.update({str(a["id"]): a for a in items})
            if not isinstance(body, dict) or page >= int(body.get("pages") or 1) or not items:
                break
            page += 1
    return list(found.values())


def items_of(appointments: list[dict[str, Any]], plan: Plan) -> list[Item]:
    ours = set(plan.services)
    return [
        Item(
            str(a["id"]), a["status"], s["staff_id"], s["service_id"], s["start_time"][:5], s["end_time"][:5]
        )
        for a in appointments
        for s in a.get("services", [])
        if s["service_id"] in ours
    ]


class Judge:
    def __init__(self, plan: Plan, ledger: Ledger) -> None:
        self.plan, self.ledger = plan, ledger
        self.capacity = {plan.parallel["id"]: plan.parallel["capacity"], plan.single["id"]: 1}
        self.label = {plan.parallel["id"]: "parallel", plan.single["id"]: "single"}
        self.staff_no = {s: n + 1 for n, s in enumerate(plan.staff)}

    def where(self, session: Session) -> str:
        staff, service, start = session
        who, what = self.staff_no.get(staff, staff), self.label.get(service, service)
        return f"staff {who} / {what} {self.plan.day} {start}"

    def run(self) -> tuple[list[Invariant], list[dict[str, Any]]]:
        server_errors = list(self.ledger.server_errors)
        invariants = [
            Invariant("C5.2", "no session holds more active bookings than its capacity"),
            Invariant("C5.3", "no staff member in two overlapping sessions"),
            Invariant("C4.1", "every 201 the load saw is listed; every cancel and no-show took effect"),
            Invariant("C6.7", "the grid and the list agree on every session the load touched"),
            Invariant("C1.9", "no 5xx"),
        ]
        appointments: list[dict[str, Any]] = []
        try:
            with client(self.plan.base_url, self.plan.token) as http:
                appointments = read_appointments(http, self.plan, server_errors)
                items = items_of(appointments, self.plan)
                self.capacity_rule(items, invariants[0])
                self.overlap_rule(items, invariants[1])
                self.seen_rule(appointments, invariants[2])
                self.grid_rule(http, items, invariants[3], server_errors)
        except (ReadError, httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            invariants.append(
                Invariant("read-back", "the invariants could be read", [f"{type(exc).__name__}: {exc}"])
            )
        invariants[4].found, invariants[4].checked = server_errors, sum(self.ledger.requests.values())
        return invariants, appointments

    def counts(self, items: list[Item]) -> dict[Session, int]:
        counts: dict[Session, int] = defaultdict(int)
        for item in items:
            if item.active:
                counts[item.session] += 1
        return counts

    def capacity_rule(self, items: list[Item], rule: Invariant) -> None:
        counts = self.counts(items)
        rule.checked = len(counts)
        for session, count in sorted(counts.items()):
            if count > self.capacity[session[1]]:
                rule.found.append(
                    f"overbooked: {self.where(session)}: {count} active, capacity {self.capacity[session[1]]}"
                )

    @staticmethod
    def _overlaps(a: Item, b: Item) -> bool:
        return a.session != b.session and a.start < b.end and b.start < a.end  # half-open (C5.3)

    def overlap_rule(self, items: list[Item], rule: Invariant) -> None:
        by_staff: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            if item.active:
                by_staff[item.staff].append(item)
        seen: set[tuple[Session, Session]] = set()
        for staff_items in by_staff.values():
            rule.checked += len(staff_items)
            for i, a in enumerate(staff_items):
                for b in staff_items[i + 1 :]:
                    pair = tuple(sorted((a.session, b.session)))
                    if self._overlaps(a, b) and pair not in seen:
                        seen.add(pair)  # type: ignore[arg-type]
                        rule.found.append(
                            f"staff overlap: {self.where(a.session)} and {self.where(b.session)}"
                        )

    def seen_rule(self, appointments: list[dict[str, Any]], rule: Invariant) -> None:
        status = {str(a["id"]): a["status"] for a in appointments}
        rule.checked = len(self.ledger.created)
        for item in self.ledger.created:
            if item not in status:
                rule.found.append(f"201 not listed: appointment {item}")
        for expected in sorted(INACTIVE):
            for item in self.ledger.ended(expected):
                if item in status and status[item] != expected:
                    rule.found.append(f"{expected} did not take effect: appointment {item} is {status[item]}")

    def touched(self) -> set[Session]:
        sessions = {(e["staff"], e["service"], e["start"]) for e in self.ledger.created.values()}
        for item, start in self.ledger.moved.items():
            event = self.ledger.created.get(item)
            if event:
                sessions.add((event["staff"], event["service"], start))
        return sessions

    def grid_rule(
        self, http: httpx.Client, items: list[Item], rule: Invariant, server_errors: list[str]
    ) -> None:
        counts = self.counts(items)
        active = [i for i in items if i.active]
        slots: dict[Session, dict[str, Any]] = {}
        for service in self.plan.services:
            request = ep.availability_grid(
                outlet_id=self.plan.outlet_id,
                service_id=service,
                start_date=self.plan.booking_day,
                end_date=self.plan.booking_day,
            )
            grid = _get(http, request, server_errors)
            for slot in grid["availability_grid"].get(self.plan.day, []):
                slots[(slot["staff_id"], service, slot["start_time"][:5])] = slot
        duration = {self.plan.parallel["id"]: self.plan.parallel["duration"], self.plan.single["id"]: 30}
        for session in sorted(self.touched()):
            rule.checked += 1
            slot = slots.get(session)
            if slot is None:
                rule.found.append(f"touched session not on the grid: {self.where(session)}")
                continue
            staff, service, start = session
            probe = Item("", "confirmed", staff, service, start, _end(start, duration[service]))
            busy = any(self._overlaps(probe, other) for other in active if other.staff == staff)
            expected = 0 if busy else max(0, self.capacity[service] - counts.get(session, 0))
            if slot.get("available_capacity") != expected:
                rule.found.append(
                    f"grid available_capacity {slot.get('available_capacity')}, list gives {expected}: "
                    f"{self.where(session)} ({counts.get(session, 0)} active)"
                )


def _end(start: str, minutes: int) -> str:
    h, m = (int(x) for x in start.split(":"))
    total = h * 60 + m + minutes
    return f"{total // 60:02d}:{total % 60:02d}"

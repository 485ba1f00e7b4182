"""Find and remove records carrying the run mark (fixtures/marks.py), and only those.

Pure logic over a BookingApi, so tests drive it against the reference server. What is ours:
services, staff and customers whose name, slug, position or email carries the mark; windows of
marked staff; appointments on marked staff whose customer is not a known unmarked customer
(a foreign booking on our staff is never touched). Already inactive records are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.api import BookingApi
from fixtures.ledger import FINISHED, undo_actions, undone_by
from fixtures.marks import marked_run
from fixtures.readback import PAGE_SIZE, page_items

MAX_PAGES = 1000  # 100 000 records of one kind: a bound, not a limit anyone should reach


class SweepError(Exception):
    """The target refused a read the sweep needs (one clear line, exit 3)."""


@dataclass
class Found:
    kind: str
    id: str
    label: str
    run: str


@dataclass
class Report:
    found: list[Found] = field(default_factory=list)
    removed: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _all(fetch: Callable[[int], httpx.Response], what: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for number in range(1, MAX_PAGES + 1):
        page = fetch(number)
        if page.status_code != 200:
            raise SweepError(f"GET {what} page {number} answered {page.status_code}: {page.text[:200]}")
        entries += page_items(page)
        body = page.json()
        if not isinstance(body, dict) or number >= int(body.get("pages") or 1):
            return entries
    return entries


def _active(record: dict[str, Any]) -> bool:
    return record.get("is_active", True) is not False


def _label(record: dict[str, Any]) -> str:
    name = record.get("name") or " ".join(str(record.get(k, "")) for k in ("first_name", "last_name"))
    return f"{name.strip()} <{record['email']}>" if record.get("email") else str(name).strip()


def find(api: BookingApi, *, keep_runs: Iterable[str] = ()) -> list[Found]:
    """Everything active that carries a mark of a run not in `keep_runs`, in undo order."""
    keep = set(keep_runs)
    lists = {
        "service": _all(lambda n: api.list_services(page=n, size=PAGE_SIZE), "/services"),
        "staff": _all(lambda n: api.list_staff(page=n, size=PAGE_SIZE), "/staff"),
        "customer": _all(lambda n: api.list_customers(page=n, size=PAGE_SIZE), "/customers"),
    }
    ours: dict[str, list[Found]] = {"appointment": [], "availability": []}
    foreign_customers: set[str] = set()
    for kind, records in lists.items():
        ours[kind] = []
        for record in records:
            run = marked_run(record)
            if run is None or run in keep:
                if kind == "customer":
                    foreign_customers.add(str(record.get("id")))
                continue
            if _active(record):
                ours[kind].append(Found(kind, str(record["id"]), _label(record), run))
    for staff in ours["staff"]:
        windows = api.list_availability(staff_id=staff.id)
        if windows.status_code == 200:
            for window in page_items(windows):
                label = f"{window.get('day_of_week')} {window.get('start_time')}-{window.get('end_time')}"
                ours["availability"].append(Found("availability", str(window["id"]), label, staff.run))
        bookings = _all(
            lambda n, s=staff.id: api.list_appointments(staff_id=s, page=n, size=PAGE_SIZE), "/appointments"
        )
        for booking in bookings:
            if booking.get("status") in FINISHED or str(booking.get("customer_id")) in foreign_customers:
                continue
            label = f"{booking.get('appointment_date')} {booking.get('status')} (staff {staff.label})"
            ours["appointment"].append(Found("appointment", str(booking["id"]), label, staff.run))
    order = ("appointment", "customer", "availability", "staff", "service")
    return [found for kind in order for found in ours[kind]]


def remove(api: BookingApi, found: list[Found]) -> Report:
    """Cancel, delete or deactivate each found record (in the order given)."""
    undo = undo_actions(api)
    report = Report(found=list(found))
    for item in found:
        response = undo[item.kind](item.id)
        if undone_by(item.kind, response):
            report.removed.append(item)
        else:
            report.problems.append(f"{item.kind} {item.id}: {response.status_code} {response.text[:200]}")
    return report

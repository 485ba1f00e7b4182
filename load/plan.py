"""The data a load run works on, created by the master before any user starts, and its cleanup.

Many small sessions: `--load-staff` members, each with one window of `--load-hours` hours, a
parallel service of `--load-capacity` places (hourly sessions) and a single service (half-hourly),
so capacity (C5.2) and staff overlaps (C5.3) are contended from the first seconds. Every name
starts with `cf-load-<run id>` (fixtures/marks.py), which is what cleanup and the sweep look for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import httpx

from fixtures import endpoints as ep
from fixtures.dates import booking_date, weekday_name
from fixtures.marks import mark
from fixtures.preflight import Account, login, tenant_of
from load.options import MARK_TOOL, TargetConfig

WINDOW_START = 8  # 08:00 outlet time
TIMEOUT = httpx.Timeout(30.0)


class PlanError(Exception):
    """The target refused the set-up: the load cannot start."""


@dataclass
class Plan:
    """Plain data (it travels to the workers in a Locust message)."""

    run_id: str
    base_url: str
    token: str
    outlet_id: str
    day: str
    staff: list[str]
    parallel: dict[str, Any]  # {"id", "capacity", "duration"}
    single: dict[str, Any]
    parallel_starts: list[str]
    single_starts: list[str]
    services: list[str]
    windows: list[str]

    def wire(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def prefix(self) -> str:
        return mark(self.run_id, tool=MARK_TOOL)

    @property
    def booking_day(self) -> date:
        return date.fromisoformat(self.day)


def client(base_url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=TIMEOUT)


def send(http: httpx.Client, request: ep.ApiRequest) -> httpx.Response:
    return http.request(request.method, request.path, json=request.json, params=dict(request.params))


def token_for(target: TargetConfig) -> str:
    if target.token:
        return target.token
    if not (target.email and target.password):
        raise PlanError("No credentials: give --api-email/--api-password or --api-token.")
    options = "--api-email/--api-password (CONFORMANCE_API_EMAIL/_PASSWORD)"
    with client(target.base_url) as http:
        return login(http, target.base_url, Account("admin", target.email, target.password, options))


def _created(response: httpx.Response, what: str) -> str:
    if response.status_code != 201:
        raise PlanError(f"creating {what} expected 201, got {response.status_code}: {response.text[:300]}")
    return str(response.json()["id"])


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def create_plan(target: TargetConfig, *, staff: int, capacity: int, hours: int) -> Plan:
    token = token_for(target)
    prefix = mark(target.run_id, tool=MARK_TOOL)
    with client(target.base_url, token) as http:
        tenant = tenant_of(http, target.base_url, token)
        outlet_id = str(tenant["outlets"][0]["id"])
        day = booking_date("tuesday", weeks_ahead=2)
        services = []
        for label, parallel, places, minutes in (("parallel", True, capacity, 60), ("single", False, 1, 30)):
            body = ep.service_body(
                name=f"{prefix} {label}",
                outlet_id=outlet_id,
                duration_minutes=minutes,
                allow_parallel_bookings=parallel,
                max_parallel_bookings=places,
                slug=f"{prefix}-{label}",
            )
            sid = _created(send(http, ep.create("service", body)), f"service {body['name']!r}")
            services.append({"id": sid, "capacity": places, "duration": minutes})
        staff_ids, windows = [], []
        for n in range(staff):
            body = ep.staff_body(
                first_name=prefix,
                last_name=f"Staff {n + 1}",
                email=f"{prefix}-staff{n + 1}@example.test",
                phone=f"+62812{n + 1:07d}",
                outlet_id=outlet_id,
                position=f"{prefix} instructor",
            )
            staff_id = _created(send(http, ep.create("staff", body)), f"staff {n + 1}")
            staff_ids.append(staff_id)
            window = ep.create_availability(
                staff_id=staff_id,
                day_of_week=weekday_name(day),
                start_time=hhmm(WINDOW_START * 60),
                end_time=hhmm((WINDOW_START + hours) * 60),
                outlet_id=outlet_id,
            )
            windows.append(_created(send(http, window), f"availability of staff {n + 1}"))
    first = WINDOW_START * 60
    return Plan(
        run_id=target.run_id,
        base_url=target.base_url,
        token=token,
        outlet_id=outlet_id,
        day=day.isoformat(),
        staff=staff_ids,
        parallel=services[0],
        single=services[1],
        parallel_starts=[hhmm(first + 60 * h) for h in range(hours)],
        single_starts=[hhmm(first + 30 * h) for h in range(2 * hours)],
        services=[s["id"] for s in services],
        windows=windows,
    )


def cleanup(plan: Plan, appointments: list[dict[str, Any]], customers: list[str]) -> list[str]:
    """Cancel the run's active bookings, then delete customers, windows, staff, services."""
    problems: list[str] = []
    with client(plan.base_url, plan.token) as http:
        steps = [ep.cancel(a["id"]) for a in appointments if a.get("status") not in ("cancelled", "no_show")]
        steps += [ep.delete("customer", c) for c in customers]
        steps += [ep.delete_availability(w) for w in plan.windows]
        steps += [ep.delete("staff", s) for s in plan.staff]
        steps += [ep.delete("service", s) for s in plan.services]
        for request in steps:
            try:
                response = send(http, request)
            except httpx.HTTPError as exc:
                problems.append(f"{request.method} {request.path}: {type(exc).__name__}")
                continue
            if response.status_code >= 400 and response.status_code != 409:
                problems.append(f"{request.method} {request.path}: {response.status_code}")
    return problems


def end_of(start: str, minutes: int) -> str:
    h, m = (int(x) for x in start[:5].split(":"))
    return hhmm(h * 60 + m + minutes)


__all__ = ["Plan", "PlanError", "cleanup", "create_plan", "end_of"]

"""A small API helper for the server's own tests: login, factories with unique names, dates."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

API = "/api/v1"
_counter = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}-{next(_counter)}"


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> date:
    """The `weekday` (0 = monday) at least `weeks_ahead` weeks after today in Jakarta."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def login(base_url: str, email: str, password: str) -> str:
    response = httpx.post(f"{base_url}{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class Api:
    """httpx.Client with a bearer token and one-line factories for every resource."""

    def __init__(self, base_url: str, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base_url + API, headers=headers, timeout=30)
        self.outlet_id = self.http.get("/tenants/me").json()["outlets"][0]["id"] if token else ""

    def close(self) -> None:
        self.http.close()

    def __getattr__(self, name: str) -> Any:  # get/post/put/patch/delete pass through
        return getattr(self.http, name)

    def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def service(self, *, capacity: int = 1, duration: int = 60, **extra: Any) -> dict[str, Any]:
        body = {
            "name": unique("Service"),
            "duration_minutes": duration,
            "pricing": {"base_price": 150000, "currency": "IDR"},
            "allow_parallel_bookings": capacity > 1,
            "max_parallel_bookings": capacity,
            "outlet_id": self.outlet_id,
        }
        return self.created("/services", {**body, **extra})

    def staff(self, first: str = "Emma", last: str = "Martinez", **extra: Any) -> dict[str, Any]:
        body = {
            "first_name": first,
            "last_name": last,
            "email": f"{unique('s')}@x.test",
            "outlet_id": self.outlet_id,
        }
        return self.created("/staff", {**body, **extra})

    def window(self, staff_id: str, day: str = "monday", start: str = "09:00", end: str = "17:00") -> dict:
        body = {"staff_id": staff_id, "day_of_week": day, "start_time": start, "end_time": end}
        return self.created("/availability", {**body, "outlet_id": self.outlet_id})

    def customer(self) -> dict[str, Any]:
        body = {
            "first_name": "Cust",
            "last_name": unique("c"),
            "email": f"{unique('c')}@x.test",
            "phone": "+62",
        }
        return self.created("/customers", body)

    def book(
        self,
        service_id: str,
        staff_id: str,
        day: date,
        start: str,
        customer_id: str | None = None,
        **extra: Any,
    ) -> httpx.Response:
        body = self.booking_body(day, (service_id, staff_id, start), customer_id=customer_id)
        return self.http.post("/appointments", json={**body, **extra})

    def booking_body(
        self, day: date, *items: tuple[str, str, str], customer_id: str | None = None
    ) -> dict[str, Any]:
        """POST /appointments body; each item is (service_id, staff_id, start_time)."""
        return {
            "customer_id": customer_id or self.customer()["id"],
            "outlet_id": self.outlet_id,
            "appointment_date": day.isoformat(),
            "services": [
                {"service_id": service, "staff_id": staff, "start_time": start}
                for service, staff, start in items
            ],
        }

    def grid(self, service_id: str, staff_id: str | None, day: date, **params: Any) -> dict[str, Any]:
        query = {
            "outlet_id": self.outlet_id,
            "service_id": service_id,
            "start_date": day.isoformat(),
            "end_date": day.isoformat(),
            **params,
        }
        if staff_id:
            query["staff_id"] = staff_id
        response = self.http.get("/availability/availability-grid", params=query)
        assert response.status_code == 200, response.text
        return response.json()

    def slot(self, service_id: str, staff_id: str, day: date, start: str) -> dict[str, Any]:
        slots = self.grid(service_id, staff_id, day)["availability_grid"][day.isoformat()]
        return next(s for s in slots if s["start_time"] == start)

"""Contract rule §5.8 at its exact edges, in the outlet's own time.

X-4 (test_contract_booking_rules.py) judges the advance window with margins of days, so it
holds in any timezone. These judge the boundary itself, which needs the outlet's "today":
they run when `GET /tenants/me` gives the outlet's `timezone` (the reference outlet is
Asia/Jakarta) and skip, saying so, when it does not.

Every booking starts at 00:00 local, which puts each case on one side of its rule whatever
the time of day and whether a target counts the window in hours or in calendar days:
- today 00:00 is already past (now > 00:00);
- today + N 00:00 <= now + N days, while today + N + 1 00:00 > now + N days;
- with 48 hours minimum, today + 2 00:00 < now + 48 h <= today + 3 00:00.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from fixtures.api import BookingApi
from fixtures.dates import next_day
from fixtures.expect import expect_equal, expect_error_detail, expect_status, field
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X115 = "A booking earlier today in the outlet's time is refused with 400"
X116 = "A booking exactly max_advance_booking_days ahead is accepted; one day more is refused with 400"
X117 = "A booking within min_advance_booking_hours is refused with 400; one day later it is accepted"


def outlet_today(outlet: dict[str, Any]) -> date:
    """The outlet's local date (skip without a usable timezone); waits out the last minute of a day
    so that the date the test picks is the date the server judges."""
    name = outlet.get("timezone")
    try:
        zone = ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        pytest.skip(
            f"GET /tenants/me gives no usable outlet timezone ({name!r}); the exact edge depends on it"
        )
    now = datetime.now(zone)
    if now.hour == 23 and now.minute >= 59:
        time.sleep(61 - now.second)
        now = datetime.now(zone)
    return now.date()


def _book_at_midnight(
    api: BookingApi, factory: Factory, offset_days: int, today: date, **rule: int
) -> tuple[date, Any, dict[str, Any]]:
    """A 15-minute service with `rule`, a 00:00-23:59 window on the date's weekday, one booking at 00:00."""
    when = next_day(today, offset_days)
    service = factory.service("X-116 edge", parallel=False, capacity=1, duration=15, **rule)
    staff = factory.staff("X-116 edge")
    factory.availability(staff, day=when, start="00:00", end="23:59")
    response = factory.book(
        customer=factory.customer(), service=service, staff=staff, day=when, start="00:00"
    )
    return when, response, service


def _expect_refused(api: BookingApi, response: Any, when: date, service: dict[str, Any]) -> None:
    __tracebackhide__ = True
    expect_error_detail(response)
    listed = api.list_appointments(date=when, service_id=service["id"])
    expect_status(listed, 200)
    expect_equal(field(listed, "total"), 0, what="appointments after a 400", response=listed)


class TestBookingWindowEdges:
    @checklist("X-115", X115)
    def test_booking_earlier_today_is_refused_with_400(
        self, api: BookingApi, factory: Factory, outlet: dict[str, Any]
    ) -> None:
        today = outlet_today(outlet)
        when, response, service = _book_at_midnight(api, factory, 0, today)
        expect_status(response, 400, why=f"{when} 00:00 is earlier today in {outlet.get('timezone')}")
        _expect_refused(api, response, when, service)

    @pytest.mark.parametrize(
        ("offset", "expected"),
        [pytest.param(10, 201, id="exactly-10-days-ahead"), pytest.param(11, 400, id="11-days-ahead")],
    )
    @checklist("X-116", X116)
    def test_max_advance_edge_is_inclusive(
        self, api: BookingApi, factory: Factory, outlet: dict[str, Any], offset: int, expected: int
    ) -> None:
        today = outlet_today(outlet)
        when, response, service = _book_at_midnight(api, factory, offset, today, max_advance_booking_days=10)
        expect_status(
            response, expected, why=f"{when} 00:00 with max_advance_booking_days 10 (today {today})"
        )
        if expected == 400:
            _expect_refused(api, response, when, service)

    @pytest.mark.parametrize(
        ("offset", "expected"),
        [pytest.param(2, 400, id="under-48-hours-ahead"), pytest.param(3, 201, id="over-48-hours-ahead")],
    )
    @checklist("X-117", X117)
    def test_min_advance_edge(
        self, api: BookingApi, factory: Factory, outlet: dict[str, Any], offset: int, expected: int
    ) -> None:
        today = outlet_today(outlet)
        when, response, service = _book_at_midnight(api, factory, offset, today, min_advance_booking_hours=48)
        expect_status(
            response, expected, why=f"{when} 00:00 with min_advance_booking_hours 48 (today {today})"
        )
        if expected == 400:
            _expect_refused(api, response, when, service)

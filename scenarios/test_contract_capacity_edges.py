"""Contract rules §5.1-§5.7 at their edges: the boundary minute, the second date, the detail.

The guide books inside windows and overlaps by half an hour (Scenario C). These probe the
exact minute: a blocked interval (duration + preparation + cleanup) that starts or ends on
the window's edge fits, one minute beyond does not (§5.1); sessions that touch do not overlap,
one shared minute does (§5.3); a refusal names the staff member and its counts (§5.4);
capacity is per date (§5.5); the duplicate rule holds for one session only (§5.7). Every case
gets its own staff member, so no case's booking can be the reason for another's verdict.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures.dates import next_day
from fixtures.expect import ConformanceFailure, expect_detail_mentions_staff, expect_status, expect_statuses
from fixtures.factories import Factory
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X109 = (
    "A blocked interval fits the window exactly at its start and its end; "
    "one minute outside either edge is 409"
)
X110 = (
    "Intervals are half-open: a session ending 11:00 and one starting 11:00 "
    "on one staff member are both booked"
)
X111 = (
    "A one-minute overlap, a 15-minute booking inside another hour, another start of the same service, "
    "or preparation/cleanup minutes conflict with 409"
)
X112 = "A 409 detail names the staff member and says why; a full session gives its counts (3/3)"
X113 = "A full Monday session leaves the same session next Monday bookable to its capacity"
X114 = (
    "The same customer may book another session, the same session on another date, "
    "or another staff member at the same time"
)

# name -> (duration, parallel capacity or None for single, extra fields)
SERVICES: dict[str, tuple[int, int | None, dict[str, int]]] = {
    "hour": (60, 5, {}),  # parallel: a refusal of another start is §5.3, never capacity
    "other": (60, None, {}),
    "quarter": (15, None, {}),
    "cleanup": (60, None, {"cleanup_minutes": 30}),
    "prep": (60, None, {"preparation_minutes": 30}),
    "padded": (60, None, {"preparation_minutes": 15, "cleanup_minutes": 15}),
}


@pytest.fixture(scope="class")
def services(factory: Factory) -> dict[str, dict[str, Any]]:
    made = {}
    for name, (minutes, capacity, extra) in SERVICES.items():
        parallel = capacity is not None
        made[name] = factory.service(
            f"X-110 {name}", parallel=parallel, capacity=capacity or 1, duration=minutes, **extra
        )
    return made


def _fresh_staff(factory: Factory, day: date, window: tuple[str, str] = ("08:00", "20:00")) -> dict[str, Any]:
    staff = factory.staff("X-110 edge")
    factory.availability(staff, day=day, start=window[0], end=window[1])
    return staff


def _book(
    factory: Factory, service: dict[str, Any], staff: dict[str, Any], day: date, start: str
) -> httpx.Response:
    return factory.book(customer=factory.customer(), service=service, staff=staff, day=day, start=start)


class TestTheWindowCoversTheWholeBlockedInterval:
    # Window 09:00-12:00. "padded" blocks 90 minutes: 15 preparation + 60 + 15 cleanup.
    @pytest.mark.parametrize(
        ("service", "start", "expected"),
        [
            pytest.param("other", "09:00", 201, id="starts-at-window-start-09:00"),
            pytest.param("other", "11:00", 201, id="ends-at-window-end-12:00"),
            pytest.param("other", "08:59", 409, id="starts-one-minute-early-08:59"),
            pytest.param("other", "11:01", 409, id="ends-one-minute-late-12:01"),
            pytest.param("padded", "10:30", 201, id="padded-ends-at-window-end-12:00"),
            pytest.param("padded", "10:31", 409, id="padded-one-minute-late-12:01"),
        ],
    )
    @checklist("X-109", X109)
    def test_window_edges_are_exact(
        self, factory: Factory, services: dict, day: date, service: str, start: str, expected: int
    ) -> None:
        staff = _fresh_staff(factory, day, ("09:00", "12:00"))
        response = _book(factory, services[service], staff, day, start)
        expect_status(response, expected, why=f"{service} at {start}, window 09:00-12:00")


# (anchor service, anchor start, probe service, probe start): the anchor is booked first.
TOUCHING = [
    pytest.param("hour", "10:00", "other", "11:00", id="ends-11:00-then-starts-11:00"),
    pytest.param("hour", "10:00", "other", "09:00", id="ends-10:00-before-one-starting-10:00"),
    pytest.param("cleanup", "10:00", "other", "11:30", id="starts-when-cleanup-ends-11:30"),
    pytest.param("other", "11:00", "cleanup", "09:30", id="own-cleanup-ends-when-next-starts"),
]
OVERLAPPING = [
    pytest.param("hour", "10:00", "other", "10:59", id="one-minute-overlap-at-end-10:59"),
    pytest.param("hour", "10:00", "other", "09:01", id="one-minute-overlap-at-start-09:01"),
    pytest.param("hour", "10:00", "quarter", "10:15", id="15-minutes-inside-the-hour"),
    pytest.param("hour", "10:00", "hour", "10:30", id="same-service-other-start-10:30"),
    pytest.param("cleanup", "10:00", "other", "11:00", id="into-cleanup-minutes-11:00"),
    pytest.param("prep", "10:00", "other", "11:15", id="into-preparation-minutes-11:15"),
    pytest.param("other", "11:00", "cleanup", "09:45", id="own-cleanup-runs-into-next-09:45"),
]


class TestIntervalsAreHalfOpen:
    def _probe(
        self, factory: Factory, services: dict, day: date, anchor: str, at: str, probe: str, start: str
    ):
        staff = _fresh_staff(factory, day)
        expect_status(_book(factory, services[anchor], staff, day, at), 201, why=f"anchor {anchor} at {at}")
        return staff, _book(factory, services[probe], staff, day, start)

    @pytest.mark.parametrize(("anchor", "at", "probe", "start"), TOUCHING)
    @checklist("X-110", X110)
    def test_touching_sessions_are_both_booked(
        self, factory: Factory, services: dict, day: date, anchor, at, probe, start
    ):
        _, response = self._probe(factory, services, day, anchor, at, probe, start)
        expect_status(response, 201, why=f"{probe} at {start} touching {anchor} at {at}")

    @pytest.mark.parametrize(("anchor", "at", "probe", "start"), OVERLAPPING)
    @checklist("X-111", X111)
    def test_overlapping_sessions_conflict_with_409(
        self, factory: Factory, services: dict, day: date, anchor, at, probe, start
    ):
        _, response = self._probe(factory, services, day, anchor, at, probe, start)
        expect_status(response, 409, why=f"{probe} at {start} overlapping {anchor} at {at}")


WHY = re.compile(r"avail|book|busy|conflict|full|capacity|overlap|hours|schedule", re.IGNORECASE)


def expect_detail_says_why(
    response: httpx.Response, staff: dict[str, Any], counts: str | None = None
) -> None:
    """§5.4: the staff member's name, a reason, and for capacity the counts ("3/3" or "3 of 3")."""
    __tracebackhide__ = True
    expect_detail_mentions_staff(response, staff)
    detail = str(response.json()["detail"])
    if not WHY.search(detail):
        raise ConformanceFailure(f"CONTRACT §5.4: `detail` does not say why: {detail!r}", response=response)
    if counts and not re.search(counts.replace("/", r"\s*(?:/|of)\s*"), detail):
        raise ConformanceFailure(
            f"CONTRACT §5.4: `detail` lacks the counts {counts}: {detail!r}", response=response
        )


class TestRefusalDetails:
    @pytest.mark.parametrize("why", ["outside-window", "other-service-overlap", "full-session-3-of-3"])
    @checklist("X-112", X112)
    def test_refusal_detail_names_staff_and_reason(
        self, factory: Factory, services: dict, day: date, why: str
    ) -> None:
        staff = _fresh_staff(factory, day, ("09:00", "12:00"))
        if why == "outside-window":
            refused = _book(factory, services["other"], staff, day, "11:30")
        elif why == "other-service-overlap":
            expect_status(_book(factory, services["other"], staff, day, "10:00"), 201, why="first booking")
            refused = _book(factory, services["quarter"], staff, day, "10:30")
        else:
            full = factory.service("X-112 three places", parallel=True, capacity=3)
            expect_statuses([_book(factory, full, staff, day, "10:00") for _ in range(3)], 201, why="3 of 3")
            refused = _book(factory, full, staff, day, "10:00")
        expect_status(refused, 409, why=why)
        expect_detail_says_why(refused, staff, "3/3" if why.startswith("full") else None)


class TestCapacityIsPerDate:
    @checklist("X-113", X113)
    def test_full_monday_leaves_next_monday_free(self, factory: Factory, day: date) -> None:
        stage = factory.stage("X-113 per date", capacity=2, day=day)
        later = next_day(day, 7)
        expect_statuses(stage.fill("10:00", 2), 201, why=f"filling {day} 10:00 (2 of 2)")
        expect_status(stage.book("10:00"), 409, why=f"{day} 10:00 is full")
        expect_statuses(stage.fill("10:00", 2, day=later), 201, why=f"{later} 10:00 has its own 2 places")
        expect_status(stage.book("10:00", day=later), 409, why=f"{later} 10:00 is full in its turn")


class TestSameCustomerOtherSessions:
    @pytest.mark.parametrize(
        "other", ["other-start-14:00", "same-session-next-week", "other-staff-same-time"]
    )
    @checklist("X-114", X114)
    def test_same_customer_books_another_session(self, factory: Factory, day: date, other: str) -> None:
        stage = factory.stage("X-114 customer", capacity=5, day=day)
        customer = factory.customer()
        expect_status(stage.book("10:00", customer=customer), 201, why="the customer's first booking")
        if other == "other-staff-same-time":
            staff = _fresh_staff(factory, day)
            response = factory.book(
                customer=customer, service=stage.service, staff=staff, day=day, start="10:00"
            )
        elif other == "same-session-next-week":
            response = stage.book("10:00", customer=customer, day=next_day(day, 7))
        else:
            response = stage.book("14:00", customer=customer)
        expect_status(response, 201, why=f"the same customer, {other}")

"""Guide "Scenario A: Race Condition Testing" (Advanced): the other two kinds of CONTRACT.md §5.9.

"The same holds for simultaneous bookings of different services on one staff member, and
for simultaneous reschedules into one session." Same method as test_scenario_a_race.py
(PRACTICES.md P10): every round its own staff, services and customers, the N requests
released together by `fixtures/race.py`, each answer classified (success / 409 / other /
indeterminate), the exact count demanded when every answer came, then the appointment list
and the grid read back as two independent oracles, and a round that never competed is
inconclusive (skipped), not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.expect import CapacityMismatch, expect_slot, expect_status, expect_statuses, lookup
from fixtures.factories import Factory
from fixtures.race import Outcome, describe, expect_exactly, fire_together, inconclusive
from fixtures.readback import PAGE_SIZE, all_pages, ids_of, page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("A", "Race Condition Testing", group="Advanced")

ROUNDS = 5  # P10 repeats trials: one passing race proves little
# Six 60-minute sessions starting 10 minutes apart: every pair overlaps (C5.3), none is the
# same session, so on one staff member exactly one of them may be booked.
OVERLAPPING_STARTS = ("10:00", "10:10", "10:20", "10:30", "10:40", "10:50")
GRID_INTERVAL = 10  # so every start above is a grid slot (C6.3)
TARGET, SOURCE = "10:00", "14:00"


@dataclass(frozen=True)
class Listed:
    """One confirmed appointment as GET /appointments shows it."""

    id: str
    service_id: str
    start: str  # "HH:MM" of its first service


def _listed(api: Any, *, day: date, staff_id: str, service_id: str | None = None) -> list[Listed]:
    """Every confirmed appointment of the staff member on `day` (every page, bounded)."""
    __tracebackhide__ = True
    pages = all_pages(
        lambda page: api.list_appointments(
            date=day, staff_id=staff_id, service_id=service_id, page=page, size=PAGE_SIZE
        ),
        max_pages=20,
        why="GET /appointments after the race",
    )
    found = []
    for page in pages:
        for index, entry in enumerate(page_items(page)):
            root = f"$['items'][{index}]"
            if lookup(entry, "status", response=page, root=root) != "confirmed":
                continue
            first = lookup(entry, "services", 0, response=page, root=root)
            found.append(
                Listed(
                    str(lookup(entry, "id", response=page, root=root)),
                    str(lookup(first, "service_id", response=page, root=root)),
                    str(lookup(first, "start_time", response=page, root=root))[:5],
                )
            )
    return found


def _attach(r: int, outcomes: list[Outcome]) -> None:
    allure.attach(
        describe(outcomes),
        name=f"Round {r}: all {len(outcomes)} exchanges",
        attachment_type=allure.attachment_type.TEXT,
    )


def _skip_if_inconclusive(outcomes: list[Outcome]) -> None:
    reason = inconclusive(outcomes)
    if reason:
        pytest.skip(f"inconclusive round: {reason}\n" + describe(outcomes))


def _expect_grid(
    grid: httpx.Response, *, day: date, start: str, staff_id: str, capacity: int, left: int
) -> None:
    """The grid's slot says what the list implies: `left` free of `capacity` (C6.6-C6.8, C6.11)."""
    __tracebackhide__ = True
    expect_status(grid, 200, why="grid after the race")
    slot = expect_slot(grid, day=day, start=start, staff_id=staff_id, is_available=left > 0)
    if capacity > 1 or "available_capacity" in slot:  # only SHOULD for single services (C6.11)
        expect_slot(
            grid, day=day, start=start, staff_id=staff_id, max_capacity=capacity, available_capacity=left
        )


def _rounds(prefix: str, count: int = ROUNDS) -> list[Any]:
    return [pytest.param(r, id=f"{prefix}-round-{r}") for r in range(1, count + 1)]


class TestScenarioARaceKinds:
    @pytest.fixture(scope="class")
    @classmethod
    def token(cls, api) -> str:
        """The admin bearer token, for the burst's own AsyncClient (built inside each test)."""
        return api.token

    @checklist(
        "A-5", "6 simultaneous bookings of 6 overlapping services on one staff member: exactly 1 succeeds"
    )
    @pytest.mark.parametrize("r", _rounds("6-services-one-staff"))
    @pytest.mark.asyncio
    async def test_overlapping_services_of_one_staff_member_book_exactly_once(
        self, r, api, factory: Factory, target, token, day
    ):
        # C5.3 under C5.9: a lock keyed by the session (not the staff member) lets each service
        # pass its own overlap check at once; parallel and single services alternate.
        staff = factory.staff(f"Race staff round {r}")
        factory.availability(staff, day=day, start="09:00", end="13:00")
        capacities = [3 if i % 2 == 0 else 1 for i in range(len(OVERLAPPING_STARTS))]
        services = [
            factory.service(f"Race service {i + 1} round {r}", parallel=cap > 1, capacity=cap)
            for i, cap in enumerate(capacities)
        ]
        customers = [factory.customer() for _ in services]
        requests = [
            ep.book(
                customer_id=c["id"],
                outlet_id=factory.outlet_id,
                appointment_date=day,
                items=[ep.BookingItem(service_id=s["id"], staff_id=staff["id"], start_time=start)],
            )
            for s, c, start in zip(services, customers, OVERLAPPING_STARTS, strict=True)
        ]
        with allure.step(f"Round {r}: {len(requests)} services at 10:00-10:50 (60 min) on one staff member"):
            outcomes = await fire_together(target.base_url, token, requests)
        _attach(r, outcomes)
        listed = _listed(api, day=day, staff_id=staff["id"])
        for entry in listed:  # what the burst created goes to the factory's teardown
            factory.track(httpx.Response(201, json={"id": entry.id}))
        expect_exactly(
            outcomes,
            wins=1,
            created=len(listed),
            what="6 simultaneous bookings of 6 overlapping services on one staff member "
            "(GET /appointments counted)",
        )
        # The second oracle: each service's slot is what the list implies (C6.7: 0 when busy).
        for service, capacity, start in zip(services, capacities, OVERLAPPING_STARTS, strict=True):
            own = sum(e.service_id == service["id"] for e in listed)
            busy = any(e.service_id != service["id"] for e in listed)
            grid = factory.grid(service, staff, day, slot_interval_minutes=GRID_INTERVAL)
            left = 0 if busy else max(0, capacity - own)
            _expect_grid(grid, day=day, start=start, staff_id=staff["id"], capacity=capacity, left=left)
        _skip_if_inconclusive(outcomes)

    @checklist(
        "A-6",
        "6 simultaneous reschedules into 2 free places: exactly 2 succeed, 4 fail with conflict and stay",
    )
    @pytest.mark.parametrize("r", _rounds("6-reschedules-vs-2"))
    @pytest.mark.asyncio
    async def test_reschedules_into_two_free_places_move_exactly_two(
        self, r, api, factory: Factory, target, token, day
    ):
        # C4.6 under C5.9: six confirmed appointments at 14:00, the 10:00 session of the same
        # service (capacity 6) holds 4; all six are moved to 10:00 at once.
        n, k, capacity = 6, 2, 6
        stage = factory.stage(
            f"Race reschedule round {r}", capacity=capacity, day=day, window=("09:00", "16:00")
        )
        expect_statuses(stage.fill(TARGET, capacity - k), 201, why="places taken at 10:00 before the race")
        sources = stage.fill(SOURCE, n)
        expect_statuses(sources, 201, why="the appointments to move, at 14:00")
        moving = [str(i) for i in ids_of(sources)]
        requests = [ep.reschedule(i, new_date=day, new_time=TARGET) for i in moving]
        with allure.step(f"Round {r}: {n} reschedules 14:00 -> 10:00 (K={k} free of {capacity})"):
            outcomes = await fire_together(target.base_url, token, requests)
        _attach(r, outcomes)
        where = {
            e.id: e.start
            for e in _listed(api, day=day, staff_id=stage.staff["id"], service_id=stage.service["id"])
        }
        moved = [i for i in moving if where.get(i) == TARGET]
        expect_exactly(
            outcomes,
            wins=k,
            created=len(moved),
            success=200,
            what=f"{n} simultaneous reschedules into {k} free places (GET /appointments: moved to {TARGET})",
        )
        # C4.6 "nothing changes" for the refused: each is still confirmed at 14:00; each 200 moved.
        wrong = [
            f"appointment {i} answered {o.status} but is listed at {where.get(i, 'no confirmed entry')}"
            for i, o in zip(moving, outcomes, strict=True)
            if o.status is not None and where.get(i) != (TARGET if o.status == 200 else SOURCE)
        ]
        if wrong:
            raise CapacityMismatch(
                "a 200 moves the appointment, a 409 changes nothing (C4.6):\n"
                + "\n".join(wrong)
                + "\n\n"
                + describe(outcomes)
            )
        grid = stage.grid()
        at = {start: sum(s == start for s in where.values()) for start in (TARGET, SOURCE)}
        for start in (TARGET, SOURCE):
            left = max(0, capacity - at[start])
            _expect_grid(grid, day=day, start=start, staff_id=stage.staff["id"], capacity=capacity, left=left)
        _skip_if_inconclusive(outcomes)

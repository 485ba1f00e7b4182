"""Guide "Scenario A: Race Condition Testing" (Advanced), CONTRACT.md §5.9.

Setup: a service with capacity K. Send N identical booking requests simultaneously (N
distinct customers). Expected: exactly K succeed (201), N - K fail with conflict (409).
Each round is its own test with its own service, staff and customers, fired through
`fixtures/race.py` (pre-opened connections, last-byte gate; PRACTICES.md P10). Two
independent oracles confirm the burst afterwards: the appointment list and the grid.
Also C5.7 under C5.9: one customer sending the same booking N times at once books once.
The other two kinds of §5.9 (one staff member, reschedules) are in test_scenario_a_race_kinds.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.expect import expect_equal, expect_slot, expect_status, expect_statuses
from fixtures.factories import Factory
from fixtures.race import Outcome, describe, expect_exactly, fire_together, inconclusive
from fixtures.readback import all_appointments, confirmed_ids
from fixtures.reporting import checklist, scenario

pytestmark = scenario("A", "Race Condition Testing", group="Advanced")

START = "10:00"
ROUNDS = 5  # a race that passes once proves little; P10 repeats trials


@dataclass(frozen=True)
class Round:
    n: int
    k: int  # free places when the burst left
    capacity: int
    wins: int  # 201s the contract allows: K, or 1 when one customer sends all N (C5.7)
    outcomes: list[Outcome]
    confirmed: list[str]  # ids of confirmed appointments of the session, from GET /appointments
    grid: httpx.Response  # the stage's grid, read after the list
    staff_id: str
    day: date


async def _race(
    factory: Factory,
    api: Any,
    base_url: str,
    token: str,
    *,
    day: date,
    n: int,
    k: int,
    capacity: int,
    r: int,
    one_customer: bool = False,
) -> Round:
    """One round: a fresh session with K free places, N bookings released together, two read-backs."""
    label = f"Race {n} vs {k} of {capacity} round {r}"
    stage = factory.stage(label, capacity=capacity, parallel=capacity > 1, day=day, window=("09:00", "12:00"))
    if capacity > k:  # CONTRACT.md §5.9 speaks of K *free* places
        expect_statuses(stage.fill(START, capacity - k), 201, why="places taken before the race")
    customers = [factory.customer()] * n if one_customer else [factory.customer() for _ in range(n)]
    item = ep.BookingItem(service_id=stage.service["id"], staff_id=stage.staff["id"], start_time=START)
    requests = [
        ep.book(customer_id=c["id"], outlet_id=stage.outlet_id, appointment_date=day, items=[item])
        for c in customers
    ]
    who = "one customer" if one_customer else f"{n} customers"
    with allure.step(f"Round {r}: N={n} ({who}) vs K={k}"):
        outcomes = await fire_together(base_url, token, requests)
    allure.attach(
        describe(outcomes), name=f"Round {r}: all {n} exchanges", attachment_type=allure.attachment_type.TEXT
    )
    pages = all_appointments(
        api,
        day=day,
        staff_id=stage.staff["id"],
        service_id=stage.service["id"],
        why="GET /appointments after the race",
    )
    confirmed = confirmed_ids(pages, start=START)
    for appointment_id in confirmed:  # hand what the burst created to the factory's teardown
        factory.track(httpx.Response(201, json={"id": appointment_id}))
    wins = 1 if one_customer else k
    return Round(n, k, capacity, wins, outcomes, confirmed, stage.grid(), stage.staff["id"], day)


def _expect_exactly_k(run: Round) -> None:
    """Exactly K x 201 and N - K x 409; with indeterminate answers, acknowledged <= created <= K (P10)."""
    __tracebackhide__ = True
    created = len(run.confirmed) - (run.capacity - run.k)  # minus the places taken before
    expect_exactly(
        run.outcomes,
        wins=run.wins,
        created=created,
        what=f"{run.n} simultaneous bookings for {run.k} free place(s) (GET /appointments counted)",
    )


def _expect_views_agree(run: Round) -> None:
    """P10's second oracle: the grid's free places = capacity - confirmed appointments in the list."""
    __tracebackhide__ = True
    expect_status(run.grid, 200, why="grid after the race")
    left = max(0, run.capacity - len(run.confirmed))
    slot = expect_slot(run.grid, day=run.day, start=START, staff_id=run.staff_id, is_available=left > 0)
    if run.capacity > 1 or "available_capacity" in slot:  # only SHOULD for single services (§6)
        expect_slot(
            run.grid,
            day=run.day,
            start=START,
            staff_id=run.staff_id,
            max_capacity=run.capacity,
            available_capacity=left,
        )


def _skip_if_inconclusive(run: Round) -> None:
    """A round whose requests never competed tested nothing (P10: inconclusive, not a pass)."""
    reason = inconclusive(run.outcomes)
    if reason:
        pytest.skip(f"inconclusive round: {reason}\n" + describe(run.outcomes))


def _judge(run: Round) -> None:
    """A-1/A-2: exactly K of N by the answers and the list, both views agree, then conclusiveness."""
    __tracebackhide__ = True
    _expect_exactly_k(run)
    _expect_views_agree(run)
    _skip_if_inconclusive(run)


def _rounds(n: int, k: int, capacity: int, *, count: int = ROUNDS, prefix: str = "") -> list[Any]:
    """`count` rounds of N vs K as readable ids ("10-vs-3-round-2"), never random (xdist)."""
    return [pytest.param(n, k, capacity, r, id=f"{prefix}{n}-vs-{k}-round-{r}") for r in range(1, count + 1)]


class TestScenarioARaceCondition:
    @pytest.fixture(scope="class")
    @classmethod
    def token(cls, api) -> str:
        """The admin bearer token, for the burst's own AsyncClient (built inside each test, rule 8)."""
        return api.token

    @checklist("A-1", "2 simultaneous requests for 1 place: exactly 1 succeeds, 1 fails with conflict")
    @pytest.mark.parametrize(("n", "k", "capacity", "r"), _rounds(2, 1, 1))
    @pytest.mark.asyncio
    async def test_two_requests_for_one_place_exactly_one_succeeds(
        self, n, k, capacity, r, api, factory, target, token, day
    ):
        # Guide setup "Service with capacity 1": a single-booking service (effective capacity 1).
        run = await _race(factory, api, target.base_url, token, day=day, n=n, k=k, capacity=capacity, r=r)
        _judge(run)

    @checklist("A-2", "10 simultaneous requests for 3 places: exactly 3 succeed, 7 fail with conflict")
    @pytest.mark.parametrize(
        ("n", "k", "capacity", "r"),
        # §5.9 counts *free* places: also capacity 5 with 2 already booked, leaving 3.
        [*_rounds(10, 3, 3), *_rounds(10, 3, 5, count=2, prefix="capacity-5-two-taken-")],
    )
    @pytest.mark.asyncio
    async def test_ten_requests_for_three_places_exactly_three_succeed(
        self, n, k, capacity, r, api, factory, target, token, day
    ):
        run = await _race(factory, api, target.base_url, token, day=day, n=n, k=k, capacity=capacity, r=r)
        _judge(run)

    @checklist("A-3", "After the race, the grid and the appointment list agree")
    @pytest.mark.parametrize(("n", "k", "capacity", "r"), _rounds(6, 3, 3, count=3, prefix="first-seat-"))
    @pytest.mark.asyncio
    async def test_grid_and_list_agree_after_first_seat_race(
        self, n, k, capacity, r, api, factory, target, token, day
    ):
        # SERVER-NOTES Cal.com #13360/#7967: 6 first bookers on an EMPTY capacity-3 session
        # must sell exactly 3 places (not 1, not 6), and both views must say so.
        run = await _race(factory, api, target.base_url, token, day=day, n=n, k=k, capacity=capacity, r=r)
        _expect_views_agree(run)
        expect_equal(len(run.confirmed), k, what="confirmed appointments of the session (GET /appointments)")
        _expect_exactly_k(run)
        _skip_if_inconclusive(run)

    @checklist(
        "A-4",
        "6 simultaneous bookings of one customer for one session: exactly 1 succeeds, 5 fail with conflict",
    )
    @pytest.mark.parametrize(("n", "k", "capacity", "r"), _rounds(6, 6, 6, prefix="one-customer-"))
    @pytest.mark.asyncio
    async def test_one_customer_six_times_at_once_books_exactly_once(
        self, n, k, capacity, r, api, factory, target, token, day
    ):
        # C5.7 under C5.9: six places free, so only the same-customer rule can refuse; a
        # duplicate check outside the lock lets several of the six in.
        run = await _race(
            factory, api, target.base_url, token, day=day, n=n, k=k, capacity=capacity, r=r, one_customer=True
        )
        _judge(run)

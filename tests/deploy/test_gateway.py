"""The gateway transports (fixtures/gateway.py) on a MockTransport: 429 handling, never other
retries; the race client (fixtures/race.py) under the same policy."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime

import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.gateway import (
    MAX_WAIT,
    TRAFFIC,
    GatewayTransport,
    Pacer,
    TargetUnstable,
    Traffic,
    retry_after,
)
from fixtures.race import expect_exactly, fire_together


def transport(statuses: list[int], headers: dict[str, str] | None = None, **kwargs: object):
    seen: list[httpx.Request] = []
    waits: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses[min(len(seen) - 1, len(statuses) - 1)]
        return httpx.Response(status, headers=headers or {}, json={"n": len(seen)})

    gateway = GatewayTransport(httpx.MockTransport(handler), traffic=Traffic(), sleep=waits.append, **kwargs)
    return gateway, seen, waits


def test_429_is_retried_after_its_retry_after_then_succeeds() -> None:
    gateway, seen, waits = transport([429, 429, 201], {"Retry-After": "3"})
    with httpx.Client(transport=gateway, base_url="http://t") as client:
        response = client.post("/api/v1/appointments", json={"a": 1})
    assert response.status_code == 201 and len(seen) == 3
    assert waits == [3.0, 3.0]
    assert all(r.content == b'{"a":1}' for r in seen)  # the body is resent whole
    assert (gateway.traffic.requests, gateway.traffic.retries, gateway.traffic.waited) == (3, 2, 6.0)


def test_persistent_429_raises_target_unstable_after_the_bound() -> None:
    gateway, seen, _ = transport([429], {"Retry-After": "0"}, max_retries=2)
    with (
        httpx.Client(transport=gateway, base_url="http://t") as client,
        pytest.raises(TargetUnstable) as info,
    ):
        client.get("/api/v1/services")
    assert len(seen) == 3
    assert isinstance(info.value, httpx.TransportError)  # the summary files it as 'could not test'
    assert "target unreachable / unstable" in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 409])
@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE", "GET"])
def test_no_other_status_is_ever_retried(status: int, method: str) -> None:
    gateway, seen, _ = transport([status, 201])
    with httpx.Client(transport=gateway, base_url="http://t") as client:
        assert client.request(method, "/x").status_code == status
    assert len(seen) == 1


def test_transport_errors_are_not_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    gateway = GatewayTransport(httpx.MockTransport(handler), traffic=Traffic())
    with httpx.Client(transport=gateway) as client, pytest.raises(httpx.ReadTimeout):
        client.post("http://t/api/v1/appointments")
    assert calls == [1]  # a write that timed out may have happened: never resent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2", 2.0, id="seconds"),
        pytest.param("", 1.0, id="missing"),
        pytest.param("soon", 1.0, id="unreadable"),
        pytest.param("-5", 0.0, id="negative"),
        pytest.param("86400", MAX_WAIT, id="capped"),
        pytest.param("Wed, 02 Dec 2026 12:00:07 GMT", 7.0, id="http-date"),
    ],
)
def test_retry_after_values(value: str, expected: float) -> None:
    response = httpx.Response(429, headers={"Retry-After": value} if value else {})
    assert retry_after(response, now=datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)) == expected


def test_pacer_spaces_requests() -> None:
    import time

    pacer = Pacer(50)
    start = time.monotonic()
    for _ in range(6):
        pacer.wait()
    assert time.monotonic() - start >= 5 / 50 * 0.9


def race_transport(throttled: set[int], wins: int):
    """An async mock: the bookings of customers in `throttled` get one 429 first; then the first
    `wins` bookings to arrive get 201, the rest 409."""
    seen: list[bytes] = []
    booked: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"status": "ok"})
        body = await request.aread()
        seen.append(body)
        who = json.loads(body)["customer_id"]
        if who in throttled:
            throttled.discard(who)
            return httpx.Response(429, headers={"Retry-After": "0"})
        if len(booked) < wins:
            booked.append(who)
            return httpx.Response(201, json={"id": who, "status": "confirmed"})
        return httpx.Response(409, json={"detail": "full"})

    return httpx.MockTransport(handler), seen, booked


def burst(n: int) -> list[ep.ApiRequest]:
    item = ep.BookingItem(service_id="s", staff_id="t", start_time="10:00")
    return [
        ep.book(customer_id=f"c{i}", outlet_id="o", appointment_date=date(2030, 1, 7), items=[item])
        for i in range(n)
    ]


def test_race_resends_429s_whole_and_judges_their_answers_exactly() -> None:
    inner, seen, booked = race_transport({"c0", "c3"}, wins=2)
    before = TRAFFIC.as_dict()
    outcomes = asyncio.run(fire_together("http://t", "tok", burst(5), inner=inner, max_retries=2))
    assert [o.retries for o in outcomes] == [1, 0, 0, 1, 0]
    assert all(json.loads(b)["customer_id"] for b in seen)  # every send, resends too, is a whole body
    assert len(seen) == 7
    expect_exactly(outcomes, wins=2, created=len(booked), what="mock race")  # exact, not bounds
    after = TRAFFIC.as_dict()
    assert after["retries"] - before["retries"] == 2
    assert after["requests"] - before["requests"] == 5 + 7  # the pre-open probes, then the sends


def test_race_past_the_retry_bound_is_an_error_never_an_answer() -> None:
    inner, _, _ = race_transport({"c1"}, wins=1)
    outcomes = asyncio.run(fire_together("http://t", None, burst(2), inner=inner, max_retries=0))
    assert outcomes[1].status is None and "target unreachable / unstable" in (outcomes[1].error or "")
    assert outcomes[0].status == 201

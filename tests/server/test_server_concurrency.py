import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from server_api import Api, login, next_weekday
from server_procs import postgres_available, running, scratch_postgres

REQUESTS, PLACES = 20, 5


@pytest.fixture(params=["sqlite", "postgresql"])
def two_workers(request, tmp_path) -> Iterator[str]:
    """A server of two worker processes on a fresh database of each kind; yields its URL."""
    if request.param == "sqlite":
        with running(f"sqlite:///{tmp_path / 'race.sqlite'}", tmp_path / "log", workers=2) as server:
            yield server.url
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with scratch_postgres() as url, running(url, tmp_path / "log", workers=2) as server:
        yield server.url


def fire_together(url: str, token: str, bodies: list[dict]) -> list[int]:
    """POST every body at once from its own thread and connection, released by one barrier."""
    barrier, statuses = threading.Barrier(len(bodies)), [0] * len(bodies)
    clients = [
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) for _ in bodies
    ]

    def send(index: int) -> None:
        clients[index].get("/health")  # open the connection before the barrier
        barrier.wait()
        statuses[index] = clients[index].post("/api/v1/appointments", json=bodies[index]).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return statuses


def test_exactly_k_of_n_simultaneous_bookings_succeed(two_workers):
    token = login(two_workers, "admin@example.com", "admin12345")
    api = Api(two_workers, token)
    service, staff = api.service(capacity=PLACES), api.staff("Race", "Keeper")
    api.window(staff["id"])
    day = next_weekday(0)
    item = {"service_id": service["id"], "staff_id": staff["id"], "start_time": "10:00"}
    bodies = [
        {
            "customer_id": api.customer()["id"],
            "outlet_id": api.outlet_id,
            "appointment_date": day.isoformat(),
            "services": [item],
        }
        for _ in range(REQUESTS)
    ]
    statuses = fire_together(two_workers, token, bodies)
    assert Counter(statuses) == {201: PLACES, 409: REQUESTS - PLACES}
    listed = api.get(
        "/appointments", params={"staff_id": staff["id"], "date": day.isoformat(), "status": "confirmed"}
    )
    assert listed.json()["total"] == PLACES
    assert api.slot(service["id"], staff["id"], day, "10:00")["available_capacity"] == 0
    api.close()

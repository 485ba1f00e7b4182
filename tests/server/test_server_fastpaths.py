"""In-process tests of the performance changes: the JWT cache keeps expiry exact, the plain-row
lookups answer 404 exactly where the ORM load did, accepted sockets get TCP_NODELAY, direct
statements fail with SQLAlchemy's errors."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from sqlalchemy.exc import IntegrityError
from units import INSERT_APPOINTMENT, appointment_rows

from fixtures.target import REPO_ROOT
from reference_server import security
from reference_server.db import Database
from reference_server.errors import NotFound
from reference_server.models import Base, Customer, Outlet, Service, Staff
from reference_server.repository.lookups import CustomerInfo, OutletInfo, ServiceInfo, StaffInfo, fetch
from reference_server.security import Principal, issue_token, read_token
from reference_server.seed import bootstrap
from reference_server.serving import NoDelayHTTPProtocol
from reference_server.settings import Settings

SECRET = "fastpath-test-secret-0123456789abcdef"


def test_cached_token_still_expires(monkeypatch):
    token = issue_token(Principal("u1", "t1", "staff"), secret=SECRET, ttl_seconds=60)
    assert read_token(token, secret=SECRET) == Principal("u1", "t1", "staff")
    later = time.time() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert read_token(token, secret=SECRET) is None  # the cached verification does not outlive exp


def test_cache_is_keyed_by_secret_too():
    token = issue_token(Principal("u1", "t1", "staff"), secret=SECRET, ttl_seconds=60)
    assert read_token(token, secret=SECRET) is not None
    assert read_token(token, secret=SECRET + "-other") is None


def test_forged_and_expired_tokens_are_refused_every_time():
    expired = jwt.encode({"sub": "u", "tid": "t", "role": "staff", "exp": 1}, SECRET, algorithm="HS256")
    forged = issue_token(
        Principal("u", "t", "staff"), secret="another-key-0123456789abcdef0123456789", ttl_seconds=60
    )
    for _ in range(2):  # second round: answered from the cache
        assert read_token(expired, secret=SECRET) is None
        assert read_token(forged, secret=SECRET) is None


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Database:
    url = f"sqlite:///{tmp_path_factory.mktemp('lookups') / 'db.sqlite'}"
    db = Database(url)
    bootstrap(db, Settings(database_url=url))
    with db.writing() as session:
        outlet = session.query(Outlet).first()
        ids = {"tenant_id": outlet.tenant_id, "outlet_id": outlet.id}
        session.add(Service(**ids, name="Yoga", slug="yoga", duration_minutes=60, max_parallel_bookings=3))
        session.add(Staff(**ids, first_name="Emma", last_name="Lee", service_ids=["x"], is_active=False))
        session.add(Customer(tenant_id=outlet.tenant_id, first_name="Ann", last_name="Bo", email="a@b.c"))
    yield db
    db.dispose()


@pytest.mark.parametrize(
    ("model", "info"),
    [(Outlet, OutletInfo), (Customer, CustomerInfo), (Service, ServiceInfo), (Staff, StaffInfo)],
)
def test_fetch_matches_the_orm_and_hides_other_tenants(seeded: Database, model, info):
    with seeded.reading() as session:
        records = session.query(model).all()
        record = records[0]
        row = fetch(session, info, record.tenant_id, record.id, "Thing")
        assert row.id == record.id
        for name in info.__dataclass_fields__:
            assert getattr(row, name) == getattr(record, name)
        for wrong in (
            (f"{'0' * 24}", record.id),
            (record.tenant_id, "0" * 24),
            (record.tenant_id, "not-an-id"),
        ):
            with pytest.raises(NotFound):
                fetch(session, info, *wrong, "Thing")


def test_protocol_turns_nagle_off(monkeypatch: pytest.MonkeyPatch):
    class Transport:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, name: str, default=None):
            return self.sock if name == "socket" else default

    made: list[object] = []
    monkeypatch.setattr(NoDelayHTTPProtocol.__mro__[1], "connection_made", lambda self, t: made.append(t))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # proto 0, like uvicorn's
        NoDelayHTTPProtocol.__new__(NoDelayHTTPProtocol).connection_made(Transport(sock))
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert len(made) == 1  # uvicorn's own connection_made still runs


def test_driver_errors_are_sqlalchemy_errors_on_sqlite_too(tmp_path: Path) -> None:
    lite = Database(f"sqlite:///{tmp_path / 'direct.sqlite'}")
    try:
        Base.metadata.create_all(lite.write_engine)
        rows = appointment_rows("t" * 24, "o" * 24, "c" * 24, 1) * 2
        with pytest.raises(IntegrityError), lite.writing() as session:
            INSERT_APPOINTMENT.insert_rows(session, rows)
    finally:
        lite.dispose()


def test_a_server_process_freezes_its_start_up_heap_and_a_test_app_does_not(tmp_path: Path) -> None:
    probe = (
        "import gc, sys\n"
        "from fastapi.testclient import TestClient\n"
        "from reference_server.app import create_app\n"
        "from reference_server.settings import Settings\n"
        "settings = Settings(database_url=sys.argv[1])\n"
        "for server_process in (False, True):\n"
        "    with TestClient(create_app(settings, server_process=server_process)):\n"
        "        print(server_process, gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, f"sqlite:///{tmp_path / 'gc.sqlite'}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["False", "False", "True", "True"], done.stderr[-2000:]

"""Fixtures of the reference server's own tests: one shared SQLite server, logged-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_api import Api, login, next_weekday
from server_procs import Server, start_server

JWT_SECRET = "tests-only-secret-for-forging-expired-tokens-0123456789"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on a fresh SQLite file, with a known JWT key (to forge expired tokens)."""
    folder: Path = tmp_path_factory.mktemp("server")
    env = {"REFERENCE_SERVER_JWT_SECRET": JWT_SECRET}
    srv = start_server(f"sqlite:///{folder / 'db.sqlite'}", folder / "server.log", env=env)
    yield srv
    srv.stop()


def _api(server: Server, email: str | None, password: str = "admin12345") -> Iterator[Api]:
    api = Api(server.url, login(server.url, email, password) if email else None)
    yield api
    api.close()


@pytest.fixture(scope="session")
def admin(server: Server) -> Iterator[Api]:
    yield from _api(server, "admin@example.com")


@pytest.fixture(scope="session")
def staff_role(server: Server) -> Iterator[Api]:
    yield from _api(server, "staff@example.com", "staff12345")


@pytest.fixture(scope="session")
def other(server: Server) -> Iterator[Api]:
    yield from _api(server, "admin@other.example.com")


@pytest.fixture(scope="session")
def anonymous(server: Server) -> Iterator[Api]:
    yield from _api(server, None)


@pytest.fixture(scope="session")
def monday() -> object:
    return next_weekday(0)

"""Start and stop real `python -m reference_server` processes on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    database_url: str, log: Path, *, workers: int = 1, env: dict[str, str] | None = None
) -> Server:
    """A running server on a free port, answering /health; raises with its log if it does not."""
    port = free_port()
    command = [sys.executable, "-m", "reference_server", "--port", str(port), "--database-url", database_url]
    command += ["--workers", str(workers)]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REFERENCE_SERVER_")}
    full_env.update(env or {})
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start:\n{log.read_text()}")


@contextmanager
def running(database_url: str, log: Path, **kwargs: object) -> Iterator[Server]:
    server = start_server(database_url, log, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def postgres_available() -> str | None:
    """None when PostgreSQL answers on 127.0.0.1:5432, else the reason to skip."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): {exc}"


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A uniquely named empty database, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg

    name = f"rs_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Start and stop real `python -m reference_server` processes on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import scratch_db

REPO = Path(__file__).resolve().parents[2]


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
    return scratch_db.unavailable()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A uniquely named empty database, dropped afterwards; yields its SQLAlchemy URL."""
    with scratch_db.scratch_database(scratch_db.SCRATCH) as (url, _made):
        assert url is not None
        yield url

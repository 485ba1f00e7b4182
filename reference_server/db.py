"""Engines and sessions. SQLite: a read engine (deferred BEGIN) and a write engine whose every
transaction starts with BEGIN IMMEDIATE, i.e. holds the database write lock before its first
read. PostgreSQL: one engine under READ COMMITTED (the lock-then-count pattern needs a fresh
snapshot per statement, see SERVER-NOTES.md "Isolation trap")."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import anyio
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from reference_server.write_gate import WriteGate

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_LOCK_TIMEOUT = "3s"
# SQLSTATEs worth retrying: lock_not_available, deadlock_detected, serialization_failure.
PG_RETRYABLE = {"55P03", "40P01", "40001"}
T = TypeVar("T")


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1] if ":///" in url else ""


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    path = _sqlite_path(url)
    if path and not path.startswith(":memory:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # LIFO: the warmest connection goes out first; a SQLite connection keeps its page cache
    # only while no other connection has written, so one busy writer connection stays warm.
    engine = create_engine(
        url, pool_size=16, max_overflow=32, pool_use_lifo=True, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        # pysqlite's own BEGIN handling is off; we emit BEGIN ourselves (SQLAlchemy recipe).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: str) -> Engine:
    return create_engine(url, pool_size=16, max_overflow=32, isolation_level="READ COMMITTED")


class Database:
    """The engines of one server process and the knowledge of which errors mean 'busy'."""

    def __init__(self, url: str, *, write_gate: bool = True) -> None:
        self.url = url
        self.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        if self.dialect == "sqlite":
            self.write_engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.write_engine = self.read_engine = _postgres_engine(url)
        # Optimisation only, in front of BEGIN IMMEDIATE: see write_gate.py. `write_gate=False`:
        # the unlocked fault (reference_server/faults.py), whose requests must be able to race.
        gated = self.gated = self.dialect == "sqlite" and write_gate
        self._write_gate = WriteGate(_sqlite_path(url)) if gated else nullcontext()
        # Same optimisation one step earlier: gated writes queue on the event loop for ONE
        # thread instead of parking 32 pool threads on the gate, which then fight over the GIL.
        self._write_lane = anyio.CapacityLimiter(1) if gated else None
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in a write transaction: committed on success, rolled back on error."""
        with self._write_gate, self._writer() as session, session.begin():
            yield session

    async def run_write(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run the blocking write unit `fn` in a worker thread without blocking the event loop.

        Gated (SQLite): one thread at a time per process, the others wait as cheap coroutines.
        Ungated (PostgreSQL, the unlocked fault): the shared thread pool, requests may race.
        """
        call = functools.partial(fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._write_lane)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads (one snapshot on SQLite); never commits anything."""
        with self._reader() as session, session.begin():
            yield session

    def is_busy_error(self, exc: DBAPIError) -> bool:
        """True when the error is a lock timeout / busy database, worth a retry."""
        if self.dialect == "sqlite":
            return "locked" in str(exc.orig) or "busy" in str(exc.orig)
        return getattr(exc.orig, "sqlstate", None) in PG_RETRYABLE

    def dispose(self) -> None:
        if isinstance(self._write_gate, WriteGate):
            self._write_gate.close()
        self.write_engine.dispose()
        self.read_engine.dispose()

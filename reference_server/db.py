"""Engines and sessions. SQLite: a read engine (deferred BEGIN) and a write engine whose every
transaction starts with BEGIN IMMEDIATE, i.e. holds the database write lock before its first
read. PostgreSQL: one engine under READ COMMITTED (the lock-then-count pattern needs a fresh
snapshot per statement, see SERVER-NOTES.md "Isolation trap"), and for the group commit an
asyncio engine of one connection per event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from pathlib import Path

import anyio
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from reference_server.write_gate import WriteGate

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_LOCK_TIMEOUT = "3s"
# SQLSTATEs worth retrying: lock_not_available, deadlock_detected, serialization_failure.
PG_RETRYABLE = {"55P03", "40P01", "40001"}


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
        # the unlocked fault (reference_server/faults/races.py), whose requests must be able to race.
        gated = self.dialect == "sqlite" and write_gate
        # PostgreSQL: the same `write_gate=False` turns its group commit off (uow.submit).
        self.group_commit = write_gate
        self.write_gate: WriteGate | nullcontext[None] = (
            WriteGate(_sqlite_path(url)) if gated else nullcontext()
        )
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        self._on_loop: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}

    @contextmanager
    def writing(self, *, gate_held: bool = False) -> Iterator[Session]:
        """A session in a write transaction: committed on success, rolled back on error.

        `gate_held`: the caller already holds `write_gate` (group commit takes it itself).
        """
        with nullcontext() if gate_held else self.write_gate, self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads (one snapshot on SQLite); never commits anything."""
        with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def writing_on_loop(self) -> AsyncIterator[AsyncSession]:
        """PostgreSQL: `writing` for code on the event loop. The driver is psycopg's
        AsyncConnection; the ORM's blocking calls, inside AsyncSession.run_sync, await it."""
        engine = await self._loop_engine()
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            yield session

    async def _loop_engine(self) -> AsyncEngine:
        """This loop's engine, of one connection: its one group commit runs one batch at a
        time. A connection cannot move between loops, so a new loop (each anyio.run of a test)
        gets its own engine, and the engines of closed loops are closed here."""
        loop = asyncio.get_running_loop()
        engine = self._on_loop.get(loop)
        if engine is None:
            for gone in [old for old in self._on_loop if old.is_closed()]:
                await self._on_loop.pop(gone).dispose()
            engine = self._on_loop[loop] = create_async_engine(
                self.url, pool_size=1, max_overflow=0, isolation_level="READ COMMITTED"
            )
        return engine

    async def close_loop_engines(self) -> None:
        for engine in self._on_loop.values():
            await engine.dispose()
        self._on_loop.clear()

    def is_busy_error(self, exc: DBAPIError) -> bool:
        """True when the error is a lock timeout / busy database, worth a retry."""
        if self.dialect == "sqlite":
            return "locked" in str(exc.orig) or "busy" in str(exc.orig)
        return getattr(exc.orig, "sqlstate", None) in PG_RETRYABLE

    def dispose(self) -> None:
        if isinstance(self.write_gate, WriteGate):
            self.write_gate.close()
        if self._on_loop:
            anyio.run(self.close_loop_engines)  # outside any loop: a test's or a tool's
        self.write_engine.dispose()
        self.read_engine.dispose()

"""Units of work: a write transaction retried on lock timeouts, then 503; group commit on SQLite."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import anyio
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict, ServiceBusy

T = TypeVar("T")
ATTEMPTS = 4
MAX_BATCH = 64
Unit = Callable[[Session], Any]
_batchers: WeakKeyDictionary[Database, _GroupCommit] = WeakKeyDictionary()


def write(db: Database, work: Callable[[Session], T], *, duplicate: str = "The record already exists") -> T:
    """Run `work` in one write transaction; retry the whole unit when the database is busy."""
    for attempt in range(ATTEMPTS):
        try:
            with db.writing() as session:
                return work(session)
        except IntegrityError as exc:
            # Only reachable when a concurrent writer won a unique constraint race (PostgreSQL).
            raise Conflict(duplicate) from exc
        except DBAPIError as exc:
            if not db.is_busy_error(exc):
                raise
            _back_off(attempt)
    raise ServiceBusy("The booking database is busy; please retry")


def read(db: Database, work: Callable[[Session], T]) -> T:
    """Run `work` in a read-only session (one snapshot on SQLite)."""
    with db.reading() as session:
        return work(session)


async def submit(db: Database, work: Callable[[Session], T]) -> T:
    """Run the write unit `work` off the event loop and return its result (or raise its error).

    Gated (SQLite): group commit. The units that queue in this process while a transaction runs
    go together into the next one, one SAVEPOINT each, committed once: a unit's outcome is the
    same as alone (it sees every earlier unit's writes, its error rolls back only itself), but
    BEGIN IMMEDIATE, COMMIT and the thread hop are paid once per batch, and the database lock
    changes hands between processes once per batch instead of once per booking.
    Ungated (PostgreSQL, the unlocked fault): one transaction per unit, which may overlap.
    """
    if not db.gated:
        return await anyio.to_thread.run_sync(write, db, work)
    batcher = _batchers.get(db)
    if batcher is None:
        batcher = _batchers[db] = _GroupCommit(db)
    return await batcher.submit(work)


class _GroupCommit:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._queue: list[tuple[Unit, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, work: Unit) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._drainer is None or self._drainer.done():
            # Not the request's own task: a cancelled request must not stop the others' batch.
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                outcomes = await anyio.to_thread.run_sync(_run_batch, self._db, [w for w, _ in batch])
            except BaseException as exc:  # the batch as a whole failed: every unit learns why
                outcomes = [(False, exc)] * len(batch)
            for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(value)


def _run_batch(db: Database, units: list[Unit]) -> list[tuple[bool, Any]]:
    """Every unit in its own savepoint of one transaction; the whole batch again when busy."""
    for attempt in range(ATTEMPTS):
        try:
            with db.writing() as session:
                return [_run_unit(db, session, unit) for unit in units]
        except DBAPIError as exc:
            if not db.is_busy_error(exc):
                raise
            _back_off(attempt)
    return [(False, ServiceBusy("The booking database is busy; please retry"))] * len(units)


def _run_unit(db: Database, session: Session, unit: Unit) -> tuple[bool, Any]:
    try:
        with session.begin_nested():
            return True, unit(session)
    except IntegrityError as exc:
        return False, Conflict(f"The record already exists ({exc.orig})")
    except DBAPIError as exc:
        if db.is_busy_error(exc):
            raise  # the transaction itself is in trouble: retry the batch
        return False, exc
    except Exception as exc:  # the unit's own verdict (409, 404, ...) or bug: only this unit
        return False, exc


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # jitter so retries spread out

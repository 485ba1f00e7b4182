"""Group commit of the gated (SQLite) write units of one server process.

The units that queue while a transaction runs go together into the next one, one SAVEPOINT
each, committed once. A unit's outcome is the same as alone: it sees every earlier unit's
writes, and its error (409, 404, ...) rolls back only its own savepoint. No unit's response
leaves before the COMMIT that holds it. BEGIN IMMEDIATE, COMMIT and the hand-over of the
database between processes are paid once per batch instead of once per booking.

The batch runs on the event loop thread, under the write gate (write_gate.py), which is
waited for in a worker thread only when another process or thread holds it. Handing a batch
to a worker thread instead cost about as much as the work itself: the hop measured ~0.5 ms
of CPU on a 2-CPU machine, a booking ~0.7 ms; and the worker then shared the GIL with this
loop while the process held the database's only write lock, stretching the time every other
process waited for it. While the gate is held no other writer can hold the
SQLite lock, so BEGIN IMMEDIATE does not wait. A writer that bypasses the gate (the sqlite3
shell, say) is the exception: BEGIN then waits on the loop for up to the busy timeout, and
a "busy" answer sends the batch to be retried off the loop with back-off. The price of the
design: a burst pauses this process's loop for one batch (MAX_BATCH units, ~0.7 ms each).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict
from reference_server.write_gate import WriteGate

MAX_BATCH = 32  # bounds the loop's pause: ~32 x 0.7 ms
Unit = Callable[[Session], Any]
Outcome = tuple[bool, Any]  # (True, result) or (False, exception)


class UnitQueue:
    """The write units one process has queued, and the one task that drains them, batch by
    batch: `_run_batch` moves a batch from `_queue` into its argument and returns the outcome
    of each unit it moved. Shared by the SQLite and PostgreSQL group commits."""

    def __init__(self) -> None:
        self._queue: list[tuple[Any, ...]] = []  # (unit, ..., future)
        self._drainer: asyncio.Task[None] | None = None

    async def _enqueue(self, *entry: Any) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._queue.append((*entry, future))
        if self._drainer is None or self._drainer.done():
            # Not the request's own task: a cancelled request must not stop the others' batch.
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch: list[tuple[Any, ...]] = []
            try:
                outcomes = await self._run_batch(batch)
            except BaseException as exc:  # the batch as a whole failed: every unit learns why
                outcomes = [(False, exc)] * len(batch)
            for entry, (ok, value) in zip(batch, outcomes, strict=True):
                future = entry[-1]
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(value)

    async def _run_batch(self, batch: list[tuple[Any, ...]]) -> list[Outcome]:
        raise NotImplementedError


class GroupCommit(UnitQueue):
    def __init__(self, db: Database, gate: WriteGate, run_off_loop: Callable[[list[Unit]], list[Outcome]]):
        super().__init__()
        self._db = db
        self._gate = gate
        self._run_off_loop = run_off_loop  # the retrying path, for a database found busy

    async def submit(self, unit: Unit) -> Any:
        return await self._enqueue(unit)

    async def _run_batch(self, batch: list[tuple[Any, ...]]) -> list[Outcome]:
        held: list[bool] = []

        def wait_for_gate() -> None:
            self._gate.acquire()
            held.append(True)  # recorded in the thread: even if this task is cancelled meanwhile

        if self._gate.acquire(blocking=False):
            held.append(True)
        try:
            if not held:
                await anyio.to_thread.run_sync(wait_for_gate)
            # Taken now, not before the wait: the units that queued meanwhile join this batch.
            batch.extend(self._queue[:MAX_BATCH])
            del self._queue[:MAX_BATCH]
            units = [unit for unit, *_ in batch]
            try:
                with self._db.writing(gate_held=True) as session:
                    return [run_unit(self._db, session, unit) for unit in units]
            except DBAPIError as exc:
                if not self._db.is_busy_error(exc):
                    raise
        finally:
            if held:
                self._gate.release()
        return await anyio.to_thread.run_sync(self._run_off_loop, units)


def run_unit(db: Database, session: Session, unit: Unit) -> Outcome:
    """One unit in its own savepoint; a busy database fails the whole transaction instead."""
    try:
        with session.begin_nested():
            return True, unit(session)
    except IntegrityError:
        return False, Conflict("The record already exists")
    except DBAPIError as exc:
        if db.is_busy_error(exc):
            raise
        return False, exc
    except Exception as exc:  # the unit's own verdict (409, 404, ...), or a bug: only this unit
        return False, exc

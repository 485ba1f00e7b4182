"""Group commit of the PostgreSQL booking units of one server process.

The units that queue while a batch runs go together into the next one: one transaction,
one statement that takes every unit's staff locks, one COMMIT, instead of one of each per
booking. A unit's outcome is the same as alone: its own `policy.lock` finds the locks held
(locking.py sends nothing then), and it sees every earlier unit's writes. No unit's response
leaves before the COMMIT that holds it.

The batch runs on the event loop, its driver psycopg's AsyncConnection: the ORM's blocking
calls run inside AsyncSession.run_sync and await each round trip, so the loop serves other
requests while PostgreSQL works. No worker thread, so no hand-off between it and the loop
(wake-ups, the GIL): in alternating runs of bench_server.py (PostgreSQL, 2 processes)
booking rose from ~23 % to ~26 % of /health against the same batch in a worker thread.

Deadlock-free across processes: a batch takes all its locks in one sorted statement before
its first read, as a single booking does. No savepoint per unit (two round trips each): a
booking unit decides before it writes, so a unit that refuses (409, 404, ...) has written
nothing and its neighbours go on. Anything else, a database error or a unit that raised after
it wrote, rolls the whole batch back and runs every unit of it again alone (uow.write, with
its retries, in a worker thread): one bad unit costs its neighbours a retry, never their
verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.repository.direct import defer_writes, flush_deferred, pipelined, writes_of
from reference_server.repository.locking import lock_keys, staff_lock_key
from reference_server.repository.prefetch import Needs, prefetch
from reference_server.services.group_commit import Outcome, Unit, UnitQueue

MAX_BATCH = 32  # bounds a batch's lock set and how long its first unit waits for the last


class _WroteThenFailed(Exception):
    """A unit raised after writing: its half-done writes must not be committed."""


class PgGroupCommit(UnitQueue):
    def __init__(self, db: Database, alone: Callable[[Unit], Any]):
        super().__init__()
        self._db = db
        self._alone = alone  # one unit in its own transaction, retried while busy (uow.write)

    async def submit(self, unit: Unit, needs: Needs) -> Any:
        return await self._enqueue(unit, needs)

    async def _run_batch(self, batch: list[tuple[Any, ...]]) -> list[Outcome]:
        batch.extend(self._queue[:MAX_BATCH])
        del self._queue[:MAX_BATCH]
        return await self.run([(unit, needs) for unit, needs, _ in batch])

    async def run(self, batch: list[tuple[Unit, Needs]]) -> list[Outcome]:
        """Every unit of `batch` in one transaction on this loop; if that fails whole, each
        again alone. A lone unit takes the same path: in a worker thread it cost more."""
        try:
            async with self._db.writing_on_loop() as session:
                return await session.run_sync(self._together, batch)
        except (DBAPIError, _WroteThenFailed):
            pass  # rolled back whole: every unit again, alone
        return await anyio.to_thread.run_sync(lambda: [self._one(unit) for unit, _ in batch])

    def _together(self, session: Session, batch: list[tuple[Unit, Needs]]) -> list[Outcome]:
        needs = [need for _, need in batch]

        with pipelined(session):  # BEGIN, the locks and every read: one round trip
            keys = [staff_lock_key(n.tenant_id, s) for n in needs for s in n.staff_ids]
            lock_keys(session, keys, pipelined=True)
            prefetch(session, needs)
        defer_writes(session)  # one INSERT per table at the end, not two per unit
        outcomes: list[Outcome] = []
        for unit, _ in batch:
            before = writes_of(session)
            try:
                outcomes.append((True, unit(session)))
            except DBAPIError:
                raise
            except Exception as exc:  # the unit's own verdict (409, 404, ...), or a bug
                if writes_of(session) != before or session.new or session.dirty or session.deleted:
                    raise _WroteThenFailed from exc
                outcomes.append((False, exc))
        with pipelined(session):  # every INSERT of the batch: one round trip
            flush_deferred(session)
        return outcomes

    def _one(self, unit: Unit) -> Outcome:
        try:
            return True, self._alone(unit)
        except Exception as exc:
            return False, exc

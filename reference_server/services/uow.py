"""Units of work: a write transaction retried on lock timeouts, then 503; group commit of the
booking units (SQLite: group_commit.py, PostgreSQL: pg_group_commit.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict, ServiceBusy
from reference_server.repository.prefetch import Needs
from reference_server.services.group_commit import GroupCommit, Outcome, Unit, run_unit
from reference_server.services.pg_group_commit import PgGroupCommit
from reference_server.write_gate import WriteGate

T = TypeVar("T")
ATTEMPTS = 4
NOTHING = Needs("", ())  # a unit that locks and prefetches nothing
_group_commits: WeakKeyDictionary[Database, GroupCommit] = WeakKeyDictionary()
_pg_group_commits: WeakKeyDictionary[Database, PgGroupCommit] = WeakKeyDictionary()


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
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # jitter so retries spread out
    raise ServiceBusy("The booking database is busy; please retry")


def read(db: Database, work: Callable[[Session], T]) -> T:
    """Run `work` in a read-only session (one snapshot on SQLite)."""
    with db.reading() as session:
        return work(session)


async def submit(db: Database, work: Callable[[Session], T], needs: Needs = NOTHING) -> T:
    """Run the write unit `work` without blocking other requests; its result, or its error.

    `needs`: the staff pools `work` locks (policy.lock) and the records it reads.
    Gated SQLite: group commit with the units queued beside it (group_commit.py).
    PostgreSQL: group commit on the event loop (psycopg's async driver), the pools locked up
    front (pg_group_commit.py).
    The unlocked faults: one transaction of its own in a worker thread; such units may run
    at the same time.
    """
    if isinstance(db.write_gate, WriteGate):
        group = _group_commits.get(db)
        if group is None:
            group = _group_commits[db] = GroupCommit(db, db.write_gate, lambda units: _write_batch(db, units))
        return await group.submit(work)
    if db.dialect == "postgresql" and db.group_commit:
        pg = _pg_group_commits.get(db)
        if pg is None:
            pg = _pg_group_commits[db] = PgGroupCommit(db, lambda unit: write(db, unit))
        return await pg.submit(work, needs)
    return await anyio.to_thread.run_sync(write, db, work)


def _write_batch(db: Database, units: list[Unit]) -> list[Outcome]:
    """A batch as one `write` unit: blocking, retried whole while the database is busy; a
    ServiceBusy after the last attempt reaches every unit of the batch (group_commit._drain)."""
    return write(db, lambda session: [run_unit(db, session, unit) for unit in units])

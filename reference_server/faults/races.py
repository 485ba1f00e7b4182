"""Race-only faults of C5.9: each is correct one request at a time and only a race shows it."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from reference_server.errors import ServiceBusy
from reference_server.faults.registry import fault
from reference_server.policy import Policy, SessionKey

RACE_WINDOW_SECONDS = 0.03  # check-to-insert gap of the unlocked fault (the 30-60 ms seen in the field)
SESSION_LOCK_BUCKETS = 4096  # lock files of unlocked-staff-overlap; a shared bucket only serialises more
SESSION_LOCK_WAIT_SECONDS = 10.0


def _sqlite_restart(session: Session, begin: str = "BEGIN") -> None:
    """End the current SQLite transaction and start another (a fresh snapshot, or the write lock)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql(begin)


def _race_gap(session: Session) -> None:
    """Commit what was read, wait RACE_WINDOW_SECONDS, write in a new transaction: the race faults' gap."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("COMMIT")
    time.sleep(RACE_WINDOW_SECONDS)
    if sqlite:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _session_lock_path(tenant_id: str, key: tuple[Any, ...]) -> Path:
    digest = hashlib.blake2b(repr((tenant_id, *key)).encode(), digest_size=8).digest()
    folder = Path(tempfile.gettempdir()) / "reference-server-session-locks"
    folder.mkdir(exist_ok=True)
    return folder / f"{int.from_bytes(digest, 'big') % SESSION_LOCK_BUCKETS:04d}.lock"


def _flock(path: Path) -> int:
    """An exclusive flock on `path` through a new descriptor: it excludes other threads (each
    its own open file) and other server processes alike. Bounded: 503 after the wait."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + SESSION_LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise ServiceBusy("session lock not free") from None
            time.sleep(0.001)


@fault(
    "unlocked",
    "check-then-insert without a lock (30 ms gap)",
    source="calcom #13397",
    rules=("C5.9",),
    catches=("A-1", "A-2", "A-4", "A-5", "A-6"),  # every kind of §5.9: bookings and reschedules
)
class Unlocked(Policy):
    """Check, then insert, in two transactions and without a lock (calcom #13397).

    On SQLite every write transaction starts with BEGIN IMMEDIATE (the database's one write
    lock), which would still serialise the requests; and a deferred BEGIN alone would fail the
    late writer with SQLITE_BUSY_SNAPSHOT, which is retried. So the check reads in its own
    deferred transaction (readers run side by side under WAL) and the insert lands in a new
    one that re-checks nothing: what an autocommit ORM does. PostgreSQL: no lock is enough.
    """

    def gates_process_writes(self) -> bool:
        return False  # db.py's per-process write gate is a lock too

    def lock(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        _sqlite_restart(session)  # a deferred BEGIN: the check reads beside the other requests

    def between_check_and_insert(self, session: Session) -> None:
        _race_gap(session)


@fault(
    "unlocked-staff-overlap",
    "lock per session, not per staff member: overlaps with other services checked outside the lock",
    source="calcom #13269",
    rules=("C5.9",),
    catches=("A-5",),
)
class UnlockedStaffOverlap(Policy):
    """The lock is keyed by the session (staff, service, date, start), not by the staff pool.

    Bookings (and reschedules) of one session queue behind each other and count exactly, and
    a sequential overlap check (Scenario C) still sees the other service's booking; but two
    services of one staff member hold different locks, so their overlap checks run side by
    side and both insert. On SQLite the database write lock is given up (as in `unlocked`) for
    a flock per session; the lock is let go when the request's transaction ends.
    """

    def gates_process_writes(self) -> bool:
        return False

    def lock(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        _sqlite_restart(session)  # no database-wide write lock: only the session lock below

    def lock_sessions(self, session: Session, *, tenant_id: str, sessions: Iterable[SessionKey]) -> None:
        paths = sorted({_session_lock_path(tenant_id, key) for key in sessions})  # sorted: no deadlock
        held = [_flock(path) for path in paths]

        def release(_session: Session, transaction: Any) -> None:
            if transaction.parent is None:  # the request's own transaction, not a savepoint
                for fd in held:
                    os.close(fd)  # closing the descriptor lets go of its flock
                held.clear()

        event.listen(session, "after_transaction_end", release)
        _sqlite_restart(session)  # read what the previous holder of the lock committed

    def between_check_and_insert(self, session: Session) -> None:
        _race_gap(session)


@fault(
    "unlocked-reschedule",
    "reschedule checks the target and moves without the lock (30 ms gap)",
    source="calcom #12348",
    rules=("C5.9",),
    catches=("A-6",),
)
class UnlockedReschedule(Policy):
    """Bookings keep the lock; a reschedule checks its target in one transaction and moves in
    another, so simultaneous moves into one session all see its old count. One at a time,
    every reschedule check (Scenario 6) still passes."""

    def gates_process_writes(self) -> bool:
        return False  # the per-process gate would serialise the reschedules; BEGIN IMMEDIATE
        # still serialises the bookings

    def lock_for_reschedule(self, session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
        _sqlite_restart(session)

    def between_check_and_move(self, session: Session) -> None:
        _race_gap(session)

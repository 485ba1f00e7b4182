"""Cross-process locks taken inside the current transaction (pretix's lock_objects pattern)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy.orm import Session

from reference_server.db import PG_LOCK_TIMEOUT
from reference_server.repository.direct import link, transaction_state

BOOTSTRAP_KEY = 0x5EED_0001
HELD = transaction_state("held_locks")  # the keys this transaction holds: its end releases them


def staff_lock_key(tenant_id: str, staff_id: str) -> int:
    """A stable signed 64-bit key per (tenant, staff): the pool that capacity decisions share."""
    digest = hashlib.blake2b(f"{tenant_id}:{staff_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_keys(session: Session, keys: Iterable[int], *, pipelined: bool = False) -> None:
    """Take exclusive transaction-scoped locks on `keys`, sorted, in one statement.

    PostgreSQL: pg_advisory_xact_lock under a bounded lock_timeout (a timeout surfaces as a
    retryable error). `pipelined`: inside direct.pipelined, sent without waiting; the
    statements that follow in the pipeline run after the locks are held.
    SQLite: nothing to do, the transaction began with BEGIN IMMEDIATE and already holds the
    database's single write lock.
    """
    if not session.in_transaction():
        raise RuntimeError("lock_keys() must run inside a transaction")
    ordered = sorted(set(keys))
    if session.get_bind().dialect.name != "postgresql" or not ordered:
        return
    held: set[int] = session.info.setdefault(HELD, set())
    if held.issuperset(ordered):
        return  # taken earlier in this transaction (a group commit takes a batch's up front)
    # One round trip, not two (a booking makes ~12): without parameters psycopg sends the text
    # as one simple query, so SET LOCAL runs before the locks. The keys are our own integers.
    calls = ", ".join(f"pg_advisory_xact_lock({int(key)})" for key in ordered)
    if pipelined:  # direct.pipelined: no simple query there; both go out with the batch's reads
        cursor = link(session).driver.cursor()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (PG_LOCK_TIMEOUT,))
        cursor.execute(f"SELECT {calls}")
    else:
        session.connection().exec_driver_sql(f"SET LOCAL lock_timeout = '{PG_LOCK_TIMEOUT}'; SELECT {calls}")
    if session.get_nested_transaction() is None:  # a savepoint's rollback may let its locks go
        held.update(ordered)


def lock_staff(session: Session, *, tenant_id: str, staff_ids: Iterable[str]) -> None:
    """Lock every (tenant, staff) pool that this transaction will check and write."""
    lock_keys(session, (staff_lock_key(tenant_id, s) for s in staff_ids))


def lock_bootstrap(session: Session) -> None:
    """Serialise schema creation and seeding between processes starting together."""
    lock_keys(session, [BOOTSTRAP_KEY])

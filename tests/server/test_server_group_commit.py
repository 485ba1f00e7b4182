"""Group commit (services/group_commit.py): gated SQLite units are serialised and committed in
batches, each in its own savepoint; ungated databases (the unlocked fault) let units overlap."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from units import MARKS_TABLE, mark, marks, submit_all

from reference_server.db import Database
from reference_server.errors import Conflict
from reference_server.services import uow
from reference_server.write_gate import WriteGate


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'group.sqlite'}")
    with database.writing() as session:
        session.execute(text(MARKS_TABLE))
    yield database
    database.dispose()


def test_units_submitted_together_share_one_transaction(db: Database) -> None:
    sessions: list[int] = []

    def unit(session: Session) -> None:
        sessions.append(id(session))

    submit_all(db, [unit] * 10)
    assert len(sessions) == 10
    assert len(set(sessions)) < 10, "ten units queued at once should not need ten transactions"


def test_each_unit_gets_its_own_result_and_all_are_committed(db: Database) -> None:
    names = [f"m{i}" for i in range(12)]
    assert submit_all(db, [mark(n) for n in names]) == names
    assert marks(db) == set(names)


def test_a_failing_unit_rolls_back_only_itself(db: Database) -> None:
    def refused(session: Session) -> None:
        session.execute(text("INSERT INTO marks VALUES ('refused')"))
        raise Conflict("full")

    outcomes = submit_all(db, [mark("before"), refused, mark("after")])
    assert outcomes[0] == "before" and outcomes[2] == "after"
    assert isinstance(outcomes[1], Conflict)
    assert marks(db) == {"before", "after"}


def test_a_duplicate_is_a_conflict_for_that_unit_only(db: Database) -> None:
    outcomes = submit_all(db, [mark("same"), mark("same"), mark("other")])
    assert sorted(map(type, outcomes), key=str) == sorted([str, str, Conflict], key=str)
    assert marks(db) == {"same", "other"}


def test_a_later_unit_sees_the_writes_of_an_earlier_one(db: Database) -> None:
    def count(session: Session) -> int:
        return session.scalar(text("SELECT count(*) FROM marks")) or 0

    outcomes = submit_all(db, [mark("a"), mark("b"), count])
    assert outcomes[2] == 2


class _OverlapProbe:
    """A unit that sleeps; `peak` is how many copies of it ran at the same time, at most."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.inside, self.peak, self._lock = seconds, 0, 0, threading.Lock()

    def __call__(self, session: Session) -> None:
        with self._lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
        time.sleep(self.seconds)  # blocking, like a write transaction
        with self._lock:
            self.inside -= 1


def test_units_never_overlap_when_gated(db: Database) -> None:
    probe = _OverlapProbe(0.005)
    submit_all(db, [probe] * 8)
    assert probe.peak == 1


def test_the_loop_keeps_running_while_another_writer_holds_the_gate(db: Database, tmp_path: Path) -> None:
    other_process = WriteGate(str(tmp_path / "group.sqlite"))  # a second flock, as another process has
    other_process.acquire()
    ticks: list[float] = []

    async def main() -> str:
        async def ticker() -> None:
            for _ in range(10):
                ticks.append(time.monotonic())
                await anyio.sleep(0.01)
            other_process.release()

        async with anyio.create_task_group() as group:
            group.start_soon(ticker)
            result = await uow.submit(db, mark("waited"))
        return result

    try:
        assert anyio.run(main) == "waited"
    finally:
        other_process.close()
    assert len(ticks) == 10, "waiting for the gate must not block the event loop"
    assert marks(db) == {"waited"}


def test_a_busy_database_is_retried_off_the_loop(db: Database) -> None:
    loop_thread = threading.get_ident()
    runs: list[bool] = []

    def flaky(session: Session) -> str:
        runs.append(threading.get_ident() == loop_thread)
        if len(runs) == 1:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        session.execute(text("INSERT INTO marks VALUES ('retried')"))
        return "ok"

    async def main() -> str:
        nonlocal loop_thread
        loop_thread = threading.get_ident()
        return await uow.submit(db, flaky)

    assert anyio.run(main) == "ok"
    assert runs == [True, False], "first on the loop, the retry in a worker thread"
    assert marks(db) == {"retried"}


def test_ungated_units_may_overlap(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'free.sqlite'}", write_gate=False)  # the unlocked fault
    probe = _OverlapProbe(0.02)
    try:
        submit_all(db, [probe] * 6)
    finally:
        db.dispose()
    assert probe.peak > 1

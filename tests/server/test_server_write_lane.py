"""The per-process write lane (Database.run_write): gated SQLite writes run one at a time in a
worker thread; ungated databases (the unlocked fault) keep letting requests overlap."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import anyio
import pytest

from reference_server.db import Database


def _peak_overlap(db: Database, calls: int = 6) -> int:
    """How many `run_write` calls were inside their blocking function at the same time, at most."""
    inside, peak, lock = 0, 0, threading.Lock()
    loop_thread = threading.get_ident()
    off_loop: list[bool] = []

    def unit(delay: float) -> float:
        nonlocal inside, peak
        off_loop.append(threading.get_ident() != loop_thread)
        with lock:
            inside += 1
            peak = max(peak, inside)
        time.sleep(delay)  # blocking, like a write transaction
        with lock:
            inside -= 1
        return delay

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(calls):
                group.start_soon(lambda: db.run_write(unit, 0.02))

    anyio.run(main)
    assert all(off_loop), "the blocking unit must never run on the event loop thread"
    return peak


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lane.sqlite'}"


def test_gated_writes_run_one_at_a_time(url: str) -> None:
    db = Database(url)
    try:
        assert _peak_overlap(db) == 1
    finally:
        db.dispose()


def test_ungated_writes_may_overlap(url: str) -> None:
    db = Database(url, write_gate=False)  # the unlocked fault's races need this
    try:
        assert _peak_overlap(db) > 1
    finally:
        db.dispose()


def test_run_write_passes_arguments_and_result(url: str) -> None:
    db = Database(url)
    try:
        result = anyio.run(lambda: db.run_write(lambda a, *, b: a + b, 2, b=3))
        assert result == 5
    finally:
        db.dispose()

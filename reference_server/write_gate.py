"""The SQLite write gate: one writer at a time per process (a thread lock) and across the
processes sharing the file (an flock on `<database>.write-gate`).

An optimisation in front of the real lock, never instead of it: every write transaction
still begins with BEGIN IMMEDIATE, which alone keeps capacity exact. Without the gate, a
process waiting for the database lock polls in SQLite's busy handler, whose sleeps grow to
100 ms; the holder, meanwhile, re-takes the lock for its next batch before the sleeper looks
again, so one process could starve the other for most of a second. A blocked flock() is
woken by the kernel the moment the holder lets go.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType


class WriteGate:
    def __init__(self, database_path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        if database_path and not database_path.startswith(":memory:"):
            path = Path(f"{database_path}.write-gate")
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the gate; with blocking=False, only if it is free right now."""
        if not self._thread_lock.acquire(blocking=blocking):
            return False
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._thread_lock.release()
                return False
            except BaseException:
                self._thread_lock.release()
                raise
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()

    def __enter__(self) -> WriteGate:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

"""Units of work: a write transaction retried on lock timeouts, then 503."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.errors import Conflict, ServiceBusy

T = TypeVar("T")
ATTEMPTS = 4


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

"""A PostgreSQL database made for one run and dropped after it, for `make bench` and `make load`.

`--database-url postgresql` (the bare word) asks for a uniquely named database on the local
server (127.0.0.1:5432, user postgres, trust auth); a full PostgreSQL URL whose database does
not exist yet is created too. Only a database made here is dropped: the run never deletes
what it did not create. SQLite URLs and existing databases are passed through untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL, make_url

SCRATCH = "postgresql"  # the shorthand
LOCAL = "postgresql+psycopg://postgres@127.0.0.1:5432/"


class ScratchError(Exception):
    """PostgreSQL did not answer, or refused to create the database."""


def _admin(url: URL) -> str:
    """The same server and user, its `postgres` maintenance database, as a libpq URL."""
    admin = url.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


@contextmanager
def scratch_database(url: str | None) -> Iterator[tuple[str | None, bool]]:
    """Yields (the URL to use, made here); creates the database first and drops it after when
    asked to."""
    if url is None or not url.startswith("postgresql"):
        yield url, False
        return
    import psycopg  # only PostgreSQL runs need the driver

    parsed = make_url(LOCAL + f"rs_run_{uuid.uuid4().hex[:12]}" if url == SCRATCH else url)
    name = parsed.database
    try:
        with psycopg.connect(_admin(parsed), autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise ScratchError(f"PostgreSQL at {parsed.host}:{parsed.port or 5432}: {exc}") from exc
    try:
        yield parsed.render_as_string(hide_password=False), not exists
    finally:
        if not exists:
            with psycopg.connect(_admin(parsed), autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unavailable(url: str = LOCAL + "postgres") -> str | None:
    """None when PostgreSQL answers at `url`'s server, else the reason (tests skip with it)."""
    import psycopg

    try:
        with psycopg.connect(_admin(make_url(url)), connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): {exc}"

"""Hot-path statements run on the driver's cursor, compiled once per dialect by SQLAlchemy.

A Core `connection.execute` spends ~65 us of Python per statement here (execution context,
events, result wrapping) around ~5 us of work in the driver; the booking unit runs eight
statements. `DirectStatement` keeps SQLAlchemy for what it is good at, writing the SQL for
the dialect and converting values with the column types' own bind and result processors,
and then calls the DBAPI connection directly. The statement still runs on the session's
connection, inside its transaction, after its locks.

Expanding IN parameters (`bindparam(..., expanding=True)`) are rendered per list length and
cached, as SQLAlchemy's own "post-compile" step would.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import Executable
from sqlalchemy.util import await_

_EXPANDING = re.compile(r"\(?__\[POSTCOMPILE_(\w+)\]\)?")
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Link:
    """The DBAPI connection under a session's current transaction, and its dialect."""

    driver: Any
    dialect: Dialect


_TRANSACTION_STATE: set[str] = set()


def transaction_state(key: str) -> str:
    """`key` as a session.info key for state of one transaction (its connection, held locks,
    held-back writes, prefetched reads): dropped when the transaction ends, since the
    session's next one may run on another connection and holds none of it."""
    _TRANSACTION_STATE.add(key)
    return key


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_state(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself, not a savepoint
        for key in _TRANSACTION_STATE:
            session.info.pop(key, None)


LINK = transaction_state("direct_link")


def link(session: Session) -> Link:
    """The session's DBAPI connection; taken once per transaction (Session.connection() is slow)."""
    found = session.info.get(LINK)
    if found is None:
        connection = session.connection()
        driver = connection.connection.driver_connection
        if connection.dialect.is_async:
            driver = _Awaited(driver)
        found = session.info[LINK] = Link(driver, connection.dialect)
    return found


class _Awaited:
    """An asyncio driver connection (psycopg's AsyncConnection) used as a blocking one, from
    the ORM's greenlet inside AsyncSession.run_sync: each call awaits on the event loop.
    SQLAlchemy's own adapter cannot serve here: it reads a statement's rows as soon as it is
    sent, which a pipeline forbids (they arrive at its sync)."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def cursor(self) -> _AwaitedCursor:
        return _AwaitedCursor(self._connection.cursor())

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        manager = self._connection.pipeline()
        await_(manager.__aenter__())
        try:
            yield
        except BaseException:
            if not await_(manager.__aexit__(*sys.exc_info())):
                raise
        else:
            await_(manager.__aexit__(None, None, None))


class _AwaitedCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, arguments: Any = None) -> None:
        await_(self._cursor.execute(sql, arguments))

    def executemany(self, sql: str, arguments: Any) -> None:
        await_(self._cursor.executemany(sql, arguments))

    def fetchall(self) -> list[Any]:
        return await_(self._cursor.fetchall())

    def fetchone(self) -> Any:
        return await_(self._cursor.fetchone())


def writes_of(session: Session) -> int:
    """How many writes the session has sent (direct executions, ORM flushes, session.execute
    of anything but a SELECT); group commit compares it around a unit that failed."""
    return session.info.get("writes", 0)


def _count_write(session: Session) -> None:
    session.info["writes"] = session.info.get("writes", 0) + 1


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    _count_write(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:  # session.execute of an INSERT/UPDATE/DELETE or of SQL text
        _count_write(state.session)


DEFERRED = transaction_state("deferred_writes")  # {statement: [parameter sets]}, in first-use order


def defer_writes(session: Session) -> None:
    """Hold back this transaction's `execute` calls until `flush_deferred`: a group commit sends
    the INSERTs of a whole batch as one executemany per statement."""
    session.info[DEFERRED] = {}


def deferred_rows(session: Session, statement: DirectStatement) -> list[Mapping[str, Any]]:
    """The parameter sets of `statement` held back so far (what reads must add to their rows)."""
    return session.info.get(DEFERRED, {}).get(statement, [])


def flush_deferred(session: Session) -> None:
    """Send the held-back writes, statement by statement in the order they were first used
    (an appointment before its items), each as one statement; later writes are sent at once
    again."""
    for statement, rows in session.info.pop(DEFERRED, {}).items():
        statement.insert_rows(session, rows)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One placeholder of the SQL: which parameter (and item of a list) fills it, converted how."""

    key: str  # the placeholder's name in named paramstyles
    param: str
    index: int | None
    convert: Processor


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    slots: tuple[_Slot, ...]
    named: bool  # pyformat (psycopg): a dict of arguments; qmark (sqlite3): a tuple
    results: tuple[Processor, ...]

    def arguments(self, params: Mapping[str, Any]) -> Any:
        values = []
        for slot in self.slots:
            value = params[slot.param] if slot.index is None else params[slot.param][slot.index]
            values.append(value if slot.convert is None else slot.convert(value))
        if self.named:
            return {slot.key: value for slot, value in zip(self.slots, values, strict=True)}
        return tuple(values)

    def row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(value if p is None else p(value) for p, value in zip(self.results, row, strict=True))


@contextmanager
def translated(dialect: Dialect, sql: str) -> Iterator[None]:
    """The driver's errors as SQLAlchemy's (IntegrityError, OperationalError, ...), as a
    Core execute would raise them: callers judge busy, duplicate and the rest by those."""
    base = dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        raise DBAPIError.instance(sql, None, exc, base, dialect=dialect) from exc


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """psycopg's pipeline mode for the statements sent inside: they go out together and are
    answered together, one round trip instead of one each. Elsewhere (SQLite) a no-op."""
    to = link(session)
    pipeline = getattr(to.driver, "pipeline", None)
    if pipeline is None:
        yield
        return
    with translated(to.dialect, "(pipeline)"), pipeline():
        yield


@dataclass(frozen=True, slots=True)
class Sent:
    """A statement sent; its rows are read on demand (in a pipeline: with the next sync)."""

    plan: _Plan
    cursor: Any
    dialect: Dialect

    def rows(self) -> list[tuple[Any, ...]]:
        with translated(self.dialect, self.plan.sql):
            fetched = self.cursor.fetchall()
        if not any(self.plan.results):
            return [tuple(row) for row in fetched]
        return [self.plan.row(row) for row in fetched]

    def first(self) -> tuple[Any, ...] | None:
        with translated(self.dialect, self.plan.sql):
            row = self.cursor.fetchone()
        return None if row is None else self.plan.row(row)


class DirectStatement:
    """One Core statement (SELECT, INSERT, UPDATE) to run on the DBAPI cursor."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        # Lists (expanding IN parameters) change the SQL with their length: part of the plan key.
        self._lists = tuple(b.key for b in statement.compile().binds.values() if b.expanding)
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._bulk: dict[tuple[str, ...], _Plan | None] = {}  # PostgreSQL bulk INSERTs by columns

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self.send(session, params).rows()

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        return self.send(session, params).first()

    def send(self, session: Session, params: Mapping[str, Any]) -> Sent:
        """Execute; read the rows later from what this returns (inside `pipelined`, many
        statements go out before the first answer is waited for)."""
        to = link(session)
        plan = self._plan(to.dialect, params)
        cursor = to.driver.cursor()
        with translated(to.dialect, plan.sql):
            cursor.execute(plan.sql, plan.arguments(params))
        return Sent(plan, cursor, to.dialect)

    def execute(self, session: Session, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """Run once, or once per parameter set (executemany) when given a sequence; held back
        until `flush_deferred` while the transaction defers its writes (`defer_writes`)."""
        _count_write(session)
        deferred = session.info.get(DEFERRED)
        if deferred is not None:
            deferred.setdefault(self, []).extend([params] if isinstance(params, Mapping) else params)
            return
        to = link(session)
        if isinstance(params, Mapping):
            plan = self._plan(to.dialect, params)
            with translated(to.dialect, plan.sql):
                to.driver.cursor().execute(plan.sql, plan.arguments(params))
        else:
            plan = self._plan(to.dialect, params[0])
            with translated(to.dialect, plan.sql):
                to.driver.cursor().executemany(plan.sql, [plan.arguments(p) for p in params])

    def insert_rows(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """An INSERT of every row: on PostgreSQL one statement over all of them as JSON
        (executemany costs the driver a statement per row, and a multi-row VALUES list is a new
        text for every row count, parsed again each time), elsewhere executemany."""
        to = link(session)
        if len(rows) == 1 or to.dialect.name != "postgresql":
            self.execute(session, rows)
            return
        keys = tuple(rows[0])
        if keys not in self._bulk:
            self._bulk[keys] = _json_insert(self._statement, to.dialect, keys)
        plan = self._bulk[keys]
        if plan is None:
            self.execute(session, rows)
            return
        _count_write(session)
        rows_json = json.dumps([{k: row[k] for k in keys} for row in rows], default=_json_value)
        with translated(to.dialect, plan.sql):
            to.driver.cursor().execute(plan.sql, {"rows": rows_json})

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        key = (dialect.name, *(len(params[name]) for name in self._lists))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self._statement, dialect, params)
        return plan


def _json_insert(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """INSERT INTO t (a, b) SELECT a, b FROM json_populate_recordset(NULL::t, %(rows)s): one
    text whatever the row count, so the driver parses it once and the server prepares it once,
    and one parameter that the json module writes in C (psycopg dumps the elements of array
    parameters one by one in Python: a batch's INSERTs took ~20 % more CPU as unnest arrays).
    Dates and naive UTC timestamps travel as ISO text."""
    table = statement.table  # type: ignore[attr-defined]
    quote = dialect.identifier_preparer
    name, columns = quote.format_table(table), ", ".join(quote.quote(k) for k in keys)
    rows = f"json_populate_recordset(NULL::{name}, %(rows)s)"
    sql = f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {rows}"
    if any(table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys):
        return None  # a value the driver cannot take as is: executemany converts it row by row
    return _Plan(sql, (_Slot("rows", "rows", None, None),), True, ())


def _json_value(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _compile(statement: Executable, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    if compiled.positional and dialect.paramstyle != "qmark":
        raise NotImplementedError(f"paramstyle {dialect.paramstyle} is not supported")
    convert = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in compiled.binds.items()
    }

    def slots_of(name: str) -> list[_Slot]:
        if compiled.binds[name].expanding:
            return [_Slot(f"{name}__{i}", name, i, convert[name]) for i in range(len(params[name]))]
        return [_Slot(name, name, None, convert[name])]

    def expand(match: re.Match[str]) -> str:
        slots = slots_of(match.group(1))
        marks = ("?" if compiled.positional else f"%({slot.key})s" for slot in slots)
        return "(" + ", ".join(marks) + ")"

    sql = _EXPANDING.sub(expand, compiled.string)
    names = compiled.positiontup if compiled.positional else list(compiled.binds)
    slots = tuple(slot for name in names or () for slot in slots_of(name))
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in getattr(statement, "selected_columns", ())
    )
    return _Plan(sql, slots, not compiled.positional, results)

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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import Executable

_EXPANDING = re.compile(r"\(?__\[POSTCOMPILE_(\w+)\]\)?")
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Link:
    """The DBAPI connection under a session's current transaction, and its dialect."""

    driver: Any
    dialect: Dialect


def link(session: Session) -> Link:
    """The session's DBAPI connection; taken once per transaction (Session.connection() is slow)."""
    found = session.info.get("direct_link")
    if found is None:
        connection = session.connection()
        found = session.info["direct_link"] = Link(
            connection.connection.driver_connection, connection.dialect
        )
    return found


@event.listens_for(Session, "after_transaction_end")
def _forget_link(session: Session, transaction: SessionTransaction) -> None:
    # The session's next transaction may run on another connection.
    if transaction.parent is None:
        session.info.pop("direct_link", None)


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    order: tuple[str, ...] | None  # parameter names in positional order; None: named style
    binds: Mapping[str, Processor]
    results: tuple[Processor, ...]


class DirectStatement:
    """One Core statement (SELECT, INSERT, UPDATE) to run on the DBAPI cursor."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._plans: dict[tuple[str, tuple[int, ...]], _Plan] = {}

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        plan, cursor = self._run(session, params)
        results = plan.results
        if not any(results):
            return [tuple(row) for row in cursor.fetchall()]
        return [
            tuple(value if p is None else p(value) for p, value in zip(results, row, strict=True))
            for row in cursor.fetchall()
        ]

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        plan, cursor = self._run(session, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return tuple(value if p is None else p(value) for p, value in zip(plan.results, row, strict=True))

    def execute(self, session: Session, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
        """Run once, or once per parameter set (executemany) when given a sequence."""
        many = not isinstance(params, Mapping)
        batch = list(params) if many else [params]  # type: ignore[arg-type]
        to = link(session)
        plan = self._plan(to.dialect, batch[0])
        converted = [_arguments(plan, p) for p in batch]
        if many:
            to.driver.cursor().executemany(plan.sql, converted)
        else:
            to.driver.cursor().execute(plan.sql, converted[0])

    def _run(self, session: Session, params: Mapping[str, Any]) -> tuple[_Plan, Any]:
        to = link(session)
        plan = self._plan(to.dialect, params)
        cursor = to.driver.cursor()
        cursor.execute(plan.sql, _arguments(plan, params))
        return plan, cursor

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        sizes = tuple(len(v) for v in params.values() if isinstance(v, list | tuple))
        key = (dialect.name, sizes)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self._statement, dialect, params)
        return plan


def _compile(statement: Executable, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    binds: dict[str, Processor] = {}
    for name, bind in compiled.binds.items():
        binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
    positional = compiled.positional
    order: list[str] = []
    sql = compiled.string

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        names = [f"{name}__{i}" for i in range(len(params[name]))]
        for expanded in names:
            binds[expanded] = binds[name]
        if positional:
            return "(" + ", ".join("?" for _ in names) + ")"
        return "(" + ", ".join(f"%({n})s" for n in names) + ")"

    sql = _EXPANDING.sub(expand, sql)
    if positional:
        for name in compiled.positiontup or ():
            if name in params and isinstance(params[name], list | tuple):
                order.extend(f"{name}__{i}" for i in range(len(params[name])))
            else:
                order.append(name)
        if dialect.paramstyle != "qmark":
            raise NotImplementedError(f"paramstyle {dialect.paramstyle} is not supported")
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in getattr(statement, "selected_columns", ())
    )
    return _Plan(sql, tuple(order) if positional else None, binds, results)


def _arguments(plan: _Plan, params: Mapping[str, Any]) -> Any:
    flat: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, list | tuple):
            flat.update((f"{name}__{i}", item) for i, item in enumerate(value))
        else:
            flat[name] = value
    binds = plan.binds
    converted = {name: value if (p := binds.get(name)) is None else p(value) for name, value in flat.items()}
    if plan.order is None:
        return converted
    return tuple(converted[name] for name in plan.order)

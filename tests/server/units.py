"""Write units and their submission, shared by the group-commit tests of both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import anyio
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from reference_server.db import Database
from reference_server.models import Appointment, new_id
from reference_server.repository.direct import DirectStatement
from reference_server.repository.prefetch import Needs
from reference_server.services import uow

Unit = Callable[[Session], Any]
INSERT_APPOINTMENT = DirectStatement(insert(Appointment.__table__))
MARKS_TABLE = "CREATE TABLE marks (name TEXT PRIMARY KEY)"


def submit_all(db: Database, units: list[Unit], needs: list[Needs] | None = None) -> list[Any]:
    """Submit every unit at once (with its `needs` when given); each result, or the exception
    its submitter got."""
    outcomes: list[Any] = [None] * len(units)

    async def one(index: int) -> None:
        try:
            outcomes[index] = await uow.submit(db, units[index], *(needs[index : index + 1] if needs else ()))
        except Exception as exc:
            outcomes[index] = exc

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for index in range(len(units)):
                group.start_soon(one, index)

    anyio.run(main)
    return outcomes


def mark(name: str) -> Unit:
    """A unit that writes `name` into the marks table and returns it."""

    def unit(session: Session) -> str:
        session.execute(text("INSERT INTO marks VALUES (:n)"), {"n": name})
        return name

    return unit


def marks(db: Database) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(text("SELECT name FROM marks")))


def appointment_rows(tenant_id: str, outlet_id: str, customer_id: str, n: int) -> list[dict[str, Any]]:
    """`n` appointment rows whose values test the bulk INSERT: quotes, braces, NULLs, dates,
    microsecond timestamps."""
    stamp = datetime(2031, 5, 5, 9, 30, 15, 123456)
    return [
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "outlet_id": outlet_id,
            "customer_id": customer_id,
            "appointment_date": date(2031, 5, 5 + i),
            "start_minute": 600 + i,
            "status": "confirmed",
            "notes": None if i % 2 else f"note 'quoted' {{braces}}, comma {i}",
            "cancellation_reason": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for i in range(n)
    ]

"""Tenant-scoped loading of single records and pages."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reference_server.errors import not_found
from reference_server.schemas.common import ID_PATTERN

M = TypeVar("M")


def find(session: Session, model: type[M], tenant_id: str, record_id: str, *, lock: bool = False) -> M | None:
    """The tenant's record with this id, or None (malformed and foreign ids included).

    `lock` takes a row lock on PostgreSQL (SELECT ... FOR UPDATE) so that two concurrent status
    changes of one record serialise; SQLite's BEGIN IMMEDIATE already did that.
    """
    if not isinstance(record_id, str) or not ID_PATTERN.match(record_id):
        return None
    if lock:
        query = select(model).where(model.id == record_id).with_for_update()  # type: ignore[attr-defined]
        record = session.scalars(query.execution_options(populate_existing=True)).first()
    else:
        record = session.get(model, record_id)
    if record is None or record.tenant_id != tenant_id:  # type: ignore[attr-defined]
        return None
    return record


def load(
    session: Session, model: type[M], tenant_id: str, record_id: str, kind: str, *, lock: bool = False
) -> M:
    """The tenant's record with this id, else NotFound (another tenant's ids answer 404)."""
    record = find(session, model, tenant_id, record_id, lock=lock)
    if record is None:
        raise not_found(kind)
    return record


def paged(session: Session, query: Select[Any], *, page: int, size: int) -> tuple[list[Any], int]:
    """One page of `query` and the total number of rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return list(rows), total

"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from reference_server.schemas.common import ID_PATTERN, _clean


def _id_or_none(value: str | None) -> str | None:
    if value is not None and not ID_PATTERN.match(value):
        raise ValueError("must be a 24-character hexadecimal id")
    return value


PageNo = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1")]
PageSize = Annotated[int, Query(ge=1, le=100, description="Items per page, 1..100")]
IdFilter = Annotated[str | None, Query(max_length=64), AfterValidator(_id_or_none)]
SearchText = Annotated[
    str | None, Query(max_length=200), AfterValidator(lambda v: v if v is None else _clean(v))
]

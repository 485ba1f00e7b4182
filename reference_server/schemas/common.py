"""Shared field types: clean text, HH:MM times, bounded dates, ids, pagination."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

T = TypeVar("T")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::00)?$")
ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


def _clean(value: str) -> str:
    """No NUL bytes or lone surrogates: both would fail inside the database driver (a 5xx)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid UTF-8 text") from exc
    return value


def _minutes(value: object) -> int:
    """'HH:MM' or 'HH:MM:00' to minutes since midnight; '25:00', '10:5', '10:00:30' are refused."""
    if not isinstance(value, str) or not (match := _TIME.match(value)):
        raise ValueError("must be a time of day as HH:MM (00:00-23:59)")
    return int(match.group(1)) * 60 + int(match.group(2))


def _bounded_day(value: date) -> date:
    # Outside these years, date arithmetic (ranges, windows) could overflow: refuse early.
    if not 1900 <= value.year <= 9000:
        raise ValueError("year must be between 1900 and 9000")
    return value


def utc(value: datetime) -> datetime:
    """Stored timestamps are naive UTC; responses carry the offset."""
    return value.replace(tzinfo=UTC)


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean)]
Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]
LongText = Annotated[str, Field(max_length=2000), AfterValidator(_clean)]
Phone = Annotated[str, Field(max_length=50), AfterValidator(_clean)]
Email = Annotated[
    str,
    Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(_clean),
    AfterValidator(str.lower),
]
RefId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_clean)]
TimeOfDay = Annotated[
    int,
    BeforeValidator(_minutes),
    WithJsonSchema({"type": "string", "pattern": _TIME.pattern, "example": "10:00"}),
]
Day = Annotated[date, AfterValidator(_bounded_day)]


class Strict(BaseModel):
    """Request bodies that refuse unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Lenient(BaseModel):
    """Request bodies that ignore unknown fields (resource bodies other clients may enrich)."""

    model_config = ConfigDict(extra="ignore")


class PartialUpdate(Lenient):
    """A partial update: absent fields stay; `null` is refused for the fields listed here."""

    required_when_sent: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _no_nulls(self) -> PartialUpdate:
        for name in self.required_when_sent:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
    pages: int


def page_of(items: list, *, total: int, page: int, size: int) -> dict:
    """The contract's pagination envelope."""
    return {"items": items, "total": total, "page": page, "size": size, "pages": -(-total // size)}


# ---- error bodies, documented on every operation (CONTRACT.md C1.7, C1.8) ----
class ErrorResponse(BaseModel):
    """A business error: `{"detail": "<human sentence>"}` (400, 401, 403, 404, 409)."""

    model_config = ConfigDict(title="ErrorResponse")
    detail: str


class ValidationIssue(BaseModel):
    """One entry of FastAPI's 422 list; FastAPI adds `input` and `ctx`, which clients may ignore."""

    model_config = ConfigDict(title="ValidationIssue", extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    """Malformed input: FastAPI's `{"detail": [{"loc", "msg", "type"}, ...]}` (422)."""

    model_config = ConfigDict(title="ValidationErrorResponse")
    detail: list[ValidationIssue]


# The contract's words for each status (C1.2, C1.8), reused as the OpenAPI descriptions.
ERROR_STATUSES: dict[int, tuple[str, type[BaseModel]]] = {
    400: (
        "Business rule broken: booking in the past, outside the advance window, inactive service",
        ErrorResponse,
    ),
    401: (
        "Missing, malformed, expired or forged bearer token (or wrong credentials at login)",
        ErrorResponse,
    ),
    403: ("The caller's role may not do this (the staff role may not change configuration)", ErrorResponse),
    404: ("Unknown id, or another tenant's, in the path, query or body", ErrorResponse),
    409: (
        "Conflict: capacity, staff busy, duplicate, overlapping availability, illegal status transition",
        ErrorResponse,
    ),
    422: (
        "Malformed input: a missing, unknown, out-of-range or wrongly typed field",
        ValidationErrorResponse,
    ),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses=` for the error statuses an operation can answer, each with its body."""
    return {
        status: {"model": ERROR_STATUSES[status][1], "description": ERROR_STATUSES[status][0]}
        for status in statuses
    }

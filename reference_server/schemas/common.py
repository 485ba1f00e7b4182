"""Shared field types: clean text, HH:MM times, bounded dates, ids, pagination."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Generic, TypeVar

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

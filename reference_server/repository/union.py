"""One UNION ALL of SELECTs with different columns, read as rows of one typed layout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, cast, literal_column, null, select, union_all

from reference_server.repository.direct import DirectStatement

_SLOT_TYPES = {"s": String(), "n": Integer(), "b": Boolean(), "d": Date(), "j": JSON()}
Part = tuple[list[Any], list[Any]]  # (columns, WHERE conditions)


def _slot_kind(column: Any) -> str:
    kinds = {Integer: "n", Boolean: "b", Date: "d", JSON: "j"}
    return next((k for t, k in kinds.items() if isinstance(column.type, t)), "s")


class TypedUnion:
    """Every part puts each of its columns in the next free slot of its kind (text, integer,
    boolean, date, JSON) and NULL in the others; the first column names the part, and
    `pick[name]` gives the positions of that part's columns, in order. Typed columns rather
    than one JSON value per row: the driver's C loaders read them (JSON rows cost more to
    parse than the five statements they replaced)."""

    def __init__(self, parts: dict[str, Part]) -> None:
        placed = {name: self._place(columns) for name, (columns, _) in parts.items()}
        width = {
            kind: max((n + 1 for slots in placed.values() for k, n in slots if k == kind), default=0)
            for kind in _SLOT_TYPES
        }
        layout = [(kind, n) for kind in _SLOT_TYPES for n in range(width[kind])]
        self.pick = {name: tuple(1 + layout.index(slot) for slot in slots) for name, slots in placed.items()}
        selects = []
        for name, (columns, where) in parts.items():
            by_slot = dict(zip(placed[name], columns, strict=True))
            row = [by_slot.get(slot, cast(null(), _SLOT_TYPES[slot[0]])) for slot in layout]
            selects.append(select(literal_column(f"'{name}'"), *row).where(*where))
        self.statement = DirectStatement(union_all(*selects))

    @staticmethod
    def _place(columns: list[Any]) -> list[tuple[str, int]]:
        kinds = [_slot_kind(c) for c in columns]
        return [(kind, kinds[:i].count(kind)) for i, kind in enumerate(kinds)]

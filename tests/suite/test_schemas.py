from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from fixtures import schemas
from fixtures.expect import SchemaViolation

SCHEMA_PATHS = schemas.schema_files()
GOOD_APPOINTMENT = {
    "id": "a1",
    "status": "confirmed",
    "appointment_date": "2025-11-03",
    "services": [{"service_id": "s", "staff_id": "t", "start_time": "10:00:00", "end_time": "11:00:00"}],
    "customer": {"id": "c", "name": "Alice Johnson"},
    "created_at": "2025-10-27T10:00:00Z",
}
GOOD_GRID = {
    "start_date": "2025-11-03",
    "end_date": "2025-11-03",
    "num_days": 1,
    "slot_interval_minutes": 30,
    "availability_grid": {
        "2025-11-03": [
            {
                "start_time": "10:00",
                "end_time": "11:00",
                "staff_id": "t",
                "is_available": True,
                "allows_parallel_bookings": True,
                "available_capacity": 5,
                "max_capacity": 10,
            }
        ]
    },
    "metadata": {
        "service_id": "s",
        "service_name": "Yoga",
        "outlet_id": "o",
        "outlet_name": "Downtown",
        "staff_id": None,
        "total_available_slots": 1,
        "service_duration_minutes": 60,
    },
}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _with(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=lambda p: p.name)
def test_every_schema_is_valid_draft_2020_12(path):
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://conformance.local/schemas/{path.name}"


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=lambda p: p.name)
def test_every_ref_resolves(path):
    schema = json.loads(path.read_text())
    resolver = schemas.registry().resolver(base_uri=schema["$id"])
    for ref in _refs(schema):
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:
            pytest.fail(f"{path.name}: $ref {ref!r} does not resolve ({exc})")


def test_good_bodies_pass():
    schemas.validate_body("appointment", GOOD_APPOINTMENT)
    schemas.validate_body("availability_grid", GOOD_GRID)
    schemas.validate_body("error", {"detail": "Staff John Smith is fully booked"})
    schemas.validate_body("validation_error", {"detail": [{"loc": ["body", "x"], "msg": "bad", "type": "t"}]})


@pytest.mark.parametrize(
    ("name", "body", "path_in_message"),
    [
        pytest.param(
            "appointment",
            _with(GOOD_APPOINTMENT, ("services", 0, "start_time"), "10:00"),
            "$.services[0].start_time",
            id="appointment-time-without-seconds",
        ),
        pytest.param("appointment", _with(GOOD_APPOINTMENT, ("id",), ""), "$.id", id="empty-id"),
        pytest.param(
            "availability_grid",
            _with(GOOD_GRID, ("availability_grid", "2025-11-03", 0, "start_time"), "10:00:00"),
            "start_time",
            id="grid-time-with-seconds",
        ),
        pytest.param(
            "availability_grid", _with(GOOD_GRID, ("extra",), 1), "extra", id="grid-extra-top-level-key"
        ),
        pytest.param(
            "availability_grid",
            _with(GOOD_GRID, ("availability_grid", "2025-11-03", 0, "staff_name"), "John"),
            "$.availability_grid",
            id="grid-slot-with-staff-name",
        ),
        pytest.param("error", {"detail": ""}, "$.detail", id="empty-detail"),
        pytest.param("validation_error", {"detail": "bad"}, "$.detail", id="422-detail-not-a-list"),
    ],
)
def test_bad_bodies_raise_schema_violation_naming_path_and_file(name, body, path_in_message):
    with pytest.raises(SchemaViolation) as caught:
        schemas.validate_body(name, body)
    assert f"{name}.schema.json" in str(caught.value)
    assert path_in_message in str(caught.value)


def test_parallel_slot_without_capacity_fields_is_refused():
    slot = GOOD_GRID["availability_grid"]["2025-11-03"][0]
    bare = {k: v for k, v in slot.items() if k not in ("available_capacity", "max_capacity")}
    with pytest.raises(SchemaViolation):
        schemas.validate_body(
            "availability_grid", _with(GOOD_GRID, ("availability_grid", "2025-11-03"), [bare])
        )


def test_every_operation_schema_exists():
    names = {p.name.removesuffix(".schema.json") for p in SCHEMA_PATHS}
    assert {n for n in schemas.SUCCESS_SCHEMAS.values() if n} <= names

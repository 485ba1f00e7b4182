"""schemas/openapi.json is what the reference server serves, and it documents every status (issue 12)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from reference_server.app import create_app
from reference_server.openapi import OPENAPI_PATH, render, served_openapi
from reference_server.settings import Settings

SERVED = served_openapi()
OPERATIONS = [
    pytest.param(path, method, op, id=f"{method.upper()} {path}")
    for path, ops in SERVED["paths"].items()
    for method, op in ops.items()
]
# Writes of configuration (CONTRACT.md C2.5): the staff role gets 403 there.
CONFIGURING = {("post", "/api/v1/services"), ("post", "/api/v1/staff"), ("post", "/api/v1/availability")}
PUBLIC = {("post", "/api/v1/auth/login"), ("get", "/health")}


def _ref(response: dict[str, Any]) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_committed_openapi_is_what_the_server_serves():
    committed = OPENAPI_PATH.read_text(encoding="utf-8")
    assert committed == render(SERVED), (
        "schemas/openapi.json is out of date: run `make openapi` and commit it"
    )
    assert json.loads(committed)["openapi"].startswith("3.")


def test_served_route_answers_the_same_document(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'unused.sqlite'}"))

    async def get() -> httpx.Response:  # no lifespan: no database is touched
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://server") as client:
            return await client.get("/api/v1/openapi.json")

    try:
        served = asyncio.run(get())
    finally:
        app.state.db.dispose()
    assert served.status_code == 200
    assert served.json() == SERVED


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_operation_has_tags_and_a_summary(path, method, op):
    assert op.get("tags") and op.get("summary"), f"{method.upper()} {path}"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_protected_operation_documents_401_with_the_error_body(path, method, op):
    if (method, path) in PUBLIC:
        assert "security" not in op
        return
    assert op["security"] == [{"HTTPBearer": []}]
    assert _ref(op["responses"]["401"]) == "ErrorResponse"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_operation_reading_an_id_documents_404(path, method, op):
    if "{" in path:
        assert _ref(op["responses"]["404"]) == "ErrorResponse"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_configuring_operation_documents_403(path, method, op):
    writes_config = (method, path) in CONFIGURING or (
        method in {"put", "delete"} and path.split("/")[3] in {"services", "staff", "availability"}
    )
    assert ("403" in op["responses"]) == writes_config, f"{method.upper()} {path}"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_every_422_is_fastapis_list(path, method, op):
    if "422" in op["responses"]:
        assert _ref(op["responses"]["422"]) == "ValidationErrorResponse"


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        pytest.param("post", "/api/v1/appointments", {"201", "400", "401", "404", "409", "422"}, id="book"),
        pytest.param(
            "put",
            "/api/v1/appointments/{appointment_id}/reschedule",
            {"200", "400", "401", "404", "409", "422"},
            id="reschedule",
        ),
        pytest.param("post", "/api/v1/availability", {"201", "401", "403", "404", "409", "422"}, id="window"),
        pytest.param("post", "/api/v1/customers", {"201", "401", "409", "422"}, id="customer"),
        pytest.param("post", "/api/v1/auth/login", {"200", "401", "422"}, id="login"),
    ],
)
def test_contract_statuses_are_documented(method, path, statuses):
    """The statuses CONTRACT.md names for these operations (C1.8, C3.8, C3.9, C4.9, C5.8)."""
    assert set(SERVED["paths"][path][method]["responses"]) == statuses


def test_error_bodies_are_components():
    schemas = SERVED["components"]["schemas"]
    assert schemas["ErrorResponse"]["required"] == ["detail"]
    assert schemas["ValidationErrorResponse"]["properties"]["detail"]["type"] == "array"
    assert "HTTPValidationError" not in schemas  # FastAPI's default 422 is replaced everywhere

"""Domain errors, raised by services, turned into `{"detail": "<sentence>"}` by one handler."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

# FastAPI's own 400 for a body it cannot decode (bytes that are not UTF-8 JSON): malformed input (C1.7).
UNPARSEABLE_BODY = "There was an error parsing the body"


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BusinessRuleBroken(DomainError):
    """Booking in the past, outside the advance window, inactive service (400)."""

    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Capacity, staff busy, duplicate, overlapping window, illegal transition (409)."""

    status = 409


class InvalidInput(DomainError):
    """Well-formed JSON whose values contradict the data (e.g. a wrong duration): 422."""

    status = 422

    def __init__(self, loc: tuple[str | int, ...], detail: str) -> None:
        super().__init__(detail)
        self.loc = loc


class ServiceBusy(DomainError):
    """The database stayed locked through every retry (503)."""

    status = 503


def not_found(kind: str) -> NotFound:
    return NotFound(f"{kind} not found")


class AsciiJSONResponse(JSONResponse):
    """JSON escaped to ASCII: a 422 may echo input holding lone surrogates, which UTF-8 refuses."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def install_handlers(app: FastAPI) -> None:
    """One handler for every domain error; the conflict status comes from the policy (fault seam)."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        for error in errors:  # Python's json reads 1e400 and NaN; JSON cannot echo them back
            value = error.get("input")
            if isinstance(value, float) and not math.isfinite(value):
                error["input"] = str(value)
        return AsciiJSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Any:
        if exc.status_code == 400 and exc.detail == UNPARSEABLE_BODY:
            issue = {"loc": ["body"], "msg": "The body is not valid UTF-8 JSON", "type": "json_invalid"}
            return JSONResponse({"detail": [issue]}, status_code=422)
        return await http_exception_handler(request, exc)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = exc.status
        if isinstance(exc, Conflict):
            status = request.app.state.policy.conflict_status()
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        if isinstance(exc, ServiceBusy):
            headers = {"Retry-After": "1"}
        if isinstance(exc, InvalidInput):  # FastAPI's list shape, like every other 422
            body = {"detail": [{"loc": list(exc.loc), "msg": exc.detail, "type": "value_error"}]}
            return JSONResponse(body, status_code=status)
        return JSONResponse({"detail": exc.detail}, status_code=status, headers=headers)

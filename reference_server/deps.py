"""FastAPI dependencies: the process's Database and Policy, the caller, role checks.

All `async def` on purpose: FastAPI runs a plain `def` dependency in the thread pool, one
thread hop (~0.1-0.2 ms of CPU and a wake-up of the event loop) per dependency per request;
these only read app state or check a cached token, so they never block the loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reference_server.db import Database
from reference_server.errors import Forbidden, Unauthorized
from reference_server.policy import Policy
from reference_server.security import Principal, read_token
from reference_server.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="JWT access token from POST /api/v1/auth/login")


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_policy(request: Request) -> Policy:
    return request.app.state.policy


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller of a valid bearer token, else 401 (missing, malformed, expired, forged, alg none)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Not authenticated: send Authorization: Bearer <access_token>")
    principal = read_token(credentials.credentials, secret=request.app.state.jwt_secret)
    if principal is None:
        raise Unauthorized("Invalid or expired access token")
    return principal


async def configurer(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """A caller allowed to change configuration; the `staff` role gets 403."""
    if not principal.configures:
        raise Forbidden(f"The {principal.role} role may not change services, staff or availability")
    return principal


DbDep = Annotated[Database, Depends(get_db)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
CallerDep = Annotated[Principal, Depends(current_principal)]
ConfigurerDep = Annotated[Principal, Depends(configurer)]

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
from reference_server.security import Principal, bearer_token
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
    """The caller of a valid bearer token, else 401 (missing, malformed, expired, forged, alg none).

    `credentials` only declares the scheme in the OpenAPI document; the header itself is read
    by the policy (a fault seam), which also scopes the caller to its tenant (C1.3)."""
    state = request.app.state
    policy: Policy = state.policy
    authorization = request.headers.get("authorization")
    principal = policy.authenticate(request.method, request.url.path, authorization, secret=state.jwt_secret)
    if principal is None:
        if authorization is None or bearer_token(authorization) is None:
            raise Unauthorized("Not authenticated: send Authorization: Bearer <access_token>")
        raise Unauthorized("Invalid or expired access token")
    return policy.scoped(principal, request.headers)


async def configurer(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """A caller allowed to change configuration; the `staff` role gets 403."""
    if not principal.configures:
        raise Forbidden(f"The {principal.role} role may not change services, staff or availability")
    return principal


async def service_creator(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Principal:
    """A caller allowed to create services (C2.5: the `staff` role gets 403)."""
    if not request.app.state.policy.may_create_services(principal):
        raise Forbidden(f"The {principal.role} role may not create services")
    return principal


DbDep = Annotated[Database, Depends(get_db)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
CallerDep = Annotated[Principal, Depends(current_principal)]
ConfigurerDep = Annotated[Principal, Depends(configurer)]
ServiceCreatorDep = Annotated[Principal, Depends(service_creator)]

"""POST /auth/login and GET /tenants/me."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from reference_server.deps import CallerDep, DbDep
from reference_server.schemas.booking import LoginRequest, LoginResponse, TenantPublic
from reference_server.schemas.common import errors
from reference_server.services import accounts

router = APIRouter()


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    tags=["auth"],
    summary="Authentication: obtain a JWT token",
    responses=errors(401, 422),
)
def login(body: LoginRequest, request: Request, db: DbDep) -> dict[str, Any]:
    state = request.app.state
    ttl = state.settings.token_ttl_seconds
    return accounts.login(
        db=db,
        policy=state.policy,
        email=body.email,
        password=body.password,
        secret=state.jwt_secret,
        ttl_seconds=ttl,
    )


@router.get(
    "/tenants/me",
    response_model=TenantPublic,
    tags=["tenants"],
    summary="Identify tenant and outlet",
    responses=errors(401, 404),
)
def tenant_me(caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return accounts.tenant_of(db=db, tenant_id=caller.tenant_id)

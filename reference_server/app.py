"""create_app(settings): the FastAPI application, its routers, handlers and database."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from reference_server import __version__
from reference_server.db import Database
from reference_server.errors import install_handlers
from reference_server.faults import load_policy
from reference_server.rewrite import RewriteResponses
from reference_server.routers import appointments, auth, availability, catalog, customers
from reference_server.seed import bootstrap
from reference_server.serving import settle_heap
from reference_server.settings import Settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings, *, server_process: bool = False) -> FastAPI:
    """Build the app for `settings`; the schema and seed are ensured when it starts.

    `server_process`: the app owns its process (a uvicorn worker); its start-up heap is then
    frozen out of the garbage collector's reach (serving.settle_heap)."""
    policy = load_policy(settings.fault)
    db = Database(settings.database_url, write_gate=policy.gates_process_writes())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(bootstrap, db, settings)
        if server_process:
            settle_heap()
        yield
        await db.close_loop_engines()
        db.dispose()

    app = FastAPI(
        title="Parallel Booking API (reference server)",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.policy = policy
    # No secret in code: without one configured, this process signs with a fresh random key.
    app.state.jwt_secret = settings.jwt_secret or secrets.token_urlsafe(32)
    install_handlers(app)
    if policy.rewrites_responses():
        app.add_middleware(RewriteResponses, policy=policy)
    # Routes are matched in order: the busiest (bookings, the grid) are tried first.
    routers = (appointments.router, availability.router, auth.router, catalog.services, catalog.staff)
    for router in (*routers, customers.router):
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/health", tags=["health"], summary="Health check (no token needed)")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "database": db.dialect, "fault": settings.fault}

    return app


def create_app_from_env() -> FastAPI:
    """Uvicorn factory for worker processes: settings come from REFERENCE_SERVER_* variables."""
    return create_app(Settings(), server_process=True)

"""Weekly availability windows and the availability grid (CONTRACT.md §3, §6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from reference_server.deps import CallerDep, ConfigurerDep, DbDep, PolicyDep
from reference_server.errors import InvalidInput
from reference_server.routers.params import IdFilter, PageNo
from reference_server.schemas.booking import GridResponse
from reference_server.schemas.catalog import AvailabilityCreate, AvailabilityPublic
from reference_server.schemas.common import Day, Page, RefId, errors
from reference_server.services import grid, windows

router = APIRouter(prefix="/availability", tags=["availability"])
MAX_GRID_DAYS = 31


@router.get(
    "/availability-grid",
    response_class=JSONResponse,
    responses={200: {"model": GridResponse}, **errors(401, 404, 422)},
    summary="Check the availability grid",
)
def availability_grid(
    caller: CallerDep,
    db: DbDep,
    policy: PolicyDep,
    outlet_id: Annotated[RefId, Query()],
    service_id: Annotated[RefId, Query()],
    start_date: Annotated[Day, Query()],
    end_date: Annotated[Day | None, Query()] = None,
    num_days: Annotated[int, Query(ge=1, le=MAX_GRID_DAYS)] = 7,
    staff_id: Annotated[RefId | None, Query()] = None,
    slot_interval_minutes: Annotated[int, Query(ge=5, le=240)] = 30,
) -> JSONResponse:
    # The body is built by the policy (fault seam), so it bypasses response-model filtering.
    last = end_date or policy.grid_end_date(start_date, num_days)
    if last < start_date:
        raise InvalidInput(("query", "end_date"), "end_date must not be before start_date")
    if (last - start_date).days >= policy.grid_max_days():
        raise InvalidInput(("query", "end_date"), f"the range may span at most {policy.grid_max_days()} days")
    query = grid.GridQuery(outlet_id, service_id, start_date, last, staff_id, slot_interval_minutes)
    return JSONResponse(grid.build(db=db, policy=policy, tenant_id=caller.tenant_id, q=query))


@router.post(
    "",
    response_model=AvailabilityPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create staff availability",
    responses=errors(401, 403, 404, 409, 422),
)
def create_window(
    body: AvailabilityCreate, caller: ConfigurerDep, db: DbDep, policy: PolicyDep
) -> dict[str, Any]:
    return windows.create(db=db, policy=policy, tenant_id=caller.tenant_id, body=body)


@router.get(
    "", response_model=Page[AvailabilityPublic], summary="List staff availability", responses=errors(401, 422)
)
def list_windows(
    caller: CallerDep,
    db: DbDep,
    staff_id: IdFilter = None,
    page: PageNo = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 100,
) -> dict[str, Any]:
    return windows.list_page(db=db, tenant_id=caller.tenant_id, staff_id=staff_id, page=page, size=size)


@router.delete(
    "/{window_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete an availability window",
    responses=errors(401, 403, 404, 422),
)
def delete_window(window_id: str, caller: ConfigurerDep, db: DbDep) -> None:
    windows.delete(db=db, tenant_id=caller.tenant_id, window_id=window_id)

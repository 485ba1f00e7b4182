"""Customers (CONTRACT.md §3). Any role may manage customers: front-desk staff book for them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from reference_server.deps import CallerDep, DbDep, PolicyDep
from reference_server.routers.params import PageNo, PageSize, SearchText
from reference_server.schemas.catalog import CustomerCreate, CustomerPublic, CustomerUpdate
from reference_server.schemas.common import Page, errors
from reference_server.services import clients

router = APIRouter(prefix="/customers", tags=["customers"])


@router.post(
    "",
    response_model=CustomerPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer",
    responses=errors(401, 409, 422),
)
def create_customer(body: CustomerCreate, caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return clients.create(db=db, tenant_id=caller.tenant_id, body=body)


@router.get(
    "",
    response_model=Page[CustomerPublic],
    summary="List customers (search by name, email or phone)",
    responses=errors(401, 422),
)
def list_customers(
    caller: CallerDep,
    db: DbDep,
    policy: PolicyDep,
    page: PageNo = 1,
    size: PageSize = 20,
    search: SearchText = None,
) -> dict[str, Any]:
    return clients.list_page(
        db=db, policy=policy, tenant_id=caller.tenant_id, page=page, size=size, search=search
    )


@router.get(
    "/{customer_id}", response_model=CustomerPublic, summary="Get a customer", responses=errors(401, 404, 422)
)
def get_customer(customer_id: str, caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return clients.get(db=db, tenant_id=caller.tenant_id, customer_id=customer_id)


@router.put(
    "/{customer_id}",
    response_model=CustomerPublic,
    summary="Update a customer (partial update)",
    responses=errors(401, 404, 409, 422),
)
def update_customer(customer_id: str, body: CustomerUpdate, caller: CallerDep, db: DbDep) -> dict[str, Any]:
    return clients.update(db=db, tenant_id=caller.tenant_id, customer_id=customer_id, body=body)


@router.delete(
    "/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a customer",
    responses=errors(401, 404, 422),
)
def delete_customer(customer_id: str, caller: CallerDep, db: DbDep) -> None:
    clients.delete(db=db, tenant_id=caller.tenant_id, customer_id=customer_id)

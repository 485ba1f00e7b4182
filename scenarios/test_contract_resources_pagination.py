"""Contract rules, rule by rule: pagination of lists (docs/contract.md C1.10).

The tenant may hold foreign customers, so the module creates 25 customers whose last name
carries one search term of its own and reads them through `GET /customers?search=`: every
count below is about those 25 only, on every target.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.expect import expect_equal, expect_status, field
from fixtures.factories import Factory
from fixtures.readback import page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X80 = "Lists take page from 1 and size 1..100 (default 20): size 100 is 200, size 0, 101 and page 0 are 422"
X81 = (
    "total counts every matching item: 25 customers are total 25, pages 3 of 10, "
    "the last page holds 5, page 4 none"
)
CREATED = 25


@dataclass
class Pages:
    ids: list[str]
    by_ten: dict[int, httpx.Response]  # page number -> GET ?search=&size=10&page=n
    default: httpx.Response  # no page, no size
    hundred: httpx.Response  # size=100


class TestPaginationCountsEveryPage:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory) -> Pages:
        """25 customers under one search term, then pages 1-4 of 10, the default page and a page of 100."""
        term = f"pager{secrets.token_hex(4)}"
        ids = []
        with allure.step(f"Create {CREATED} customers named '... {term}'"):
            for n in range(CREATED):
                body = ep.customer_body(
                    first_name=f"Page{n}",
                    last_name=term,
                    email=factory.email(f"pager{n}"),
                    phone=factory.phone(),
                )
                response = api.create_customer(body)
                expect_status(response, 201, why=f"customer {n + 1} of {CREATED}")
                ids.append(str(field(response, "id")))
                factory.created.append(("customer", ids[-1]))
        with allure.step("Read pages 1-4 of size 10, the default page, and one page of 100"):
            by_ten = {n: api.list_customers(search=term, page=n, size=10) for n in (1, 2, 3, 4)}
            default = api.list_customers(search=term)
            hundred = api.list_customers(search=term, size=100)
        return Pages(ids, by_ten, default, hundred)

    @pytest.mark.parametrize(
        ("page", "holds"),
        [pytest.param(n, k, id=f"page-{n}-holds-{k}") for n, k in ((1, 10), (2, 10), (3, 5), (4, 0))],
    )
    @checklist("X-81", X81)
    def test_each_page_of_ten_reports_the_whole_total(self, run: Pages, page: int, holds: int) -> None:
        response = run.by_ten[page]
        expect_status(response, 200)
        got = {key: field(response, key) for key in ("total", "page", "size", "pages")}
        want = {"total": CREATED, "page": page, "size": 10, "pages": 3}
        expect_equal(got, want, what=f"page {page} of size 10 over {CREATED} matches", response=response)
        expect_equal(len(page_items(response)), holds, what=f"items on page {page}", response=response)

    @checklist("X-81", X81)
    def test_the_pages_together_hold_each_match_once(self, run: Pages) -> None:
        seen = [item.get("id") for n in (1, 2, 3) for item in page_items(run.by_ten[n])]
        expect_equal(
            sorted(map(str, seen)), sorted(run.ids), what="ids over pages 1-3", response=run.by_ten[3]
        )

    @checklist("X-80", X80)
    def test_default_page_is_page_1_of_size_20(self, run: Pages) -> None:
        expect_status(run.default, 200)
        got = {key: field(run.default, key) for key in ("total", "page", "size", "pages")}
        expect_equal(
            got, {"total": 25, "page": 1, "size": 20, "pages": 2}, what="default page", response=run.default
        )
        expect_equal(len(page_items(run.default)), 20, what="items on the default page", response=run.default)

    @checklist("X-80", X80)
    def test_size_100_is_accepted(self, run: Pages) -> None:
        expect_status(run.hundred, 200, why="size=100, the largest the contract allows")
        got = {key: field(run.hundred, key) for key in ("total", "size", "pages")}
        expect_equal(
            got, {"total": 25, "size": 100, "pages": 1}, what="one page of 100", response=run.hundred
        )

    @pytest.mark.parametrize("resource", ["service", "staff", "customer"])
    @pytest.mark.parametrize(
        "query",
        [
            pytest.param({"size": 0}, id="size-0"),
            pytest.param({"size": 101}, id="size-101"),
            pytest.param({"page": 0}, id="page-0"),
        ],
    )
    @checklist("X-80", X80)
    def test_out_of_range_paging_is_422(self, api: BookingApi, resource: str, query: dict[str, int]) -> None:
        response = api.send(ep.list_of(resource, **query))
        expect_status(response, 422, why=f"GET {resource} list with {query}")

"""Contract rules, rule by rule: staff and customers (docs/contract.md C3.5, C3.9).

Names carry a search term of this run, so `?search=` finds exactly the customer made here
whatever else the tenant holds; emails are unique per run (fixtures/factories.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import allure
import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.expect import expect_equal, expect_error_detail, expect_status, expect_success, field
from fixtures.factories import Factory
from fixtures.readback import page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X88 = 'A staff response adds id, full_name "First Last" and is_active true; PUT and DELETE answer 2xx'
X91 = "Customers: create 201, GET, PUT and DELETE by id, and ?search= finds one by name and by email"
X92 = "A second customer with the same email is refused with 409"


@dataclass
class StaffRun:
    first: str
    last: str
    created: httpx.Response
    read: httpx.Response
    renamed: httpx.Response  # PUT {"last_name": ...}
    new_last: str
    deleted: httpx.Response


class TestStaffResponses:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, outlet: dict) -> StaffRun:
        """Create, GET, PUT last_name, DELETE one staff member."""
        first, last = "Stafa", f"Member{secrets.token_hex(3)}"
        body = ep.staff_body(
            first_name=first,
            last_name=last,
            email=factory.email("stafa"),
            phone=factory.phone(),
            outlet_id=outlet["id"],
        )
        with allure.step(f"Create staff {first} {last}"):
            created = api.create_staff(body)
            expect_status(created, 201, why="the staff member to judge")
            staff_id = str(field(created, "id"))
            factory.created.append(("staff", staff_id))
        new_last = f"Renamed{secrets.token_hex(3)}"
        with allure.step("GET, PUT last_name, DELETE"):
            read = api.get_staff(staff_id)
            renamed = api.update_staff(staff_id, {"last_name": new_last})
            deleted = api.delete_staff(staff_id)
        return StaffRun(first, last, created, read, renamed, new_last, deleted)

    @pytest.mark.parametrize("which", ["created", "read"])
    @checklist("X-88", X88)
    def test_staff_response_adds_id_full_name_and_is_active(self, run: StaffRun, which: str) -> None:
        response = getattr(run, which)
        expect_status(response, 201 if which == "created" else 200)
        got = {key: field(response, key) for key in ("full_name", "is_active")}
        want = {"full_name": f"{run.first} {run.last}", "is_active": True}
        expect_equal(got, want, what="full_name and is_active", response=response)
        field(response, "id")

    @checklist("X-88", X88)
    def test_put_renames_and_full_name_follows(self, run: StaffRun) -> None:
        expect_status(run.renamed, 200)
        got = {key: field(run.renamed, key) for key in ("first_name", "last_name", "full_name", "email")}
        want = {
            "first_name": run.first,
            "last_name": run.new_last,
            "full_name": f"{run.first} {run.new_last}",
            "email": field(run.created, "email"),
        }
        expect_equal(got, want, what="staff after PUT {last_name}", response=run.renamed)

    @checklist("X-88", X88)
    def test_delete_answers_2xx(self, run: StaffRun) -> None:
        expect_success(run.deleted, why="DELETE /staff/{id}")


@dataclass
class CustomerRun:
    body: dict[str, str]
    created: httpx.Response
    read: httpx.Response
    updated: httpx.Response
    by_name: httpx.Response
    by_email: httpx.Response
    duplicate: httpx.Response
    deleted: httpx.Response


class TestCustomers:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory) -> CustomerRun:
        """Create, GET, PUT phone, search by last name and email, post the email again, DELETE."""
        last = f"Findme{secrets.token_hex(4)}"
        body = ep.customer_body(
            first_name="Cus", last_name=last, email=factory.email(last), phone=factory.phone()
        )
        with allure.step(f"Create customer Cus {last}"):
            created = api.create_customer(body)
            expect_status(created, 201, why="the customer to judge")
            customer_id = str(field(created, "id"))
            factory.created.append(("customer", customer_id))
        with allure.step("GET, PUT phone, search by name and by email"):
            read = api.get_customer(customer_id)
            updated = api.update_customer(customer_id, {"phone": "+6281200000042"})
            by_name = api.list_customers(search=last, size=100)
            by_email = api.list_customers(search=body["email"], size=100)
        with allure.step("Create another customer with the same email"):
            again = ep.customer_body(
                first_name="Other", last_name=last, email=body["email"], phone=factory.phone()
            )
            duplicate = api.create_customer(again)
            if duplicate.status_code in (200, 201):
                factory.created.append(("customer", str(field(duplicate, "id"))))
        with allure.step("DELETE"):
            deleted = api.delete_customer(customer_id)
        return CustomerRun(body, created, read, updated, by_name, by_email, duplicate, deleted)

    @checklist("X-91", X91)
    def test_get_answers_what_was_created(self, run: CustomerRun) -> None:
        expect_status(run.read, 200)
        got = {key: field(run.read, key) for key in run.body}
        expect_equal(got, run.body, what="GET /customers/{id}", response=run.read)

    @checklist("X-91", X91)
    def test_put_changes_the_phone_only(self, run: CustomerRun) -> None:
        expect_status(run.updated, 200)
        got = {key: field(run.updated, key) for key in run.body}
        expect_equal(
            got, run.body | {"phone": "+6281200000042"}, what="customer after PUT", response=run.updated
        )

    @pytest.mark.parametrize("by", ["by_name", "by_email"])
    @checklist("X-91", X91)
    def test_search_finds_the_customer(self, run: CustomerRun, by: str) -> None:
        response = getattr(run, by)
        expect_status(response, 200)
        ids = [item.get("id") for item in page_items(response)]
        expect_equal(
            ids, [field(run.created, "id")], what=f"?search= {by.replace('_', ' ')}", response=response
        )

    @checklist("X-91", X91)
    def test_delete_answers_2xx(self, run: CustomerRun) -> None:
        expect_success(run.deleted, why="DELETE /customers/{id}")

    @checklist("X-92", X92)
    def test_duplicate_email_is_refused_with_409(self, run: CustomerRun) -> None:
        expect_status(run.duplicate, 409, why=f"email {run.body['email']} is taken")
        expect_error_detail(run.duplicate)

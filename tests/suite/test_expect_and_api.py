from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from fixtures import api as api_module
from fixtures.api import BookingApi
from fixtures.exchange import curl_line
from fixtures.expect import (
    SCHEMA_VIOLATION,
    CapacityMismatch,
    ConformanceFailure,
    SchemaViolation,
    UnexpectedStatus,
    expect_detail_mentions_staff,
    expect_not_server_error,
    expect_slot,
    expect_status,
    expect_statuses,
    expect_success,
    field,
    grid_slot,
    grid_slots,
    json_body,
    pick,
)
from fixtures.factories import Factory
from fixtures.readback import active_at, ids_of
from fixtures.reporting import CATEGORIES
from fixtures.schemas import validate_response

DAY = date(2025, 11, 3)
STAFF = {"first_name": "John", "last_name": "Smith", "full_name": "John Smith"}
APPOINTMENT = {
    "id": "a1",
    "status": "confirmed",
    "appointment_date": "2025-11-03",
    "services": [{"service_id": "s", "staff_id": "t", "start_time": "10:00:00", "end_time": "11:00:00"}],
}


def _api(status: int, body: object = None, *, content: bytes | None = None) -> BookingApi:
    def handler(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content)
        return httpx.Response(status, json=body)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://target.test")
    return BookingApi(client, token="secret-token", validate=validate_response)


def _book(api: BookingApi) -> httpx.Response:
    return api.book(
        customer_id="c", outlet_id="o", appointment_date=DAY, service_id="s", staff_id="t", start_time="10:00"
    )


def _grid(slots: list[dict]) -> httpx.Response:
    return httpx.Response(200, json={"availability_grid": {"2025-11-03": slots}})


def test_wrong_status_is_unexpected_status_with_exchange():
    response = _book(_api(201, APPOINTMENT))
    with pytest.raises(UnexpectedStatus) as caught:
        expect_status(response, 409, why="Step 3.6")
    text = str(caught.value)
    assert text.startswith("Unexpected HTTP status: Step 3.6: expected 409 (Conflict), got 201 (Created)")
    assert "POST http://target.test/api/v1/appointments -> 201" in text
    assert "curl -X POST" in text


BAD_APPOINTMENT = {**APPOINTMENT, "services": [{**APPOINTMENT["services"][0], "start_time": "10:00"}]}


def test_bad_schema_is_recorded_at_send_and_raised_by_the_first_check():
    response = _book(_api(201, BAD_APPOINTMENT))  # sending never raises: the act fixture goes on
    assert "$.services[0].start_time" in response.extensions[SCHEMA_VIOLATION]
    with pytest.raises(SchemaViolation) as caught:
        expect_status(response, 201)
    text = str(caught.value)
    # names the path, the value and the schema file, then the exchange (STYLE.md §10)
    assert text.startswith(
        'Response violates schema: appointment.schema.json: $.services[0].start_time = "10:00"'
    )
    assert "POST http://target.test/api/v1/appointments -> 201" in text


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(lambda r: expect_status(r, 201), id="expect_status"),
        pytest.param(lambda r: expect_statuses([r], 201), id="expect_statuses"),
        pytest.param(lambda r: field(r, "id"), id="field"),
        pytest.param(lambda r: json_body(r), id="json_body"),
        pytest.param(lambda r: pick(r, ["status"]), id="pick"),
        pytest.param(lambda r: expect_success(r), id="expect_success"),
        pytest.param(lambda r: expect_not_server_error(r), id="expect_not_server_error"),
        pytest.param(lambda r: ids_of([r]), id="ids_of"),
    ],
)
def test_every_check_that_reads_a_malformed_response_raises_schema_violation(check):
    with pytest.raises(SchemaViolation, match=re.escape("$.services[0].start_time")):
        check(_book(_api(201, BAD_APPOINTMENT)))


def test_grid_and_list_checks_raise_the_recorded_violation():
    bad_grid = _api(200, {"availability_grid": {"2025-11-03": []}})  # no top-level fields, no metadata
    grid = bad_grid.availability_grid(outlet_id="o", service_id="s", start_date=DAY)
    for check in (lambda: grid_slots(grid, DAY), lambda: expect_slot(grid, day=DAY, start="10:00")):
        with pytest.raises(SchemaViolation, match=r"availability_grid\.schema\.json"):
            check()
    listing = _api(200, {"items": [{"id": "a"}]}).list_appointments(date=DAY)
    with pytest.raises(SchemaViolation, match=r"appointment_page\.schema\.json"):
        active_at(listing, "10:00")


def test_violation_is_attached_to_the_request_step(monkeypatch):
    attached: list[str] = []
    monkeypatch.setattr(api_module, "_attach", lambda text, name, kind=None: attached.append(name))
    _book(_api(201, BAD_APPOINTMENT))
    assert attached[-1] == "schema violation"


def test_valid_body_and_unchecked_client_record_nothing():
    assert SCHEMA_VIOLATION not in _book(_api(201, APPOINTMENT)).extensions
    assert SCHEMA_VIOLATION not in _book(_api(201, BAD_APPOINTMENT).unchecked()).extensions


def test_factory_setup_fails_fast_on_a_malformed_resource():
    factory = Factory(_api(201, {"id": "svc"}), outlet={"id": "o"}, run_tag="t", keep_data=True)
    with pytest.raises(SchemaViolation, match=r"service\.schema\.json"):
        factory.service("Yoga", parallel=True, capacity=3)


def test_409_with_non_error_body_is_schema_violation():
    response = _book(_api(409, {"message": "full"}))
    with pytest.raises(SchemaViolation, match=r"error\.schema\.json"):
        expect_status(response, 409)


def test_server_error_is_unexpected_status_not_a_crash():
    response = _book(_api(500, content=b"Internal Server Error"))
    with pytest.raises(UnexpectedStatus, match=r"got 500 \(Internal Server Error\)"):
        expect_status(response, 201)


def test_non_json_2xx_body_is_schema_violation():
    response = _book(_api(201, content=b"<html>ok</html>"))
    with pytest.raises(SchemaViolation, match="not JSON"):
        expect_status(response, 201)


def test_wrong_status_wins_over_a_schema_violation():
    response = _book(_api(201, BAD_APPOINTMENT))
    with pytest.raises(UnexpectedStatus):
        expect_status(response, 409)


def test_statuses_message_lists_every_offender():
    responses = [_book(_api(201, APPOINTMENT)), _book(_api(409, {"detail": "full"}))]
    with pytest.raises(UnexpectedStatus, match=r"1 differ: #2 -> 409 \(Conflict\)"):
        expect_statuses(responses, 201)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"detail": "Staff member is fully booked"}, id="no-name"),
        pytest.param({"detail": ""}, id="empty"),
        pytest.param({"detail": [{"msg": "x"}]}, id="list"),
        pytest.param(["not", "an", "object"], id="array-body"),
    ],
)
def test_detail_without_staff_name_is_conformance_failure(body):
    with pytest.raises(ConformanceFailure):
        expect_detail_mentions_staff(httpx.Response(409, json=body), STAFF)


def test_detail_naming_staff_case_insensitively_passes():
    expect_detail_mentions_staff(
        httpx.Response(409, json={"detail": "JOHN SMITH is fully booked (3/3)"}), STAFF
    )


def test_slot_mismatch_is_capacity_mismatch():
    grid = _grid([{"start_time": "10:00", "staff_id": "t", "available_capacity": 6, "max_capacity": 10}])
    with pytest.raises(CapacityMismatch, match="available_capacity expected 5, got 6"):
        expect_slot(grid, day=DAY, start="10:00", available_capacity=5, max_capacity=10)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(200, json={"availability_grid": {}}), id="missing-date"),
        pytest.param(httpx.Response(200, json=[1, 2]), id="array-body"),
        pytest.param(httpx.Response(200, content=b"oops"), id="not-json"),
        pytest.param(
            httpx.Response(200, json={"availability_grid": {"2025-11-03": "x"}}), id="slots-not-list"
        ),
    ],
)
def test_malformed_grid_is_conformance_failure_never_key_error(response):
    with pytest.raises(ConformanceFailure):
        grid_slot(response, day=DAY, start="10:00")


def test_curl_masks_token_and_password():
    request = httpx.Request(
        "POST",
        "http://t/api/v1/auth/login",
        json={"email": "a@b", "password": "hunter2"},
        headers={"Authorization": "Bearer secret-token"},
    )
    line = curl_line(request)
    assert "secret-token" not in line
    assert "hunter2" not in line
    assert "Bearer ***" in line
    assert '"password": "***"' in line


def test_failure_text_never_shows_the_token():
    response = _book(_api(201, APPOINTMENT))
    with pytest.raises(UnexpectedStatus) as caught:
        expect_status(response, 409)
    assert "secret-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (
            "failed",
            "fixtures.expect.UnexpectedStatus: Unexpected HTTP status: expected 409",
            "Target does not conform",
        ),
        ("failed", "AssertionError: assert 1 == 2", "Target does not conform"),
        ("broken", "httpx.ConnectError: [Errno 111] Connection refused", "Target unreachable"),
        ("broken", "httpx.ReadTimeout: timed out", "Target unreachable"),
        ("broken", "KeyError: 'id'", "Suite error"),
        (
            "skipped",
            "XFAIL known failure S3-5 (listed in baseline.json)\n\nUnexpectedStatus: x",
            "Known failure",
        ),
    ],
)
def test_categories_are_mutually_exclusive(status, message, expected):
    def matches(category: dict, search: bool) -> bool:
        if status not in category["matchedStatuses"]:
            return False
        pattern = category["messageRegex"]
        # Allure 2 full-matches (Java matches(), DOTALL); Allure 3 searches.
        return bool(re.search(pattern, message) if search else re.fullmatch(pattern, message, re.DOTALL))

    for search in (False, True):
        assert [c["name"] for c in CATEGORIES if matches(c, search)] == [expected]

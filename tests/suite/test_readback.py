"""fixtures/readback.py and the shared error-body checks: values, or ConformanceFailure naming the path."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.expect import (
    ConformanceFailure,
    UnexpectedStatus,
    expect_error_detail,
    expect_success,
    expect_validation_errors,
)
from fixtures.readback import active_at, all_appointments, confirmed_ids, ids_of, page_items

DAY = date(2025, 11, 3)


def _appointment(id_: str, status: str, start: str = "10:00:00") -> dict:
    return {"id": id_, "status": status, "services": [{"start_time": start}]}


def _page(items: list, *, page: int = 1, pages: int = 1) -> httpx.Response:
    return httpx.Response(
        200, json={"items": items, "total": len(items), "page": page, "size": 100, "pages": pages}
    )


LISTING = _page(
    [
        _appointment("a", "confirmed"),
        _appointment("b", "cancelled"),
        _appointment("c", "no_show"),
        _appointment("d", "in_progress"),
        _appointment("e", "confirmed", "14:00:00"),
    ]
)


def test_active_at_counts_every_status_but_cancelled_and_no_show():
    assert active_at(LISTING, "10:00") == 2
    assert active_at(LISTING, "14:00") == 1


def test_confirmed_ids_filter_by_first_service_start_when_given():
    assert confirmed_ids(LISTING) == ["a", "e"]
    assert confirmed_ids(LISTING, start="10:00") == ["a"]
    assert confirmed_ids([LISTING, _page([_appointment("f", "confirmed")])], start="10:00") == ["a", "f"]


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        pytest.param(
            {"id": "x", "services": [{"start_time": "10:00:00"}]}, "$['items'][0]['status']", id="no-status"
        ),
        pytest.param({"id": "x", "status": "confirmed"}, "$['items'][0]['services']", id="no-services"),
        pytest.param(
            {"id": "x", "status": "confirmed", "services": []}, "$['items'][0]['services'][0]", id="empty"
        ),
        pytest.param(
            {"id": "x", "status": "confirmed", "services": [{}]},
            "$['items'][0]['services'][0]['start_time']",
            id="no-start_time",
        ),
        pytest.param(
            {"id": "x", "status": "confirmed", "services": [{"start_time": 1000}]},
            "$['items'][0]['services'][0]['start_time']",
            id="start_time-a-number",
        ),
        pytest.param(
            {"id": "x", "status": ["confirmed"], "services": []}, "$['items'][0]['status']", id="status-list"
        ),
    ],
)
def test_malformed_entry_is_conformance_failure_naming_the_path(entry, path):
    for read in (lambda r: active_at(r, "10:00"), lambda r: confirmed_ids(r, start="10:00")):
        with pytest.raises(ConformanceFailure, match=re.escape(path)):
            read(_page([entry]))


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(200, json={"items": "none"}), id="items-a-string"),
        pytest.param(httpx.Response(200, json={"total": 0}), id="no-items"),
        pytest.param(httpx.Response(200, json=[1, 2]), id="array-of-numbers"),
        pytest.param(httpx.Response(200, content=b"<html>"), id="not-json"),
    ],
)
def test_malformed_page_is_conformance_failure(response):
    with pytest.raises(ConformanceFailure):
        page_items(response)


def test_page_items_accepts_a_bare_array():
    assert page_items(httpx.Response(200, json=[{"id": "w"}])) == [{"id": "w"}]


def test_ids_of_names_the_body_without_an_id():
    assert ids_of([httpx.Response(201, json={"id": "a"})]) == ["a"]
    with pytest.raises(ConformanceFailure, match=re.escape("$['id']")):
        ids_of([httpx.Response(201, json={"name": "x"})])


def _paged_api(pages: int) -> tuple[BookingApi, list[int]]:
    asked: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        asked.append(page)
        return _page([_appointment(f"p{page}", "confirmed")], page=page, pages=pages)

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://target.test")
    return BookingApi(client, token="t", validate=None), asked


def test_all_appointments_reads_every_page_and_stops():
    api, asked = _paged_api(3)
    pages = all_appointments(api, day=DAY, staff_id="s", service_id="v")
    assert asked == [1, 2, 3]
    assert confirmed_ids(pages) == ["p1", "p2", "p3"]


def test_all_appointments_is_bounded():
    api, asked = _paged_api(50)
    with pytest.raises(ConformanceFailure, match="GET /appointments: still has pages after 4 of 100"):
        all_appointments(api, day=DAY, staff_id="s", service_id="v", max_pages=4)
    assert asked == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "body",
    [{"detail": ""}, {"detail": ["x"]}, {"message": "full"}, ["detail"]],
    ids=["empty", "list", "no-detail", "array"],
)
def test_error_without_a_detail_sentence_is_conformance_failure(body):
    with pytest.raises(ConformanceFailure, match=re.escape('expected {"detail": "<sentence>"}')):
        expect_error_detail(httpx.Response(409, json=body))


def test_error_detail_sentence_is_returned():
    assert (
        expect_error_detail(httpx.Response(404, json={"detail": "Service not found"})) == "Service not found"
    )


def test_validation_errors_need_loc_msg_type():
    expect_validation_errors(
        httpx.Response(422, json={"detail": [{"loc": ["body"], "msg": "x", "type": "t"}]})
    )
    for detail in ([], [{"msg": "x"}], "bad"):
        with pytest.raises(ConformanceFailure):
            expect_validation_errors(httpx.Response(422, json={"detail": detail}))


def test_success_is_any_2xx():
    for status in (200, 202, 204):
        expect_success(httpx.Response(status))
    with pytest.raises(UnexpectedStatus, match=r"expected a 2xx, got 409 \(Conflict\)"):
        expect_success(httpx.Response(409, json={"detail": "no"}))

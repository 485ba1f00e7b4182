import json

import pytest

GOOD_ID = "0123456789abcdef01234567"
HUGE = "x" * 200_000
BAD_IDS = ["x", "0" * 23, "g" * 24, "A" * 24, HUGE[:5000], "%00", "null", "-1", "ü" * 24, "..%2F..%2Fetc"]


def _booking(**changes):
    item = {"service_id": GOOD_ID, "staff_id": GOOD_ID, "start_time": "10:00"}
    body = {
        "customer_id": GOOD_ID,
        "outlet_id": GOOD_ID,
        "appointment_date": "2030-01-07",
        "services": [item],
    }
    for key, value in changes.items():
        if key.startswith("item_"):
            item[key[5:]] = value
        else:
            body[key] = value
    return body


RAW_BODIES = [
    b"{",
    b"[]",
    b"null",
    b"123",
    b'"text"',
    b"\xff\xfe\x00",
    b"",
    b"[" * 5000 + b"]" * 5000,
    b'{"name": "\\ud800", "duration_minutes": 60}',
    b'{"name": "a\\u0000b", "duration_minutes": 60}',
    b'{"name": "n", "duration_minutes": 60, "pricing": {"base_price": 1e400, "currency": "IDR"}}',
    b'{"name": "n", "duration_minutes": NaN}',
    b'{"name": "n", "duration_minutes": Infinity}',
]
JSON_CASES = [
    ("/services", {"name": HUGE, "duration_minutes": 60}),
    ("/services", {"name": "n", "duration_minutes": 10**30}),
    ("/services", {"name": "n", "duration_minutes": "sixty"}),
    ("/services", {"name": ["n"], "duration_minutes": 60.5}),
    ("/services", {"name": "n", "duration_minutes": 60, "pricing": "free", "outlet_id": "zzz"}),
    ("/services", {"name": "n", "duration_minutes": 60, "slug": "Not A Slug!"}),
    ("/services", {"name": "n", "duration_minutes": 60, "outlet_id": HUGE}),
    ("/staff", {"first_name": "a", "last_name": "b", "hire_date": "2024-02-30"}),
    ("/staff", {"first_name": "a", "last_name": "b", "service_ids": "all"}),
    ("/staff", {"first_name": "a", "last_name": "b", "outlet_id": "\u0000"}),
    ("/customers", {"first_name": "a", "last_name": "b", "email": "a@b.c" + HUGE}),
    (
        "/availability",
        {"staff_id": GOOD_ID, "day_of_week": "funday", "start_time": "09:00", "end_time": "10:00"},
    ),
    (
        "/availability",
        {"staff_id": GOOD_ID, "day_of_week": "monday", "start_time": "25:00", "end_time": "26:00"},
    ),
    (
        "/availability",
        {"staff_id": GOOD_ID, "day_of_week": "monday", "start_time": "10:5", "end_time": "11:00"},
    ),
    ("/availability", {"staff_id": GOOD_ID, "day_of_week": "monday", "start_time": 9, "end_time": None}),
    (
        "/availability",
        {"staff_id": "bad", "day_of_week": "monday", "start_time": "09:00", "end_time": "10:00"},
    ),
    ("/appointments", _booking(appointment_date="2026-02-30")),
    ("/appointments", _booking(appointment_date="0001-01-01")),
    ("/appointments", _booking(appointment_date="9999-12-31")),
    ("/appointments", _booking(appointment_date=20260101)),
    ("/appointments", _booking(item_start_time="25:00")),
    ("/appointments", _booking(item_start_time="10:5")),
    ("/appointments", _booking(item_start_time=None)),
    ("/appointments", _booking(item_duration_minutes=-5)),
    ("/appointments", _booking(item_unknown="field")),
    ("/appointments", _booking(services=[])),
    ("/appointments", _booking(services=[{}] * 50)),
    ("/appointments", _booking(services="all")),
    ("/appointments", _booking(customer_id="bad", outlet_id=None)),
    ("/appointments", _booking(notes=HUGE)),
]


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
@pytest.mark.parametrize("path", ["/services", "/staff", "/customers", "/availability", "/appointments"])
def test_bad_bodies_are_4xx(admin, path, raw):
    response = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text[:300]


@pytest.mark.parametrize(("path", "body"), JSON_CASES, ids=range(len(JSON_CASES)))
def test_bad_fields_are_4xx(admin, path, body):
    response = admin.post(path, json=body)
    assert 400 <= response.status_code < 500, response.text[:300]
    if response.status_code == 422:
        assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=range(len(BAD_IDS)))
def test_malformed_ids_are_404_or_422(admin, bad_id):
    calls = [
        ("GET", f"/services/{bad_id}"),
        ("PUT", f"/services/{bad_id}"),
        ("DELETE", f"/staff/{bad_id}"),
        ("GET", f"/customers/{bad_id}"),
        ("DELETE", f"/availability/{bad_id}"),
        ("GET", f"/appointments/{bad_id}"),
        ("PUT", f"/appointments/{bad_id}/cancel"),
        ("PATCH", f"/appointments/{bad_id}/status"),
        ("PUT", f"/appointments/{bad_id}/reschedule"),
    ]
    bodies = {"PUT": {"new_date": "2030-01-07", "new_time": "10:00"}, "PATCH": {"status": "cancelled"}}
    for method, path in calls:
        response = admin.request(method, path, json=bodies.get(method, {}) if method != "GET" else None)
        assert response.status_code in (404, 405, 422), (method, path, response.status_code)


QUERIES = [
    ("/services", {"page": 0}),
    ("/services", {"page": "abc"}),
    ("/services", {"page": 10**20}),
    ("/services", {"size": -1}),
    ("/services", {"outlet_id": "\x00"}),
    ("/customers", {"search": "\x00"}),
    ("/customers", {"search": "%_\\'\""}),
    ("/customers", {"search": HUGE[:5000]}),
    ("/appointments", {"date": "yesterday"}),
    ("/appointments", {"staff_id": "bad"}),
    ("/availability", {"staff_id": HUGE[:3000]}),
    ("/availability/availability-grid", {}),
    ("/availability/availability-grid", {"outlet_id": "x", "service_id": "y", "start_date": "2030-01-01"}),
    (
        "/availability/availability-grid",
        {"outlet_id": GOOD_ID, "service_id": GOOD_ID, "start_date": "9999-12-31"},
    ),
    (
        "/availability/availability-grid",
        {
            "outlet_id": GOOD_ID,
            "service_id": GOOD_ID,
            "start_date": "2030-01-01",
            "num_days": 10**10,
            "slot_interval_minutes": "x",
        },
    ),
]


@pytest.mark.parametrize(("path", "params"), QUERIES, ids=range(len(QUERIES)))
def test_bad_queries_are_4xx_or_empty(admin, path, params):
    response = admin.get(path, params=params)
    assert response.status_code < 500, response.text[:300]


def test_wrong_content_type_and_methods(admin):
    body = json.dumps({"name": "x", "duration_minutes": 60})
    assert admin.post("/services", content=body, headers={"Content-Type": "text/plain"}).status_code < 500
    assert admin.request("PATCH", "/services").status_code == 405
    assert admin.get("/no/such/path").status_code == 404


def test_reschedule_past_midnight_is_refused_cleanly(admin, monday):
    first, second, staff = admin.service(), admin.service(), admin.staff()
    admin.window(staff["id"], "monday", "00:00", "23:59")
    body = admin.booking_body(
        monday, (first["id"], staff["id"], "10:00"), (second["id"], staff["id"], "11:00")
    )
    created = admin.created("/appointments", body)
    late = admin.put(
        f"/appointments/{created['id']}/reschedule",
        json={"new_date": monday.isoformat(), "new_time": "23:30"},
    )
    assert late.status_code == 409


@pytest.mark.parametrize("path", ["/services", "/customers", "/auth/login"])
def test_undecodable_body_is_422_with_the_list(admin, path):
    """Bytes that are not UTF-8 JSON are malformed input (C1.7): 422 with FastAPI's list, not 400."""
    response = admin.post(path, content=b"\xff\xfe\x9c", headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["body"]

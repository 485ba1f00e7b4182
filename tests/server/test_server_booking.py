from datetime import timedelta

import pytest
from server_api import next_weekday


@pytest.fixture
def yoga(admin):
    """A capacity-3 service and an instructor working mondays 10:00-12:00 and 14:00-16:00."""
    service, staff = admin.service(capacity=3), admin.staff()
    admin.window(staff["id"], "monday", "10:00", "12:00")
    admin.window(staff["id"], "monday", "14:00", "16:00")
    return service, staff


def test_booking_response_shape(admin, yoga, monday):
    service, staff = yoga
    customer = admin.customer()
    response = admin.book(service["id"], staff["id"], monday, "10:00", customer["id"], notes="first")
    body = response.json()
    assert response.status_code == 201 and body["status"] == "confirmed" and len(body["id"]) == 24
    assert body["appointment_date"] == monday.isoformat() and body["outlet_id"] == admin.outlet_id
    assert body["customer"] == {"id": customer["id"], "name": f"Cust {customer['last_name']}"}
    assert body["customer_id"] == customer["id"] and body["created_at"].endswith("Z")
    assert body["services"] == [
        {
            "service_id": service["id"],
            "service_name": service["name"],
            "staff_id": staff["id"],
            "staff_name": "Emma Martinez",
            "start_time": "10:00:00",
            "end_time": "11:00:00",
            "duration_minutes": 60,
        }
    ]
    assert admin.get(f"/appointments/{body['id']}").json() == body


def test_capacity_is_enforced_and_the_grid_follows(admin, yoga, monday):
    service, staff = yoga
    assert [admin.book(service["id"], staff["id"], monday, "10:00").status_code for _ in range(4)] == [
        201
    ] * 3 + [409]
    detail = admin.book(service["id"], staff["id"], monday, "10:00").json()["detail"]
    assert detail == (
        f"Staff member Emma Martinez is fully booked for {service['name']} at 10:00 on "
        f"{monday.isoformat()} (3/3 booked)"
    )
    slot = admin.slot(service["id"], staff["id"], monday, "10:00")
    assert slot == {
        "start_time": "10:00",
        "end_time": "11:00",
        "staff_id": staff["id"],
        "is_available": False,
        "allows_parallel_bookings": True,
        "available_capacity": 0,
        "max_capacity": 3,
    }


def test_single_booking_service_takes_one(admin, monday):
    service, staff = admin.service(), admin.staff("John", "Smith")
    admin.window(staff["id"])
    assert admin.book(service["id"], staff["id"], monday, "10:00").status_code == 201
    second = admin.book(service["id"], staff["id"], monday, "10:00")
    assert second.status_code == 409 and "John Smith" in second.json()["detail"]
    assert admin.book(service["id"], staff["id"], monday, "14:00").status_code == 201
    assert admin.slot(service["id"], staff["id"], monday, "10:00")["max_capacity"] == 1


def test_grid_shape_and_window_rules(admin, yoga, monday):
    service, staff = yoga
    grid = admin.grid(service["id"], staff["id"], monday, end_date=(monday + timedelta(days=1)).isoformat())
    assert list(grid) == [
        "start_date",
        "end_date",
        "num_days",
        "slot_interval_minutes",
        "availability_grid",
        "metadata",
    ]
    assert grid["num_days"] == 2 and grid["slot_interval_minutes"] == 30
    slots = grid["availability_grid"][monday.isoformat()]
    assert [s["start_time"] for s in slots] == ["10:00", "10:30", "11:00", "14:00", "14:30", "15:00"]
    assert grid["availability_grid"][(monday + timedelta(days=1)).isoformat()] == []
    assert grid["metadata"] == {
        "service_id": service["id"],
        "service_name": service["name"],
        "outlet_id": admin.outlet_id,
        "outlet_name": "Downtown Branch",
        "staff_id": staff["id"],
        "total_available_slots": 6,
        "service_duration_minutes": 60,
    }


def test_grid_defaults_and_limits(admin, yoga, monday):
    service, _ = yoga
    query = {"outlet_id": admin.outlet_id, "service_id": service["id"], "start_date": monday.isoformat()}
    body = admin.get("/availability/availability-grid", params=query).json()
    assert (
        body["num_days"] == 7 and len(body["availability_grid"]) == 7 and body["metadata"]["staff_id"] is None
    )
    for bad in [
        {"end_date": (monday - timedelta(days=1)).isoformat()},
        {"num_days": 32},
        {"end_date": (monday + timedelta(days=31)).isoformat()},
        {"slot_interval_minutes": 4},
    ]:
        assert admin.get("/availability/availability-grid", params={**query, **bad}).status_code == 422, bad


def test_off_grid_booked_start_is_listed(admin, monday):
    service, staff = admin.service(capacity=4), admin.staff()
    admin.window(staff["id"], "monday", "10:00", "12:00")
    assert admin.book(service["id"], staff["id"], monday, "10:15").status_code == 201
    slots = admin.grid(service["id"], staff["id"], monday)["availability_grid"][monday.isoformat()]
    assert {s["start_time"]: s["available_capacity"] for s in slots} == {
        "10:00": 0,
        "10:15": 3,
        "10:30": 0,
        "11:00": 0,
    }


def test_other_service_overlapping_blocks_the_staff_member(admin, monday):
    yoga, training, staff = admin.service(capacity=10), admin.service(), admin.staff("Sarah", "Wilson")
    admin.window(staff["id"])
    assert admin.book(yoga["id"], staff["id"], monday, "10:00").status_code == 201
    clash = admin.book(training["id"], staff["id"], monday, "10:30")
    assert clash.status_code == 409 and "Sarah Wilson is not available" in clash.json()["detail"]
    assert admin.book(training["id"], staff["id"], monday, "11:00").status_code == 201
    assert admin.slot(training["id"], staff["id"], monday, "10:30")["available_capacity"] == 0


def test_cleanup_time_is_part_of_the_blocked_interval(admin, monday):
    padded, other, staff = admin.service(cleanup_minutes=15), admin.service(), admin.staff()
    admin.window(staff["id"])
    assert admin.book(padded["id"], staff["id"], monday, "10:00").status_code == 201
    assert admin.book(other["id"], staff["id"], monday, "11:00").status_code == 409
    assert admin.book(other["id"], staff["id"], monday, "11:15").status_code == 201


def test_outside_the_window_is_not_available(admin, yoga, monday):
    service, staff = yoga
    for start in ["09:00", "11:30", "12:00"]:
        response = admin.book(service["id"], staff["id"], monday, start)
        assert response.status_code == 409 and "not available" in response.json()["detail"]
    assert admin.book(service["id"], staff["id"], monday + timedelta(days=1), "10:00").status_code == 409


def test_capacity_is_per_date(admin, monday):
    service, staff = admin.service(capacity=2), admin.staff()
    admin.window(staff["id"], "monday")
    admin.window(staff["id"], "tuesday")
    for _ in range(2):
        admin.book(service["id"], staff["id"], monday, "10:00")
    assert admin.book(service["id"], staff["id"], monday, "10:00").status_code == 409
    assert admin.book(service["id"], staff["id"], monday + timedelta(days=1), "10:00").status_code == 201
    assert admin.book(service["id"], staff["id"], monday + timedelta(days=7), "10:00").status_code == 201


def test_lowered_capacity_grandfathers_existing_bookings(admin, monday):
    service, staff = admin.service(capacity=10), admin.staff()
    admin.window(staff["id"])
    ids = [admin.book(service["id"], staff["id"], monday, "10:00").json()["id"] for _ in range(8)]
    assert admin.put(f"/services/{service['id']}", json={"max_parallel_bookings": 5}).status_code == 200
    assert all(admin.get(f"/appointments/{i}").json()["status"] == "confirmed" for i in ids)
    assert admin.book(service["id"], staff["id"], monday, "10:00").status_code == 409
    assert admin.slot(service["id"], staff["id"], monday, "10:00")["available_capacity"] == 0
    for appointment_id in ids[:4]:
        admin.put(f"/appointments/{appointment_id}/cancel", json={})
    assert admin.book(service["id"], staff["id"], monday, "10:00").status_code == 201


def test_same_customer_twice_in_a_session_is_409(admin, yoga, monday):
    service, staff = yoga
    customer = admin.customer()["id"]
    assert admin.book(service["id"], staff["id"], monday, "10:00", customer).status_code == 201
    again = admin.book(service["id"], staff["id"], monday, "10:00", customer)
    assert again.status_code == 409 and "Emma Martinez" in again.json()["detail"]


def test_booking_window_and_inactive_service_are_400(admin, monday):
    service, staff = (
        admin.service(min_advance_booking_hours=24 * 30, max_advance_booking_days=90),
        admin.staff(),
    )
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        admin.window(staff["id"], day, "00:00", "23:30")
    assert admin.book(service["id"], staff["id"], monday - timedelta(days=14), "10:00").status_code == 400
    assert admin.book(service["id"], staff["id"], monday, "10:00").status_code == 400
    assert admin.book(service["id"], staff["id"], monday + timedelta(days=98), "10:00").status_code == 400
    assert admin.book(service["id"], staff["id"], next_weekday(0, weeks_ahead=6), "10:00").status_code == 201
    admin.delete(f"/services/{service['id']}")
    inactive = admin.book(service["id"], staff["id"], next_weekday(0, weeks_ahead=6), "11:00")
    assert inactive.status_code == 400 and "not active" in inactive.json()["detail"]


def test_differing_duration_is_422(admin, yoga, monday):
    service, staff = yoga
    body = {
        "customer_id": admin.customer()["id"],
        "outlet_id": admin.outlet_id,
        "appointment_date": monday.isoformat(),
        "services": [
            {
                "service_id": service["id"],
                "staff_id": staff["id"],
                "start_time": "10:00",
                "duration_minutes": 45,
            }
        ],
    }
    response = admin.post("/appointments", json=body)
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    body["services"][0]["duration_minutes"] = 60
    assert admin.post("/appointments", json=body).status_code == 201


def test_several_items_are_checked_together(admin, monday):
    first, second, staff = admin.service(), admin.service(duration=30), admin.staff()
    admin.window(staff["id"])
    body = admin.booking_body(
        monday, (first["id"], staff["id"], "10:00"), (second["id"], staff["id"], "10:30")
    )
    assert admin.post("/appointments", json=body).status_code == 409
    body["services"][1]["start_time"] = "11:00"
    created = admin.post("/appointments", json=body).json()
    assert [(s["start_time"], s["end_time"]) for s in created["services"]] == [
        ("10:00:00", "11:00:00"),
        ("11:00:00", "11:30:00"),
    ]


def test_unknown_references_are_404(admin, yoga, monday):
    service, staff = yoga
    assert admin.book("f" * 24, staff["id"], monday, "10:00").status_code == 404
    assert admin.book(service["id"], "not-an-id", monday, "10:00").status_code == 404
    assert admin.book(service["id"], staff["id"], monday, "10:00", customer_id="0" * 24).status_code == 404
    assert admin.get("/appointments/" + "a" * 24).status_code == 404

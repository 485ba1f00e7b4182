from datetime import timedelta

import pytest


@pytest.fixture
def wine(admin):
    """Capacity-4 service; staff works mondays and tuesdays 09:00-23:00."""
    service, staff = admin.service(capacity=4), admin.staff("Wine", "Host")
    admin.window(staff["id"], "monday", "09:00", "23:00")
    admin.window(staff["id"], "tuesday", "09:00", "23:00")
    return service, staff


def fill(admin, service, staff, day, start, count):
    return [admin.book(service["id"], staff["id"], day, start).json()["id"] for _ in range(count)]


def test_reschedule_moves_capacity(admin, wine, monday):
    service, staff = wine
    moving = fill(admin, service, staff, monday, "15:00", 3)[0]
    fill(admin, service, staff, monday, "18:00", 2)
    fill(admin, service, staff, monday, "21:00", 4)
    moved = admin.put(
        f"/appointments/{moving}/reschedule", json={"new_date": monday.isoformat(), "new_time": "18:00"}
    )
    body = moved.json()
    assert moved.status_code == 200 and body["id"] == moving and body["status"] == "confirmed"
    assert (body["services"][0]["start_time"], body["services"][0]["end_time"]) == ("18:00:00", "19:00:00")
    assert admin.slot(service["id"], staff["id"], monday, "15:00")["available_capacity"] == 2
    assert admin.slot(service["id"], staff["id"], monday, "18:00")["available_capacity"] == 1
    full = admin.put(
        f"/appointments/{moving}/reschedule", json={"new_date": monday.isoformat(), "new_time": "21:00"}
    )
    assert full.status_code == 409 and "Wine Host" in full.json()["detail"]
    assert admin.get(f"/appointments/{moving}").json()["services"][0]["start_time"] == "18:00:00"


def test_reschedule_excludes_itself(admin, wine, monday):
    service, staff = wine
    ids = fill(admin, service, staff, monday, "10:00", 4)
    same = admin.put(
        f"/appointments/{ids[0]}/reschedule", json={"new_date": monday.isoformat(), "new_time": "10:00"}
    )
    assert same.status_code == 200
    single, person = admin.service(), admin.staff()
    admin.window(person["id"])
    alone = admin.book(single["id"], person["id"], monday, "10:00").json()["id"]
    shifted = admin.put(
        f"/appointments/{alone}/reschedule", json={"new_date": monday.isoformat(), "new_time": "10:30"}
    )
    assert shifted.status_code == 200


def test_reschedule_to_another_day_and_staff(admin, wine, monday):
    service, staff = wine
    appointment = fill(admin, service, staff, monday, "10:00", 1)[0]
    other = admin.staff("Other", "Host")
    admin.window(other["id"], "tuesday")
    body = {
        "new_date": (monday + timedelta(days=1)).isoformat(),
        "new_time": "11:00",
        "new_staff_id": other["id"],
        "reason": "customer asked",
    }
    moved = admin.put(f"/appointments/{appointment}/reschedule", json=body).json()
    assert (
        moved["appointment_date"] == body["new_date"] and moved["services"][0]["staff_name"] == "Other Host"
    )


def test_reschedule_keeps_item_offsets(admin, monday):
    first, second, staff = admin.service(), admin.service(duration=30), admin.staff()
    admin.window(staff["id"])
    body = admin.booking_body(
        monday, (first["id"], staff["id"], "10:00"), (second["id"], staff["id"], "11:00")
    )
    created = admin.created("/appointments", body)
    moved = admin.put(
        f"/appointments/{created['id']}/reschedule",
        json={"new_date": monday.isoformat(), "new_time": "13:00"},
    ).json()
    assert [s["start_time"] for s in moved["services"]] == ["13:00:00", "14:00:00"]


def test_cancel_frees_capacity_and_cannot_repeat(admin, wine, monday):
    service, staff = wine
    ids = fill(admin, service, staff, monday, "14:00", 4)
    cancelled = admin.put(f"/appointments/{ids[0]}/cancel", json={"cancellation_reason": "ill"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "ill"
    assert admin.slot(service["id"], staff["id"], monday, "14:00")["available_capacity"] == 1
    assert admin.put(f"/appointments/{ids[0]}/cancel").status_code == 409
    again = admin.put(
        f"/appointments/{ids[0]}/reschedule", json={"new_date": monday.isoformat(), "new_time": "16:00"}
    )
    assert again.status_code == 409
    assert (
        admin.patch(f"/appointments/{ids[1]}/status", json={"status": "no_show"}).json()["status"]
        == "no_show"
    )
    assert admin.slot(service["id"], staff["id"], monday, "14:00")["available_capacity"] == 2


def test_status_transitions(admin, wine, monday):
    service, staff = wine
    appointment = fill(admin, service, staff, monday, "12:00", 1)[0]
    path = f"/appointments/{appointment}/status"
    assert admin.patch(path, json={"status": "completed"}).status_code == 409
    assert admin.patch(path, json={"status": "in_progress"}).json()["status"] == "in_progress"
    assert admin.patch(path, json={"status": "cancelled"}).status_code == 409
    assert admin.patch(path, json={"status": "completed"}).json()["status"] == "completed"
    assert admin.patch(path, json={"status": "bogus"}).status_code == 422
    assert admin.get(f"/appointments/{appointment}").json()["status"] == "completed"


def test_list_filters_and_pagination(admin, wine, monday):
    service, staff = wine
    ids = fill(admin, service, staff, monday, "20:00", 3)
    admin.put(f"/appointments/{ids[0]}/cancel", json={})
    query = {"date": monday.isoformat(), "staff_id": staff["id"]}
    everything = admin.get("/appointments", params=query).json()
    assert {a["id"] for a in everything["items"]} >= set(ids)
    listed = admin.get(
        "/appointments",
        params={**query, "service_id": service["id"], "status": "confirmed", "size": 1, "page": 2},
    ).json()
    assert (listed["total"], listed["size"], listed["page"], listed["pages"], len(listed["items"])) == (
        2,
        1,
        2,
        2,
        1,
    )
    assert admin.get("/appointments", params={"status": "nonsense"}).status_code == 422
    assert admin.get("/appointments", params={"date": "2026-13-01"}).status_code == 422


def test_other_tenant_cannot_touch_appointments(admin, other, wine, monday):
    service, staff = wine
    appointment = fill(admin, service, staff, monday, "22:00", 1)[0]
    assert other.get(f"/appointments/{appointment}").status_code == 404
    assert other.put(f"/appointments/{appointment}/cancel", json={}).status_code == 404
    other_customer = other.customer()["id"]
    body = {
        "customer_id": other_customer,
        "outlet_id": other.outlet_id,
        "appointment_date": monday.isoformat(),
        "services": [{"service_id": service["id"], "staff_id": staff["id"], "start_time": "10:00"}],
    }
    assert other.post("/appointments", json=body).status_code == 404


def test_staff_role_may_book(staff_role, admin, wine, monday):
    service, staff = wine
    staff_role.outlet_id = admin.outlet_id
    assert staff_role.book(service["id"], staff["id"], monday, "09:00").status_code == 201

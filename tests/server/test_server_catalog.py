import httpx
from server_api import unique


def test_health_needs_no_token(server):
    body = httpx.get(f"{server.url}/health").json()
    assert body == {"status": "ok", "version": body["version"], "database": "sqlite", "fault": None}


def test_openapi_and_docs_are_served(server):
    assert httpx.get(f"{server.url}/api/v1/openapi.json").status_code == 200
    assert httpx.get(f"{server.url}/docs").status_code == 200


def test_login_returns_a_bearer_token_and_the_user(server):
    response = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": "admin@example.com", "password": "admin12345"}
    )
    body = response.json()
    assert response.status_code == 200 and body["token_type"] == "bearer" and body["expires_in"] > 0
    assert body["user"]["email"] == "admin@example.com" and body["user"]["role"] == "tenant_admin"


def test_wrong_credentials_are_401(server):
    for email, password in [("admin@example.com", "nope"), ("ghost@example.com", "admin12345")]:
        response = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401 and isinstance(response.json()["detail"], str)


def test_tenants_me_lists_outlets(admin):
    body = admin.get("/tenants/me").json()
    assert body["name"] == "Beauty Studio" and body["outlets"][0]["name"] == "Downtown Branch"


def test_every_endpoint_needs_a_token(anonymous):
    for method, path in [
        ("GET", "/tenants/me"),
        ("GET", "/services"),
        ("POST", "/services"),
        ("GET", "/appointments"),
        ("GET", "/availability/availability-grid"),
    ]:
        assert anonymous.request(method, path).status_code == 401


def test_service_echoes_every_field(admin):
    body = {
        "name": unique("Haircut"),
        "slug": unique("haircut"),
        "description": "d",
        "category": "Hair",
        "duration_minutes": 45,
        "preparation_minutes": 5,
        "cleanup_minutes": 10,
        "pricing": {"base_price": 75000, "currency": "IDR"},
        "allow_parallel_bookings": True,
        "max_parallel_bookings": 4,
        "min_advance_booking_hours": 2,
        "max_advance_booking_days": 30,
        "outlet_id": admin.outlet_id,
        "is_active": True,
    }
    created = admin.created("/services", body)
    assert {k: created[k] for k in body} == body
    assert len(created["id"]) == 24 and created["created_at"].endswith("Z") and created["updated_at"]
    assert admin.get(f"/services/{created['id']}").json() == created


def test_service_slug_is_made_from_the_name_and_unique(admin):
    name = unique("Group Yoga")
    first = admin.service(name=name)
    assert first["slug"] == name.lower().replace(" ", "-")
    clash = admin.post("/services", json={"name": name, "duration_minutes": 30})
    assert clash.status_code == 409 and "slug" in clash.json()["detail"]


def test_service_defaults(admin):
    created = admin.created("/services", {"name": unique("Plain"), "duration_minutes": 30})
    assert created["allow_parallel_bookings"] is False and created["max_parallel_bookings"] == 1
    assert (
        created["cleanup_minutes"] == 0 and created["max_advance_booking_days"] == 60 and created["is_active"]
    )


def test_service_partial_update_and_soft_delete(admin):
    service = admin.service(capacity=5)
    updated = admin.put(f"/services/{service['id']}", json={"max_parallel_bookings": 3}).json()
    assert updated["max_parallel_bookings"] == 3 and updated["name"] == service["name"]
    assert admin.put(f"/services/{service['id']}", json={"name": None}).status_code == 422
    deleted = admin.delete(f"/services/{service['id']}")
    assert deleted.status_code == 200 and deleted.json()["is_active"] is False
    assert admin.get(f"/services/{service['id']}").json()["is_active"] is False


def test_service_validation_is_422(admin):
    for bad in [
        {"duration_minutes": 0},
        {"duration_minutes": 481},
        {"max_parallel_bookings": 0},
        {"cleanup_minutes": 121},
        {"pricing": {"base_price": -1, "currency": "IDR"}},
        {"pricing": {"base_price": 1, "currency": "rupiah"}},
    ]:
        body = {"name": unique("Bad"), "duration_minutes": 60, **bad}
        assert admin.post("/services", json=body).status_code == 422, bad


def test_service_list_is_paginated(admin):
    for _ in range(3):
        admin.service()
    body = admin.get("/services", params={"page": 1, "size": 2}).json()
    assert set(body) == {"items", "total", "page", "size", "pages"}
    assert len(body["items"]) == 2 and body["total"] >= 3 and body["pages"] == -(-body["total"] // 2)
    assert admin.get("/services", params={"size": 101}).status_code == 422


def test_staff_role_reads_but_may_not_configure(staff_role):
    assert staff_role.get("/services").status_code == 200
    assert staff_role.post("/services", json={"name": unique("X"), "duration_minutes": 30}).status_code == 403
    assert staff_role.post("/staff", json={"first_name": "A", "last_name": "B"}).status_code == 403


def test_staff_role_may_create_customers(staff_role):
    assert staff_role.customer()["id"]


def test_other_tenant_ids_answer_404(admin, other):
    service, staff, customer = admin.service(), admin.staff(), admin.customer()
    assert other.get(f"/services/{service['id']}").status_code == 404
    assert other.put(f"/services/{service['id']}", json={"name": "x"}).status_code == 404
    assert other.delete(f"/staff/{staff['id']}").status_code == 404
    assert other.get(f"/customers/{customer['id']}").status_code == 404
    assert service["id"] not in {
        s["id"] for s in other.get("/services", params={"size": 100}).json()["items"]
    }


def test_staff_crud(admin):
    service = admin.service()
    staff = admin.staff(
        "John", "Smith", service_ids=[service["id"]], phone="+62", position="Stylist", hire_date="2024-01-01"
    )
    assert (
        staff["full_name"] == "John Smith" and staff["service_ids"] == [service["id"]] and staff["is_active"]
    )
    assert admin.put(f"/staff/{staff['id']}", json={"position": "Senior"}).json()["position"] == "Senior"
    assert (
        admin.post(
            "/staff", json={"first_name": "A", "last_name": "B", "service_ids": ["f" * 24]}
        ).status_code
        == 404
    )
    assert admin.delete(f"/staff/{staff['id']}").json()["is_active"] is False
    assert admin.get("/staff", params={"size": 5}).json()["total"] >= 1


def test_customer_crud_search_and_unique_email(admin):
    customer = admin.customer()
    clash = admin.post(
        "/customers",
        json={
            **{k: customer[k] for k in ("first_name", "last_name", "phone")},
            "email": customer["email"].upper(),
        },
    )
    assert clash.status_code == 409
    found = admin.get("/customers", params={"search": customer["last_name"][2:]}).json()
    assert [c["id"] for c in found["items"]] == [customer["id"]]
    assert admin.put(f"/customers/{customer['id']}", json={"phone": "+1"}).json()["phone"] == "+1"
    assert admin.delete(f"/customers/{customer['id']}").status_code == 204
    assert admin.get(f"/customers/{customer['id']}").status_code == 404
    assert (
        admin.post(
            "/customers", json={"first_name": "A", "last_name": "B", "email": "not-an-email"}
        ).status_code
        == 422
    )


def test_availability_windows(admin):
    staff = admin.staff()
    window = admin.window(staff["id"], "monday", "09:00", "12:00")
    assert (window["start_time"], window["end_time"], window["is_available"]) == (
        "09:00:00",
        "12:00:00",
        True,
    )
    assert admin.window(staff["id"], "monday", "13:00", "17:00")["day_of_week"] == "monday"
    overlap = admin.post(
        "/availability",
        json={"staff_id": staff["id"], "day_of_week": "monday", "start_time": "11:00", "end_time": "14:00"},
    )
    assert overlap.status_code == 409 and "Emma Martinez" in overlap.json()["detail"]
    backwards = admin.post(
        "/availability",
        json={"staff_id": staff["id"], "day_of_week": "tuesday", "start_time": "17:00", "end_time": "09:00"},
    )
    assert backwards.status_code == 422
    listed = admin.get("/availability", params={"staff_id": staff["id"]}).json()["items"]
    assert [w["start_time"] for w in listed] == ["09:00:00", "13:00:00"]
    assert admin.delete(f"/availability/{window['id']}").status_code == 204
    assert admin.delete(f"/availability/{window['id']}").status_code == 404


def test_window_with_equal_times_is_422_in_the_list_shape_and_touching_windows_are_201(admin):
    # C3.7's edge moved from the body model to Policy.window_ends_after_start: still a 422 list.
    staff = admin.staff()
    body = {"staff_id": staff["id"], "day_of_week": "wednesday", "start_time": "12:00", "end_time": "12:00"}
    equal = admin.post("/availability", json=body)
    assert equal.status_code == 422
    assert equal.json()["detail"][0]["loc"] == ["body", "end_time"]
    assert admin.window(staff["id"], "wednesday", "10:00", "12:00")["end_time"] == "12:00:00"
    assert admin.window(staff["id"], "wednesday", "12:00", "14:00")["start_time"] == "12:00:00"
    one_minute = dict(body, start_time="13:59", end_time="15:00")
    assert admin.post("/availability", json=one_minute).status_code == 409

"""Faults only the wire shows: each rewrites a finished JSON response (`Policy.rewrite_response`,
sent through reference_server/rewrite.py), grouped by the contract section they break."""

from __future__ import annotations

import json
from typing import Any

from reference_server.faults.registry import fault
from reference_server.policy import Policy

API = "/api/v1"


def _each_resource(body: Any) -> list[dict[str, Any]]:
    """The resource objects of a body: the body itself, or a page's items."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [item for item in body["items"] if isinstance(item, dict)]
    return [body] if isinstance(body, dict) else []


@fault(
    "timestamps-without-offset",
    "created_at/updated_at sent as naive local timestamps (no offset, no Z)",
    rules=("C1.6",),
    catches=("X-77",),
)
class TimestampsWithoutOffset(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        for resource in _each_resource(body):
            for key in ("created_at", "updated_at"):
                if isinstance(resource.get(key), str):
                    resource[key] = resource[key].removesuffix("Z").split("+")[0]
        return status, body


@fault(
    "error-detail-as-list",
    "business errors answer detail as a list of strings instead of one sentence",
    rules=("C1.7",),
    catches=("X-78",),
)
class ErrorDetailAsList(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if (
            400 <= status < 500
            and status != 422
            and isinstance(body, dict)
            and isinstance(body.get("detail"), str)
        ):
            body["detail"] = [body["detail"]]
        return status, body


@fault(
    "errors-as-text-plain",
    "error bodies sent with Content-Type text/plain",
    rules=("C1.1",),
    catches=("X-75",),
)
class ErrorsAsTextPlain(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        # A str body is sent as text/plain by reference_server/rewrite.py.
        return status, (json.dumps(body) if status >= 400 else body)


@fault(
    "service-created-200",
    "POST /services answers 200 instead of 201",
    rules=("C1.8",),
    catches=("X-79",),
)
class ServiceCreated200(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        return (200 if (method, path, status) == ("POST", f"{API}/services", 201) else status), body


@fault(
    "page-total-counts-page",
    "a list's total counts only the items of the page served",
    source="fastapi-pagination misuse (len(items) as total)",
    rules=("C1.10",),
    catches=("X-81",),
)
class PageTotalCountsPage(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if isinstance(body, dict) and isinstance(body.get("items"), list) and "total" in body:
            body["total"] = len(body["items"])
            body["pages"] = 1 if body["items"] else 0
        return status, body


@fault(
    "page-size-unbounded",
    "size outside 1..100 answers an (empty) page instead of 422",
    rules=("C1.10",),
    catches=("X-80",),
)
class PageSizeUnbounded(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        errors = body.get("detail") if isinstance(body, dict) else None
        only_size = (
            isinstance(errors, list) and errors and all(e.get("loc") == ["query", "size"] for e in errors)
        )
        if method == "GET" and status == 422 and only_size:
            size = int(errors[0].get("input"))  # type: ignore[index]
            return 200, {"items": [], "total": 0, "page": 1, "size": size, "pages": 0}
        return status, body


@fault(
    "availability-times-hhmm",
    "availability entries answer start_time/end_time as HH:MM instead of HH:MM:SS",
    rules=("C1.5", "C3.6"),
    catches=("X-76", "X-89"),
)
class AvailabilityTimesHHMM(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.startswith(f"{API}/availability") and not path.endswith("availability-grid"):
            for window in _each_resource(body):
                for key in ("start_time", "end_time"):
                    if isinstance(window.get(key), str):
                        window[key] = window[key][:5]
        return status, body


@fault(
    "malformed-input-500",
    "malformed input answered 500 instead of 422 (the validation error escapes as a server error)",
    source="",
    rules=("C1.9",),
    catches=("X-9",),
)
class MalformedInput500(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if status == 422:
            return 500, {"detail": "Internal Server Error"}
        return status, body


STAFF_LIST = "/api/v1/staff"


@fault(
    "unauthenticated-staff-list",
    "GET /api/v1/staff served without a token (the route lost its auth dependency)",
    source="",
    rules=("C1.2",),
    catches=("X-20",),
)
class UnauthenticatedStaffList(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        # A route without its auth dependency serves whatever token comes, or none; with no
        # tenant to read, it lists nothing.
        if method == "GET" and path.rstrip("/") == STAFF_LIST and status == 401:
            return 200, {"items": [], "total": 0, "page": 1, "size": 20, "pages": 0}
        return status, body


@fault(
    "login-token-type-wrong",
    'login answers token_type "mac" instead of "bearer"',
    rules=("C2.1",),
    catches=("X-25",),
)
class LoginTokenTypeWrong(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.endswith("/auth/login") and status == 200 and isinstance(body, dict):
            body = {**body, "token_type": "mac"}
        return status, body


@fault(
    "tenants-me-outlets-unnamed",
    "GET /tenants/me lists outlets without their names",
    rules=("C2.3",),
    catches=("X-26",),
)
class TenantsMeOutletsUnnamed(Policy):
    # Not "without outlets": the suite's preflight stops a run whose tenant lists no outlet.
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.endswith("/tenants/me") and status == 200 and isinstance(body, dict):
            outlets = body.get("outlets") or []
            body = {**body, "outlets": [{"id": o.get("id")} for o in outlets if isinstance(o, dict)]}
        return status, body


@fault(
    "staff-without-full-name",
    "staff responses lack full_name",
    rules=("C3.5",),
    catches=("X-88",),
)
class StaffWithoutFullName(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if path.startswith(f"{API}/staff") and status < 400:
            for staff in _each_resource(body):
                staff.pop("full_name", None)
        return status, body


@fault(
    "service-echo-drops-description",
    "POST /services answers without the description it stored",
    rules=("C3.3",),
    catches=("X-85",),
)
class ServiceEchoDropsDescription(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == f"{API}/services" and status == 201 and isinstance(body, dict):
            body.pop("description", None)
        return status, body


@fault(
    "service-id-integer",
    "POST /services answers its id as a number (an auto-increment key leaking out)",
    rules=("C1.4",),
    catches=("X-85",),
)
class ServiceIdInteger(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == f"{API}/services" and status == 201 and isinstance(body, dict):
            body["id"] = len(str(body.get("id", "")))
        return status, body


@fault(
    "service-hard-delete",
    "DELETE /services/{id} removes the service: GET answers 404 instead of is_active false",
    rules=("C3.4",),
    catches=("X-87",),
)
class ServiceHardDelete(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        one = path.startswith(f"{API}/services/") and method == "GET"
        if one and status == 200 and isinstance(body, dict) and body.get("is_active") is False:
            return 404, {"detail": "Service not found"}
        return status, body


@fault(
    "customer-email-duplicate-accepted",
    "a second customer with a taken email answers 201",
    rules=("C3.9",),
    catches=("X-92",),
)
class CustomerEmailDuplicateAccepted(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if (method, path, status) == ("POST", f"{API}/customers", 409):
            return 201, {"id": "0" * 24, "first_name": "?", "last_name": "?", "email": "?"}
        return status, body


def _appointment_bodies(body: Any) -> list[dict[str, Any]]:
    """The appointment objects of a response body: itself, or a page's items."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [b for b in body["items"] if isinstance(b, dict)]
    return [body] if isinstance(body, dict) and "services" in body else []


def _is_appointments(path: str) -> bool:
    return path.startswith("/api/v1/appointments")


@fault(
    "end-time-is-start",
    "appointment items answer end_time = start_time",
    rules=("C4.1",),
    catches=("X-96", "X-102"),
)
class EndTimeIsStart(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if _is_appointments(path):
            for appointment in _appointment_bodies(body):
                for item in appointment.get("services") or []:
                    item["end_time"] = item.get("start_time")
        return status, body


@fault("service-name-missing", "appointment items without service_name", rules=("C4.1",), catches=("X-96",))
class ServiceNameMissing(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if _is_appointments(path):
            for appointment in _appointment_bodies(body):
                for item in appointment.get("services") or []:
                    item.pop("service_name", None)
        return status, body


@fault(
    "unknown-status-accepted",
    "PATCH status answers 200 to a status value the contract does not know",
    rules=("C4.8",),
    catches=("X-107",),
)
class UnknownStatusAccepted(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "PATCH" and path.endswith("/status") and status == 422:
            return 200, body
        return status, body


@fault(
    "conflict-detail-anonymous",
    "a booking's 409 detail names neither the staff member nor the counts",
    rules=("C5.4",),
    catches=("X-112", "X-8"),
)
class ConflictDetailAnonymous(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == "/api/v1/appointments" and status == 409:
            return status, {"detail": "The requested time is not available"}
        return status, body


GRID_PATH = "/api/v1/availability/availability-grid"


def _grid_days(path: str, status: int, body: Any) -> dict[str, Any] | None:
    """The `availability_grid` object of a 200 grid response (None for anything else)."""
    if not path.endswith(GRID_PATH) or status != 200 or not isinstance(body, dict):
        return None
    days = body.get("availability_grid")
    return days if isinstance(days, dict) else None


@fault(
    "grid-slots-reversed",
    "grid slots of each date in reverse order",
    rules=("C6.4",),
    catches=("X-65",),
)
class GridSlotsReversed(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        for key, slots in (days or {}).items():
            days[key] = list(reversed(slots))  # type: ignore[index]
        return status, body


@fault(
    "grid-staff-order-reversed",
    "grid slots sorted by start time, but staff in descending order within a start",
    rules=("C6.4",),
    catches=("X-65",),
)
class GridStaffOrderReversed(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        for key, slots in (days or {}).items():
            by_staff = sorted(slots, key=lambda s: str(s["staff_id"]), reverse=True)
            days[key] = sorted(by_staff, key=lambda s: s["start_time"])  # type: ignore[index]  # stable
        return status, body


@fault(
    "grid-total-counts-available-only",
    "grid total_available_slots counts only the slots with a place left",
    rules=("C6.9",),
    catches=("X-71", "S4-8"),
)
class GridTotalCountsAvailableOnly(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        if days is not None and isinstance(body.get("metadata"), dict):
            free = sum(1 for slots in days.values() for s in slots if s.get("is_available"))
            body["metadata"]["total_available_slots"] = free
        return status, body


@fault(
    "grid-empty-dates-dropped",
    "grid leaves out the dates without slots",
    rules=("C6.12",),
    catches=("X-74",),
)
class GridEmptyDatesDropped(Policy):
    def rewrite_response(self, method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        days = _grid_days(path, status, body)
        if days is not None:
            body["availability_grid"] = {key: slots for key, slots in days.items() if slots}
        return status, body

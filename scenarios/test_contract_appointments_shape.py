"""Contract rules §4.1-§4.4 at their edges: the booking's body, its duration, several items, reads.

The guide's scenarios check a 201 and capacity numbers; these check what the 201 says (every
field of §4.1, times computed from the service's duration), that a request cannot choose its
own duration (§4.2), that the items of one booking are judged together and a refused booking
leaves nothing behind (§4.3), and that each list filter really narrows (§4.4). Each class makes
its own staff and services; list checks count only the ids they created (foreign data ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.dates import next_day
from fixtures.expect import ConformanceFailure, expect_equal, expect_status, field, pick
from fixtures.factories import Factory
from fixtures.readback import PAGE_SIZE, active_at, all_appointments, all_pages, page_items
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X95 = (
    "A booking answers 201 with status confirmed, its appointment_date, customer_id, outlet_id "
    "and customer {id, name}"
)
X96 = (
    "Each booked service echoes service_id, service_name, staff_id, staff_name, duration_minutes, "
    "start_time 10:00:00 and end_time = start + duration"
)
X97 = "A duration_minutes other than the service's is refused with 422; the service's own value is accepted"
X98 = (
    "Two items of one booking that overlap on one staff member are refused with 409; "
    "touching items are booked"
)
X99 = "A booking whose second item is refused creates nothing: the first item's session keeps its count"
X100 = "GET /appointments/{id} returns the booked appointment"
X101 = (
    "Each list filter (date, staff_id, service_id, status) keeps the matching appointments "
    "and drops the others"
)


def expect_fields(response: httpx.Response, expected: dict[str, Any], *, under: str | None = None) -> None:
    """Every key of `expected` has exactly that value (one message naming each difference)."""
    __tracebackhide__ = True
    got = pick(response, expected, under=under)
    wrong = {k: got[k] for k, v in expected.items() if got[k] != v}
    if wrong:
        where = f"$.{under}" if under else "$"
        said = "; ".join(f"{where}.{k} expected {expected[k]!r}, got {wrong[k]!r}" for k in wrong)
        raise ConformanceFailure(f"CONTRACT §4.1: {said}", response=response)


def expect_text_naming(value: Any, names: list[str], *, what: str, response: httpx.Response) -> None:
    """`value` is a string that contains one of `names` (case-insensitive)."""
    __tracebackhide__ = True
    if not isinstance(value, str) or not any(n.lower() in value.lower() for n in names):
        raise ConformanceFailure(
            f"{what}: expected a string naming {' / '.join(map(repr, names))}, got {value!r}",
            response=response,
        )


class TestTheCreatedBodyStatesTheBooking:
    # (duration, start, expected end): the end is computed, and crosses the hour.
    @pytest.mark.parametrize(
        ("minutes", "start", "end"),
        [
            pytest.param(60, "10:00", "11:00:00", id="60-min-10:00-to-11:00"),
            pytest.param(90, "10:30", "12:00:00", id="90-min-10:30-to-12:00"),
            pytest.param(45, "10:00", "10:45:00", id="45-min-10:00-to-10:45"),
        ],
    )
    @checklist("X-96", X96)
    def test_each_service_item_echoes_names_and_times(
        self, factory: Factory, day: date, minutes: int, start: str, end: str
    ) -> None:
        stage = factory.stage(f"X-96 {minutes} min", capacity=1, parallel=False, duration=minutes, day=day)
        booked = stage.book(start)
        expect_status(booked, 201)
        item = field(booked, "services", 0)
        expected = {
            "service_id": stage.service["id"],
            "service_name": stage.service["name"],
            "staff_id": stage.staff["id"],
            "start_time": f"{start}:00",
            "end_time": end,
            "duration_minutes": minutes,
        }
        got = {k: item.get(k) if isinstance(item, dict) else None for k in [*expected, "staff_name"]}
        wrong = [
            f"$.services[0].{k} expected {v!r}, got {got[k]!r}" for k, v in expected.items() if got[k] != v
        ]
        if wrong:
            raise ConformanceFailure("CONTRACT §4.1: " + "; ".join(wrong), response=booked)
        names = [stage.staff["first_name"], stage.staff["last_name"]]
        expect_text_naming(got["staff_name"], names, what="$.services[0].staff_name", response=booked)

    @checklist("X-95", X95)
    def test_created_appointment_is_confirmed_and_names_its_parties(
        self, factory: Factory, day: date
    ) -> None:
        stage = factory.stage("X-95 body", capacity=1, parallel=False, day=day)
        customer = factory.customer()
        booked = stage.book("10:00", customer=customer)
        expect_status(booked, 201)
        expect_fields(
            booked,
            {
                "status": "confirmed",
                "appointment_date": day.isoformat(),
                "customer_id": customer["id"],
                "outlet_id": stage.outlet_id,
            },
        )
        expect_fields(booked, {"id": customer["id"]}, under="customer")
        name = field(booked, "customer", "name")
        if not isinstance(name, str) or not name.strip():
            raise ConformanceFailure(
                f"$.customer.name: expected a non-empty string, got {name!r}", response=booked
            )


class TestTheDurationIsTheServices:
    @pytest.mark.parametrize(
        ("sent", "expected"),
        [
            pytest.param(90, 422, id="longer-90-for-60-min-service"),
            pytest.param(30, 422, id="shorter-30-for-60-min-service"),
            pytest.param(60, 201, id="same-60-accepted"),
        ],
    )
    @checklist("X-97", X97)
    def test_request_duration_must_be_the_services(
        self, api: BookingApi, factory: Factory, day: date, sent: int, expected: int
    ) -> None:
        stage = factory.stage("X-97 duration", capacity=1, parallel=False, duration=60, day=day)
        response = api.book(
            customer_id=factory.customer()["id"],
            outlet_id=stage.outlet_id,
            appointment_date=day,
            service_id=stage.service["id"],
            staff_id=stage.staff["id"],
            start_time="10:00",
            duration_minutes=sent,
        )
        factory.track(response)
        expect_status(response, expected, why=f"duration_minutes {sent} for a 60-minute service")
        if expected == 201:
            expect_equal(
                field(response, "services", 0, "end_time"), "11:00:00", what="end_time", response=response
            )


@dataclass
class Items:
    overlapping: httpx.Response
    touching: httpx.Response
    half_refused: httpx.Response
    first_session: list[httpx.Response]  # the first item's session after the refused booking


class TestItemsOfOneBookingAreJudgedTogether:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Items:
        """Two services on staff A; staff B works 13:00-17:00 only, so B at 10:00 is refused."""
        stage = factory.stage("X-98 items", capacity=5, day=day)
        other = factory.service("X-98 other", parallel=False, capacity=1)
        off_hours = factory.staff("X-99 afternoon")
        factory.availability(off_hours, day=day, start="13:00", end="17:00")

        def book(*items: ep.BookingItem) -> httpx.Response:
            response = api.book_items(
                customer_id=factory.customer()["id"],
                outlet_id=stage.outlet_id,
                appointment_date=day,
                items=list(items),
            )
            factory.track(response)
            return response

        a, s, o = stage.staff["id"], stage.service["id"], other["id"]
        overlapping = book(ep.BookingItem(s, a, "10:00"), ep.BookingItem(o, a, "10:30"))
        touching = book(ep.BookingItem(s, a, "14:00"), ep.BookingItem(o, a, "15:00"))
        # The first item alone would fit (capacity 5, nothing booked at 16:00); the second cannot.
        half = book(ep.BookingItem(s, a, "16:00"), ep.BookingItem(o, off_hours["id"], "10:00"))
        session = all_appointments(api, day=day, staff_id=a, service_id=s, why="the first item's session")
        return Items(overlapping, touching, half, session)

    @checklist("X-98", X98)
    def test_overlapping_items_on_one_staff_member_are_refused_with_409(self, run: Items) -> None:
        expect_status(
            run.overlapping, 409, why="10:00-11:00 and 10:30-11:30 on one staff member, one booking"
        )

    @checklist("X-98", X98)
    def test_touching_items_on_one_staff_member_are_booked(self, run: Items) -> None:
        expect_status(run.touching, 201, why="14:00-15:00 and 15:00-16:00 on one staff member, one booking")
        expect_equal(
            len(field(run.touching, "services")), 2, what="items of the booking", response=run.touching
        )

    @checklist("X-99", X99)
    def test_refused_booking_leaves_its_first_item_unbooked(self, run: Items) -> None:
        expect_status(run.half_refused, 409, why="second item outside staff B's 13:00-17:00 window")
        held = active_at(run.first_session, "16:00")
        expect_equal(
            held,
            0,
            what="active appointments at 16:00 after the refused booking",
            response=run.first_session[-1],
        )


@dataclass
class Listed:
    ours: dict[str, str]  # label -> appointment id
    pages: dict[str, list[httpx.Response]]  # filter -> every page of the filtered list


# Records that differ from "base" (staff A, service S, `day`, confirmed) in exactly one attribute.
# filter -> (query built from the base's values, labels it must keep, labels it must drop);
# date and status are narrowed by staff_id too, so the read-back stays small on a busy tenant.
FILTERS = {
    "date": ({"date", "staff_id"}, {"base", "other_service", "cancelled"}, {"other_date"}),
    "staff_id": ({"staff_id"}, {"base", "other_date", "other_service", "cancelled"}, {"other_staff"}),
    "service_id": ({"service_id"}, {"base", "other_date", "other_staff", "cancelled"}, {"other_service"}),
    "status": ({"status", "staff_id"}, {"base", "other_date", "other_service"}, {"cancelled"}),
}


class TestAppointmentReads:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, api: BookingApi, factory: Factory, day: date) -> Listed:
        stage = factory.stage("X-101 filters", capacity=10, day=day)
        other_service = factory.service("X-101 other service", parallel=True, capacity=10)
        other_staff = factory.staff("X-101 other staff")
        factory.availability(other_staff, day=day, start="08:00", end="20:00")
        later = next_day(day, 7)  # same weekday: the stage's window covers it
        made = {
            "base": stage.book("10:00"),
            "other_date": stage.book("10:00", day=later),
            "other_service": stage.book("12:00", service=other_service),
            "cancelled": stage.book("10:00"),
            "other_staff": factory.book(
                customer=factory.customer(), service=stage.service, staff=other_staff, day=day, start="10:00"
            ),
        }
        for label, response in made.items():
            expect_status(response, 201, why=f"booking the {label!r} record")
        ours = {label: str(field(r, "id")) for label, r in made.items()}
        expect_status(api.cancel(ours["cancelled"]), 200, why="cancelling the 'cancelled' record")
        values = {
            "date": day,
            "staff_id": stage.staff["id"],
            "service_id": stage.service["id"],
            "status": "confirmed",
        }
        pages = {
            name: all_pages(
                lambda n, q={k: values[k] for k in keys}: api.list_appointments(**q, page=n, size=PAGE_SIZE),
                max_pages=50,
                why=f"GET /appointments filtered by {name}",
            )
            for name, (keys, _, _) in FILTERS.items()
        }
        return Listed(ours, pages)

    @checklist("X-100", X100)
    def test_get_by_id_returns_the_appointment(self, api: BookingApi, run: Listed) -> None:
        got = api.get_appointment(run.ours["base"])
        expect_status(got, 200)
        expect_equal(field(got, "id"), run.ours["base"], what="id", response=got)
        expect_equal(field(got, "status"), "confirmed", what="status", response=got)

    @pytest.mark.parametrize("name", list(FILTERS))
    @checklist("X-101", X101)
    def test_filter_keeps_matching_and_drops_other_appointments(self, run: Listed, name: str) -> None:
        _, keep, drop = FILTERS[name]
        listed = {str(e.get("id")) for page in run.pages[name] for e in page_items(page)}
        found = {label for label, appointment_id in run.ours.items() if appointment_id in listed}
        expect_equal(
            {"kept": sorted(found & (keep | drop)), "missing": sorted(keep - found)},
            {"kept": sorted(keep), "missing": []},
            what=f"our appointments listed when filtered by {name}",
            response=run.pages[name][-1],
        )

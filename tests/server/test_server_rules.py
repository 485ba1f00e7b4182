from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from reference_server.policy import Policy
from reference_server.rules import (
    Booked,
    Candidate,
    Window,
    booking_window_error,
    can_transition,
    candidate_starts,
    fmt_time,
    overlaps,
    windows_overlap,
)
from reference_server.schemas.common import TimeOfDay

DAY = date(2026, 12, 7)
policy = Policy()


def booked(start: int, end: int, service: str = "yoga", staff: str = "emma", customer: str = "c1", day=DAY):
    return Booked("a1", customer, service, staff, day, start, end)


def candidate(start: int, end: int, service: str = "yoga", customer: str | None = "c9", day=DAY) -> Candidate:
    return Candidate(service, "emma", day, start, end, customer)


def test_candidate_starts_step_through_each_window_while_the_block_fits():
    windows = [Window(600, 720), Window(840, 960)]
    assert candidate_starts(windows, block_minutes=60, interval=30) == [600, 630, 660, 840, 870, 900]


def test_candidate_starts_skip_windows_shorter_than_the_block():
    assert candidate_starts([Window(600, 640)], block_minutes=60, interval=30) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((600, 660), (660, 720), False),
        ((600, 660), (630, 690), True),
        ((600, 720), (615, 630), True),
        ((615, 630), (600, 720), True),
        ((600, 660), (540, 600), False),
    ],
)
def test_overlap_is_half_open(a, b, expected):
    assert overlaps(*a, *b) is expected


def test_windows_overlap_detects_touching_as_disjoint():
    assert not windows_overlap([Window(540, 720)], Window(720, 900))
    assert windows_overlap([Window(540, 720)], Window(700, 900))


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("pending", "confirmed", True),
        ("confirmed", "cancelled", True),
        ("confirmed", "no_show", True),
        ("confirmed", "in_progress", True),
        ("in_progress", "completed", True),
        ("cancelled", "cancelled", False),
        ("cancelled", "confirmed", False),
        ("completed", "cancelled", False),
        ("confirmed", "completed", False),
        ("no_show", "confirmed", False),
        ("confirmed", "pending", False),
    ],
)
def test_transitions_follow_the_contract(current, target, allowed):
    assert can_transition(current, target) is allowed


def test_effective_capacity_is_one_without_parallel_bookings():
    assert (
        policy.effective_capacity(SimpleNamespace(allow_parallel_bookings=False, max_parallel_bookings=10))
        == 1
    )
    assert (
        policy.effective_capacity(SimpleNamespace(allow_parallel_bookings=True, max_parallel_bookings=10))
        == 10
    )


def test_cancelled_and_no_show_do_not_count():
    assert policy.active_statuses() == ("pending", "confirmed", "in_progress", "completed")


def test_assess_counts_the_same_session_only():
    items = [booked(600, 660), booked(600, 660, customer="c2"), booked(600, 660, day=DAY + timedelta(1))]
    found = policy.assess(items, candidate(600, 660), capacity=3)
    assert (found.booked, found.available, found.busy_with, found.duplicate) == (2, 1, None, None)


def test_assess_reports_another_service_overlapping_as_busy():
    found = policy.assess([booked(630, 690, service="training")], candidate(600, 660), capacity=10)
    assert found.busy_with is not None and found.available == 0


def test_assess_treats_the_same_service_at_another_start_as_busy():
    found = policy.assess([booked(630, 690)], candidate(600, 660), capacity=10)
    assert found.busy_with is not None


def test_assess_includes_prep_and_cleanup_in_the_blocked_interval():
    # The earlier session blocks until 11:15 (60 min + 15 cleanup): an 11:00 start overlaps.
    assert policy.assess([booked(600, 675, service="other")], candidate(660, 720), capacity=1).busy_with
    assert (
        policy.assess([booked(600, 660, service="other")], candidate(660, 720), capacity=1).busy_with is None
    )


def test_assess_finds_the_same_customer_in_the_session():
    assert policy.assess([booked(600, 660, customer="c9")], candidate(600, 660), capacity=5).duplicate


def test_grandfathered_overbooking_clamps_available_at_zero():
    items = [booked(600, 660, customer=f"c{i}") for i in range(8)]
    assert policy.assess(items, candidate(600, 660), capacity=5).available == 0


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=30), st.integers(min_value=1, max_value=12))
def test_available_never_exceeds_capacity_or_goes_negative(starts, capacity):
    items = [booked(600 + 30 * (s % 2), 660 + 30 * (s % 2), customer=str(i)) for i, s in enumerate(starts)]
    found = policy.assess(items, candidate(600, 660, customer=None), capacity)
    assert 0 <= found.available <= capacity


def test_booking_window_rules():
    zone = ZoneInfo("Asia/Jakarta")
    now = datetime(2026, 12, 1, 12, 0, tzinfo=zone)
    window = {"min_advance_hours": 24, "max_advance_days": 60}
    assert booking_window_error(now=now, start=now - timedelta(minutes=1), **window) == "is in the past"
    assert "24 hours" in booking_window_error(now=now, start=now + timedelta(hours=2), **window)
    assert "60 days" in booking_window_error(now=now, start=now + timedelta(days=61), **window)
    assert booking_window_error(now=now, start=now + timedelta(days=3), **window) is None


@pytest.mark.parametrize("text", ["25:00", "10:5", "24:00", "10:00:30", "1000", "", "10:60", "ab:cd"])
def test_bad_times_are_refused(text):
    with pytest.raises(ValidationError):
        TypeAdapter(TimeOfDay).validate_python(text)


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("10:00", 600), ("23:59", 1439), ("09:30:00", 570)]
)
def test_good_times_parse_to_minutes(text, minutes):
    assert TypeAdapter(TimeOfDay).validate_python(text) == minutes


def test_times_format_with_and_without_seconds():
    assert fmt_time(605) == "10:05:00" and fmt_time(605, seconds=False) == "10:05"

"""Contract rules §4.7-§4.9: cancel, PATCH status, and the whole transition table.

X-7 (test_contract_booking_rules.py) checks a hand-picked list of illegal moves. Here the table
is walked completely: from every reachable state (appointments start `confirmed`, and nothing
leads back to `pending`, so `pending` cannot be a start state) every status value is PATCHed,
and cancel and reschedule are tried from the states they leave alone. Allowed moves answer
200 with the new status; every other move answers 409 and the status stays.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from fixtures.api import BookingApi
from fixtures.expect import expect_equal, expect_error_detail, expect_status, expect_validation_errors, field
from fixtures.factories import Factory, Stage
from fixtures.reporting import checklist, scenario

pytestmark = scenario("X", "Contract Rules Beyond the Guide", group="Contract")

X106 = "Cancel answers 200 with status cancelled, with or without a cancellation_reason"
X107 = (
    "PATCH status answers 200 with the new status for each allowed move; "
    "an unknown status is 422 and changes nothing"
)
X108 = "Every move outside the transition table is refused with 409 and the status stays"

STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled", "no_show")
# docs/contract.md C4.9, written out: pending -> confirmed; pending|confirmed -> cancelled|no_show|
# in_progress; in_progress -> completed. "cancel" is PUT .../cancel (a move to cancelled).
ALLOWED = {
    "pending": {"confirmed", "cancelled", "no_show", "in_progress"},
    "confirmed": {"cancelled", "no_show", "in_progress"},
    "in_progress": {"completed"},
}
# How each start state is reached from `confirmed`, with legal moves only.
REACH = {
    "confirmed": (),
    "in_progress": ("in_progress",),
    "completed": ("in_progress", "completed"),
    "cancelled": ("cancelled",),
    "no_show": ("no_show",),
}
TERMINAL = ("completed", "cancelled", "no_show")


def _illegal() -> list[Any]:
    cases = [
        pytest.param(start, target, id=f"{start}-to-{target}")
        for start in REACH
        for target in STATUSES
        if target not in ALLOWED.get(start, set())
    ]
    # PUT cancel is the move to cancelled; reschedule keeps `confirmed` (§4.5), so neither may
    # leave a terminal state (in_progress: cancel is checked, reschedule is left to §4.5's words).
    cases += [pytest.param(s, "cancel", id=f"{s}-cancelled-by-put") for s in ("in_progress", *TERMINAL)]
    cases += [pytest.param(s, "reschedule", id=f"{s}-rescheduled") for s in TERMINAL]
    return cases


def _move(api: BookingApi, appointment: dict[str, Any], move: str) -> httpx.Response:
    if move == "cancel":
        return api.cancel(appointment["id"])
    if move == "reschedule":
        return api.reschedule(
            appointment["id"], new_date=date.fromisoformat(appointment["appointment_date"]), new_time="14:00"
        )
    return api.set_status(appointment["id"], move)


@pytest.fixture(scope="class")
def stage(factory: Factory, day: date) -> Stage:
    """One roomy parallel session at 10:00; each test books its own appointment into it."""
    return factory.stage("X-106 status", capacity=200, day=day)


def _appointment_in(api: BookingApi, stage: Stage, state: str) -> dict[str, Any]:
    """A fresh appointment at 10:00, moved to `state` along REACH (each move must answer 200)."""
    booked = stage.book("10:00")
    expect_status(booked, 201, why="booking the appointment under test")
    for move in REACH[state]:
        expect_status(_move(api, booked.json(), move), 200, why=f"legal move to {move!r} (C4.9)")
    return booked.json()


def _status_now(api: BookingApi, appointment: dict[str, Any]) -> str:
    after = api.get_appointment(appointment["id"])
    expect_status(after, 200)
    return field(after, "status")


class TestCancel:
    @pytest.mark.parametrize(
        "reason",
        [pytest.param("Customer request", id="with-reason"), pytest.param(None, id="without-reason")],
    )
    @checklist("X-106", X106)
    def test_cancel_answers_200_with_status_cancelled(
        self, api: BookingApi, stage: Stage, reason: str | None
    ) -> None:
        appointment = _appointment_in(api, stage, "confirmed")
        cancelled = api.cancel(appointment["id"], reason=reason)
        expect_status(cancelled, 200)
        expect_equal(
            field(cancelled, "status"), "cancelled", what="status in the cancel response", response=cancelled
        )
        expect_equal(_status_now(api, appointment), "cancelled", what="status read back after cancel")


class TestStatusChanges:
    @pytest.mark.parametrize(
        ("start", "to"),
        [
            pytest.param(s, t, id=f"{s}-to-{t}")
            for s in ("confirmed", "in_progress")
            for t in sorted(ALLOWED[s])
        ],
    )
    @checklist("X-107", X107)
    def test_allowed_move_answers_200_with_the_new_status(
        self, api: BookingApi, stage: Stage, start: str, to: str
    ) -> None:
        appointment = _appointment_in(api, stage, start)
        moved = api.set_status(appointment["id"], to)
        expect_status(moved, 200, why=f"{start} -> {to} is allowed (C4.9)")
        expect_equal(field(moved, "status"), to, what="status in the PATCH response", response=moved)
        expect_equal(_status_now(api, appointment), to, what="status read back")

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("done", id="done"),
            pytest.param("canceled", id="canceled-us-spelling"),
            pytest.param("CONFIRMED", id="upper-case-CONFIRMED"),
            pytest.param("", id="empty"),
        ],
    )
    @checklist("X-107", X107)
    def test_unknown_status_is_422_and_changes_nothing(
        self, api: BookingApi, stage: Stage, value: str
    ) -> None:
        appointment = _appointment_in(api, stage, "confirmed")
        refused = api.set_status(appointment["id"], value)
        expect_status(refused, 422, why=f"status {value!r} is none of {', '.join(STATUSES)}")
        expect_validation_errors(refused)
        expect_equal(_status_now(api, appointment), "confirmed", what="status after a 422")


class TestTransitionMatrix:
    @pytest.mark.parametrize(("start", "move"), _illegal())
    @checklist("X-108", X108)
    def test_move_outside_the_table_is_409_and_the_status_stays(
        self, api: BookingApi, stage: Stage, start: str, move: str
    ) -> None:
        appointment = _appointment_in(api, stage, start)
        refused = _move(api, appointment, move)
        expect_status(refused, 409, why=f"{move!r} from {start!r} is not in the table of C4.9")
        expect_error_detail(refused)
        expect_equal(_status_now(api, appointment), start, what=f"status after the refused {move!r}")

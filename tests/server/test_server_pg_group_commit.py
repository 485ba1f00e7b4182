"""Group commit on PostgreSQL (services/pg_group_commit.py): a batch shares one transaction,
its locks are taken up front, its reads prefetched and its INSERTs held back to the end; a
unit's outcome is still the same as alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import anyio
import psycopg
import pytest
from server_api import next_weekday
from server_procs import postgres_available, scratch_postgres
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from units import INSERT_APPOINTMENT, MARKS_TABLE, appointment_rows, mark, marks, submit_all

from reference_server.db import Database
from reference_server.errors import Conflict, NotFound, ServiceBusy
from reference_server.models import (
    Appointment,
    AppointmentItem,
    AvailabilityWindow,
    Base,
    Customer,
    Outlet,
    Service,
    Staff,
    Tenant,
    new_id,
)
from reference_server.policy import Policy
from reference_server.repository import locking
from reference_server.repository.direct import defer_writes
from reference_server.repository.items import INSERT_ITEM, load_booked
from reference_server.repository.lookups import CustomerInfo, fetch
from reference_server.repository.prefetch import Needs
from reference_server.schemas.booking import AppointmentCreate
from reference_server.services import booking, uow


@pytest.fixture(scope="module")
def db() -> Iterator[Database]:
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    with scratch_postgres() as url:
        database = Database(url)
        Base.metadata.create_all(database.write_engine)
        with database.writing() as session:
            session.execute(text(MARKS_TABLE))
        yield database
        database.dispose()


@pytest.fixture(autouse=True)
def _empty(db: Database) -> None:
    with db.writing() as session:
        session.execute(text("DELETE FROM marks"))


def locked_mark(
    tenant_id: str, staff_id: str, name: str, threads: list[int] | None = None
) -> Callable[[Session], str]:
    """mark(name) after the staff pool's lock, as a booking unit takes its own; `threads`
    records the thread it ran in."""

    def unit(session: Session) -> str:
        if threads is not None:
            threads.append(threading.get_ident())
        locking.lock_staff(session, tenant_id=tenant_id, staff_ids=[staff_id])
        return mark(name)(session)

    return unit


@contextmanager
def held_elsewhere(db: Database, tenant_id: str, staff_id: str) -> Iterator[Callable[[], None]]:
    """The staff pool's lock, held by another connection until the block ends or the
    callable it gives is called."""
    holder = psycopg.connect(db.url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    key = locking.staff_lock_key(tenant_id, staff_id)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))
        yield lambda: holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
    finally:
        holder.close()


def test_units_submitted_together_share_transactions_and_all_commit(db: Database) -> None:
    sessions: list[int] = []

    def unit(name: str) -> Callable[[Session], str]:
        def run(session: Session) -> str:
            sessions.append(id(session))
            return mark(name)(session)

        return run

    names = [f"m{i}" for i in range(12)]
    assert submit_all(db, [unit(n) for n in names]) == names
    assert marks(db) == set(names)
    assert len(set(sessions)) < len(names), "twelve units queued at once should not need twelve transactions"


def test_a_unit_that_refuses_before_writing_leaves_its_neighbours_alone(db: Database) -> None:
    def refused(session: Session) -> None:
        raise Conflict("full")

    outcomes = submit_all(db, [mark("before"), refused, mark("after")])
    assert outcomes[0] == "before" and outcomes[2] == "after"
    assert isinstance(outcomes[1], Conflict)
    assert marks(db) == {"before", "after"}


def test_a_unit_that_fails_after_writing_is_rolled_back_and_its_neighbours_run_again(db: Database) -> None:
    runs: list[str] = []

    def half_done(session: Session) -> None:
        runs.append("half")
        session.execute(text("INSERT INTO marks VALUES ('half')"))
        raise Conflict("changed its mind")

    def counted(name: str) -> Callable[[Session], str]:
        def run(session: Session) -> str:
            runs.append(name)
            return mark(name)(session)

        return run

    outcomes = submit_all(db, [counted("a"), half_done, counted("b")])
    assert outcomes[0] == "a" and outcomes[2] == "b" and isinstance(outcomes[1], Conflict)
    assert marks(db) == {"a", "b"}, "the half-done write must not be committed"
    assert runs.count("half") >= 1


def test_a_duplicate_is_a_conflict_for_that_unit_only(db: Database) -> None:
    outcomes = submit_all(db, [mark("same"), mark("same"), mark("other")])
    assert sorted(map(type, outcomes), key=str) == sorted([str, str, Conflict], key=str)
    assert marks(db) == {"same", "other"}


def test_held_back_items_count_for_the_later_units_of_the_batch(db: Database) -> None:
    """Items written by a batch's earlier unit are not in the table yet, but load_booked
    (the capacity count) sees them, so capacity stays exact inside one transaction."""
    day = date(2031, 5, 5)
    row = {
        "id": "it-1",
        "appointment_id": "ap-1",
        "position": 0,
        "tenant_id": "t-1",
        "customer_id": "c-1",
        "service_id": "s-1",
        "staff_id": "st-1",
        "appointment_date": day,
        "status": "confirmed",
        "start_minute": 600,
        "duration_minutes": 60,
        "block_end_minute": 660,
    }
    with db.writing() as session:
        defer_writes(session)
        INSERT_ITEM.execute(session, row)
        seen = load_booked(
            session, tenant_id="t-1", staff_ids={"st-1"}, days=(day, day), statuses=("confirmed",)
        )
        other_tenant = load_booked(
            session, tenant_id="t-2", staff_ids={"st-1"}, days=(day, day), statuses=("confirmed",)
        )
        session.rollback()
    assert [(b.appointment_id, b.start, b.block_end) for b in seen] == [("ap-1", 600, 660)]
    assert other_tenant == []


def test_prefetched_records_answer_as_the_database_would(db: Database) -> None:
    """A batch reads its units' records once; a unit's fetch of a missing or other tenant's
    record is still a 404."""
    with db.writing() as session:
        tenants = Tenant(name="A"), Tenant(name="B")
        session.add_all(tenants)
        session.flush()
        customer = Customer(tenant_id=tenants[0].id, first_name="Ann", last_name="Lee", email="a@x.test")
        session.add(customer)
    own_tenant, other_tenant_id, customer_id = tenants[0].id, tenants[1].id, customer.id

    def own(session: Session) -> str:
        return fetch(session, CustomerInfo, own_tenant, customer_id, "Customer").full_name

    def other_tenant(session: Session) -> str:
        return fetch(session, CustomerInfo, other_tenant_id, customer_id, "Customer").full_name

    needs = [
        Needs(own_tenant, (), ((CustomerInfo, customer_id),)),
        Needs(other_tenant_id, (), ((CustomerInfo, customer_id),)),
    ]
    outcomes = submit_all(db, [own, other_tenant], needs)
    assert outcomes[0] == "Ann Lee"
    assert isinstance(outcomes[1], NotFound)


@pytest.fixture
def owner(db: Database) -> tuple[str, str, str]:
    with db.writing() as session:
        tenant = Tenant(name="Owner")
        session.add(tenant)
        session.flush()
        outlet = Outlet(tenant_id=tenant.id, name="Main")
        customer = Customer(tenant_id=tenant.id, first_name="Ann", last_name="Lee", email="a@x.test")
        session.add_all([outlet, customer])
    return tenant.id, outlet.id, customer.id


def test_a_bulk_insert_stores_every_row_exactly(db: Database, owner: tuple[str, str, str]) -> None:
    rows = appointment_rows(*owner, 5)
    with db.writing() as session:
        INSERT_APPOINTMENT.insert_rows(session, rows)
    with db.reading() as session:
        stored = {a.id: a for a in session.query(Appointment).filter(Appointment.tenant_id == owner[0])}
    assert set(stored) == {r["id"] for r in rows}
    for row in rows:
        for key, value in row.items():
            assert getattr(stored[row["id"]], key) == value, key


def test_driver_errors_of_direct_statements_are_sqlalchemy_errors(
    db: Database, owner: tuple[str, str, str]
) -> None:
    (row,) = appointment_rows(*owner, 1)
    for send in (
        lambda session: INSERT_APPOINTMENT.execute(session, [row, row]),
        lambda session: INSERT_APPOINTMENT.insert_rows(session, [row, row]),
    ):
        with pytest.raises(IntegrityError), db.writing() as session:
            send(session)


def test_one_batch_of_bookings_judges_each_as_alone(db: Database, owner: tuple[str, str, str]) -> None:
    """Seven bookings of one session of capacity 3 in one batch, beside a booking on a day
    without a window and one of an unknown customer: exactly three of the seven, a 409 for the
    day off and a 404 for the stranger, and the database holds exactly the three."""
    tenant_id, outlet_id, _ = owner
    day = next_weekday(0)  # a Monday; the staff member works Mondays only
    with db.writing() as session:
        service = Service(
            tenant_id=tenant_id,
            outlet_id=outlet_id,
            name="Yoga",
            slug="yoga",
            duration_minutes=60,
            allow_parallel_bookings=True,
            max_parallel_bookings=3,
        )
        staff = Staff(
            tenant_id=tenant_id, outlet_id=outlet_id, first_name="Emma", last_name="Lee", service_ids=[]
        )
        customers = [
            Customer(tenant_id=tenant_id, first_name="C", last_name=str(n), email=f"c{n}@x.test")
            for n in range(8)
        ]
        session.add_all([service, staff, *customers])
        session.flush()
        session.add(
            AvailabilityWindow(
                tenant_id=tenant_id, staff_id=staff.id, day_of_week=0, start_minute=9 * 60, end_minute=17 * 60
            )
        )

    def body(customer_id: str, on: date) -> AppointmentCreate:
        item = {"service_id": service.id, "staff_id": staff.id, "start_time": "10:00"}
        return AppointmentCreate.model_validate(
            {
                "customer_id": customer_id,
                "outlet_id": outlet_id,
                "appointment_date": on.isoformat(),
                "services": [item],
            }
        )

    policy = Policy()
    bodies = [body(c.id, day) for c in customers[:7]]
    bodies += [body(customers[7].id, day + timedelta(days=1)), body(new_id(), day)]
    units = [booking.booking_unit(policy=policy, tenant_id=tenant_id, body=b) for b in bodies]
    outcomes = submit_all(db, units, [booking.needs(policy, tenant_id, b) for b in bodies])
    booked = [o for o in outcomes[:7] if isinstance(o, dict)]
    assert len(booked) == 3 and all(isinstance(o, Conflict) for o in outcomes[:7] if o not in booked)
    assert isinstance(outcomes[7], Conflict) and "working hours" in str(outcomes[7])
    assert isinstance(outcomes[8], NotFound)
    with db.reading() as session:
        stored = session.query(AppointmentItem).filter(AppointmentItem.staff_id == staff.id).count()
    assert stored == 3


def test_a_batch_that_cannot_get_its_locks_answers_busy_and_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session holds a staff pool's lock past lock_timeout: the batch fails whole, its
    units are retried alone and end as ServiceBusy (503), nothing is written; once the lock is
    free the same units commit."""
    monkeypatch.setattr(locking, "PG_LOCK_TIMEOUT", "50ms")
    monkeypatch.setattr(uow, "ATTEMPTS", 2)
    tenant_id, staff_id = new_id(), new_id()
    needs = [Needs(tenant_id, (staff_id,))] * 3

    units = [locked_mark(tenant_id, staff_id, f"busy{n}") for n in range(3)]
    with held_elsewhere(db, tenant_id, staff_id):
        outcomes = submit_all(db, units, needs)
        assert all(isinstance(o, ServiceBusy) for o in outcomes), outcomes
        assert marks(db) == set()
    assert submit_all(db, units, needs) == ["busy0", "busy1", "busy2"]
    assert marks(db) == {"busy0", "busy1", "busy2"}


def test_a_batch_runs_on_the_event_loop_and_frees_it_while_it_waits(db: Database) -> None:
    """The batch's work stays on the loop's thread (no hand-off to a worker thread), and its
    waits for PostgreSQL are awaited: while it waits for a staff pool's lock held elsewhere,
    the loop goes on serving other tasks. A blocking call there would stall every request of
    the process."""
    tenant_id, staff_id = new_id(), new_id()
    threads: list[int] = []
    ticks_while_held: list[int] = []
    outcomes: list[Any] = []

    async def main(release: Callable[[], None]) -> None:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await anyio.sleep(0.01)
                ticks += 1

        async def book(name: str) -> None:
            unit = locked_mark(tenant_id, staff_id, name, threads)
            outcomes.append(await uow.submit(db, unit, Needs(tenant_id, (staff_id,))))

        async with anyio.create_task_group() as group:
            group.start_soon(tick)
            async with anyio.create_task_group() as bookings:
                for name in ("w1", "w2", "w3"):
                    bookings.start_soon(book, name)
                await anyio.sleep(0.3)
                ticks_while_held.append(ticks)
                release()
            group.cancel_scope.cancel()

    with held_elsewhere(db, tenant_id, staff_id) as release:
        anyio.run(main, release)
    assert sorted(outcomes) == ["w1", "w2", "w3"] and marks(db) == {"w1", "w2", "w3"}
    assert set(threads) == {threading.get_ident()}, "the batch ran in another thread"
    # ~30 ticks when the loop is free; a loop stalled by the batch ticks once or not at all.
    assert ticks_while_held[0] >= 5, f"the loop ticked {ticks_while_held[0]} times in 0.3 s of waiting"


def test_each_event_loop_has_its_own_connection_and_a_closed_loop_gives_it_back(db: Database) -> None:
    """A new loop (each anyio.run here) cannot use the connection of a closed one: it opens
    its own, and the closed loop's is closed, so repeated loops hold no more connections."""

    def backends() -> int:
        with db.reading() as session:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            return session.scalar(text(query))

    assert submit_all(db, [mark("first-a"), mark("first-b")]) == ["first-a", "first-b"]
    held = backends()
    for n in range(4):
        assert submit_all(db, [mark(f"{n}a"), mark(f"{n}b")]) == [f"{n}a", f"{n}b"]
    assert backends() == held

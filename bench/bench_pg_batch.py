"""The cost of one PostgreSQL group-commit batch, in-process: no HTTP, no other request.

    .venv/bin/python bench/bench_pg_batch.py [--sizes 1 4 7 16 32] [--bookings 2000]

Seeds a scratch database (bench/scratch_db.py, 20,000 appointments), then runs batches of N
booking units straight through PgGroupCommit.run on one event loop (what a server process runs)
and reports per booking: this process's CPU, the PostgreSQL backends' CPU (/proc) and wall
time. Compare with bench_server.py's per-booking server CPU: what the server pays beyond these
figures is HTTP, validation, and the loop's other work between a batch's round trips.
Writes reports/bench-pg-batch.json. Numbers, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import anyio  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.bench_server import booking_body, first_booking_day, process_cpu  # noqa: E402
from bench.scratch_db import scratch_database  # noqa: E402
from bench.volume import Volume, seed_volume  # noqa: E402
from reference_server.db import Database  # noqa: E402
from reference_server.faults import load_policy  # noqa: E402
from reference_server.schemas.booking import AppointmentCreate  # noqa: E402
from reference_server.services import booking, uow  # noqa: E402
from reference_server.services.pg_group_commit import PgGroupCommit  # noqa: E402

REPORT = REPO / "reports" / "bench-pg-batch.json"
STAFF = 32


def backends_cpu(db: Database) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving this database (local server)."""
    total = 0.0
    with db.write_engine.connect() as conn:
        for pid in conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")):
            try:
                total += process_cpu(pid)
            except OSError:
                continue
    return total


class Bodies:
    """The bench's booking bodies (bench_server.booking_body), staff member by staff member."""

    def __init__(self, volume: Volume) -> None:
        self.volume = volume
        self.first_day = first_booking_day()
        self.made = [0] * STAFF

    def next(self, staff: int) -> AppointmentCreate:
        n = self.made[staff]
        self.made[staff] += 1
        return AppointmentCreate.model_validate(booking_body(self.volume, self.first_day, staff, n))


def measure(db: Database, bodies: Bodies, tenant_id: str, size: int, bookings: int) -> dict:
    policy = load_policy(None)
    group = PgGroupCommit(db, lambda unit: uow.write(db, unit))
    count = 0

    def batch() -> list:
        nonlocal count
        units = []
        for _ in range(size):
            body = bodies.next(count % STAFF)
            count += 1
            unit = booking.booking_unit(policy=policy, tenant_id=tenant_id, body=body)
            units.append((unit, booking.needs(policy, tenant_id, body)))
        return units

    async def run_all() -> tuple[int, float, float, float]:
        for _ in range(max(3, 20 // size)):  # warm-up: the connection, prepared statements, plans
            await group.run(batch())
        batches = [batch() for _ in range(max(1, bookings // size))]
        pg, cpu, wall = backends_cpu(db), time.process_time(), time.perf_counter()
        booked = 0
        for units in batches:
            booked += sum(1 for success, _ in await group.run(units) if success)
        return booked, time.process_time() - cpu, time.perf_counter() - wall, backends_cpu(db) - pg

    ok, cpu, wall, pg = anyio.run(run_all)
    n = max(1, bookings // size) * size
    return {
        "batch_size": size,
        "bookings": n,
        "booked": ok,
        "python_cpu_ms_per_booking": round(1000 * cpu / n, 3),
        "postgres_cpu_ms_per_booking": round(1000 * pg / n, 3),
        "wall_ms_per_booking": round(1000 * wall / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgresql")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 7, 16, 32])
    parser.add_argument("--bookings", type=int, default=2000, help="per batch size")
    args = parser.parse_args()
    with scratch_database(args.database_url) as (url, _):
        volume = seed_volume(url, 20_000, booking_staff=STAFF)
        db = Database(url)
        try:
            with db.write_engine.connect() as conn:
                outlet = {"o": volume.outlet_id}
                tenant_id = conn.scalar(text("SELECT tenant_id FROM outlets WHERE id = :o"), outlet)
            bodies = Bodies(volume)
            rows = [measure(db, bodies, tenant_id, size, args.bookings) for size in args.sizes]
        finally:
            db.dispose()
    print(f"{'batch':>5} {'bookings':>8} {'booked':>6} {'python ms':>9} {'postgres ms':>11} {'wall ms':>7}")
    for r in rows:
        print(
            f"{r['batch_size']:>5} {r['bookings']:>8} {r['booked']:>6} {r['python_cpu_ms_per_booking']:>9}"
            f" {r['postgres_cpu_ms_per_booking']:>11} {r['wall_ms_per_booking']:>7}"
        )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({"per_batch_size": rows, "cpus": os.cpu_count()}, indent=2) + "\n")
    print(f"wrote {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()

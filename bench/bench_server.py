"""Benchmark of the reference server at volume: grid and booking latency/throughput vs /health.

    .venv/bin/python bench/bench_server.py [--database-url URL] [--workers 2] [--appointments 100000]
    .venv/bin/python bench/bench_server.py --database-url postgresql   # a scratch PostgreSQL database

A PostgreSQL URL's database is created when missing and then dropped after the run (the bare
word `postgresql`: a uniquely named one on 127.0.0.1:5432, bench/scratch_db.py); the tables of
an existing one are dropped and re-seeded.

Seeds N appointments directly through SQLAlchemy (bulk insert, not HTTP), starts
`python -m reference_server` on a free loopback port, then measures in one run:
  * the grid (one staff member, 7 days): latency with 1 client, throughput with 32,
  * then, in --rounds alternating pairs, /health throughput with 32 clients (the ceiling of
    this HTTP stack on this machine) and booking with 32 concurrent clients, each on its own
    staff member (distinct sessions).
Prints a table and writes reports/bench-server.json. Targets: grid p95 < 10 ms; booking
throughput >= 25 % of /health (the median of the rounds' ratios). Numbers, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scratch_db import scratch_database  # noqa: E402
from bench.volume import Volume, seed_volume  # noqa: E402

REPORT = REPO / "reports" / "bench-server.json"
LOAD_WARNING = 1.5  # above this 1-minute load average other processes compete for the CPUs


@dataclass
class Phase:
    name: str
    clients: int
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0  # user+system CPU of all server processes during the phase
    client_cpu_s: float = 0.0  # this process's CPU (the load generator shares the machine's cores)
    load_avg: float = 0.0  # 1-minute load average at the end of the phase

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        pick = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 2) if lat else None  # noqa: E731
        return {
            "phase": self.name,
            "clients": self.clients,
            "requests": self.requests,
            "throughput_rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pick(0.50),
            "p95_ms": pick(0.95),
            "p99_ms": pick(0.99),
            # Load-independent cost: on a busy machine wall-clock latency mostly measures the queue for CPU.
            "server_cpu_ms_per_request": round(1000 * self.server_cpu_s / self.requests, 2)
            if self.requests
            else None,
            "client_cpu_ms_per_request": round(1000 * self.client_cpu_s / self.requests, 2)
            if self.requests
            else None,
            "load_avg_1min": round(self.load_avg, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "reference_server", "--port", str(port), "--database-url", database_url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERENCE_SERVER_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if request(port, "GET", "/health")[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    token: str | None = None,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    """One HTTP/1.1 request (keep-alive when `conn` is given); http.client keeps client cost low."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    return response.status, data


def process_cpu(pid: int | str) -> float:
    """CPU seconds (user + system) used so far by one process (Linux /proc); OSError when gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server process and its worker children (Linux /proc)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sum(process_cpu(proc) for proc in [pid, *children])
    except OSError:
        return 0.0


def run_phase(port: int, phase: Phase, make_request, seconds: float, pid: int = 0) -> Phase:
    """`phase.clients` threads, each with its own connection, calling make_request(i, n) until time is up."""
    start_gate = threading.Barrier(phase.clients + 1)
    stop_at: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local_lat, local_status, n = [], Counter(), 0
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            method, path, body, token = make_request(index, n)
            t0 = time.perf_counter()
            status, _ = request(port, method, path, body, token, conn)
            local_lat.append((time.perf_counter() - t0) * 1000)
            local_status[status] += 1
            n += 1
        conn.close()
        with lock:
            phase.latencies_ms.extend(local_lat)
            phase.statuses.update(local_status)
            phase.requests += n

    threads = [threading.Thread(target=client, args=(i,)) for i in range(phase.clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + seconds)
    began, cpu_before, own_before = time.perf_counter(), server_cpu(pid), time.process_time()
    start_gate.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    phase.server_cpu_s = server_cpu(pid) - cpu_before
    phase.client_cpu_s = time.process_time() - own_before
    phase.load_avg = os.getloadavg()[0]
    return phase


def booking_body(volume: Volume, first_day: date, index: int, n: int) -> dict:
    """The n-th booking of booking staff member `index`: one session per date x hour, 12 a day
    from `first_day` on, never the same twice."""
    return {
        "customer_id": volume.customer_ids[index % len(volume.customer_ids)],
        "outlet_id": volume.outlet_id,
        "appointment_date": (first_day + timedelta(days=n // 12)).isoformat(),
        "services": [
            {
                "service_id": volume.service_id,
                "staff_id": volume.booking_staff_ids[index],
                "start_time": f"{8 + n % 12:02d}:00",
            }
        ],
    }


def first_booking_day() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=2)


def booking_requests(volume: Volume, token: str):
    """Client i books on its own staff member, session after session (date x hour), never the same
    twice, across every phase that uses this maker."""
    first_day = first_booking_day()
    made = Counter()  # per client; each client is one thread, so no two threads share a key

    def make(index: int, _: int):
        n = made[index]
        made[index] += 1
        return "POST", "/api/v1/appointments", booking_body(volume, first_day, index, n), token

    return make


def grid_request(volume: Volume, token: str, start: date):
    path = (
        f"/api/v1/availability/availability-grid?outlet_id={volume.outlet_id}&service_id={volume.service_id}"
        f"&staff_id={volume.grid_staff_id}&start_date={start.isoformat()}&num_days=7"
    )
    return lambda index, n: ("GET", path, None, token)


def login(port: int) -> str:
    status, data = request(
        port, "POST", "/api/v1/auth/login", {"email": "admin@example.com", "password": "admin12345"}
    )
    assert status == 200, data
    return json.loads(data)["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=f"sqlite:///{REPO / 'reports' / 'bench-server.sqlite'}")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed phase")
    parser.add_argument("--rounds", type=int, default=3, help="health/booking pairs, the median ratio counts")
    args = parser.parse_args()
    with scratch_database(args.database_url) as (url, _):
        bench(args, url)


def bench(args: argparse.Namespace, url: str) -> None:
    load = os.getloadavg()[0]
    if load > LOAD_WARNING:
        print(
            f"warning: load average {load:.1f} on {os.cpu_count()} CPUs: latencies will be inflated",
            flush=True,
        )
    t0 = time.perf_counter()
    volume = seed_volume(url, args.appointments, booking_staff=args.clients)
    seeded_s = time.perf_counter() - t0
    print(f"seeded {args.appointments} appointments in {seeded_s:.1f} s", flush=True)
    log = REPO / "reports" / "bench-server.log"
    process, port = start_server(url, args.workers, log)
    try:
        token = login(port)
        grid_make = grid_request(volume, token, volume.grid_start)
        for _ in range(20):  # warm-up: caches, connection pools, pydantic validators
            request(port, *grid_make(0, 0)[:2], token=token)
        grid_latency = run_phase(
            port, Phase("grid (1 staff, 7 days), 1 client", 1), grid_make, args.seconds, process.pid
        )
        grid_load = run_phase(
            port, Phase(f"grid, {args.clients} clients", args.clients), grid_make, args.seconds, process.pid
        )
        booking_make = booking_requests(volume, token)
        rounds = []
        for number in range(1, args.rounds + 1):
            # Side by side, round after round: on a shared machine the ceiling itself moves
            # (+-20 % between minutes here), so each ratio compares phases a few seconds apart.
            health = run_phase(
                port,
                Phase(f"health, round {number}", args.clients),
                lambda i, n: ("GET", "/health", None, None),
                args.seconds,
                process.pid,
            )
            booking = run_phase(
                port,
                Phase(f"booking, {args.clients} clients, round {number}", args.clients),
                booking_make,
                args.seconds,
                process.pid,
            )
            rounds.append((health, booking))
    finally:
        process.terminate()
        process.wait(timeout=30)
    report(args, seeded_s, [grid_latency, grid_load], rounds)


def report(
    args: argparse.Namespace, seeded_s: float, grid: list[Phase], rounds: list[tuple[Phase, Phase]]
) -> None:
    rows = [p.summary() for p in grid] + [p.summary() for pair in rounds for p in pair]
    grid_latency = rows[0]
    ratios = [b.requests / b.seconds / (h.requests / h.seconds) if h.requests else 0.0 for h, b in rounds]
    ratio = statistics.median(ratios)
    verdict = {
        "grid_p95_ms": grid_latency["p95_ms"],
        "grid_p95_target_ms": 10,
        "grid_p95_met": grid_latency["p95_ms"] is not None and grid_latency["p95_ms"] < 10,
        "booking_to_health_ratio": round(ratio, 3),  # the median of the rounds
        "booking_to_health_ratio_by_round": [round(r, 3) for r in ratios],
        "booking_ratio_target": 0.25,
        "booking_ratio_met": ratio >= 0.25,
    }
    head = (
        f"{'phase':36} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    print(f"\n{head} {'cpu ms/req':>10} {'client ms':>9} {'load':>5}  statuses")
    for r in rows:
        print(
            f"{r['phase']:36} {r['clients']:>7} {r['requests']:>8} {r['throughput_rps']:>8} {r['p50_ms']:>7} "
            f"{r['p95_ms']:>7} {r['p99_ms']:>7} {r['server_cpu_ms_per_request']:>10} "
            f"{r['client_cpu_ms_per_request']:>9} {r['load_avg_1min']:>5}  {r['statuses']}"
        )
    met = {True: "met", False: "MISSED"}
    print(
        f"\ngrid p95 {verdict['grid_p95_ms']} ms (target < 10: {met[verdict['grid_p95_met']]}); "
        f"booking = {ratio:.0%} of /health, median of {len(ratios)} rounds "
        f"({', '.join(f'{r:.0%}' for r in ratios)}) (target >= 25%: {met[verdict['booking_ratio_met']]}); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
        "config": {**vars(args), "seed_seconds": round(seeded_s, 2)},
        "phases": rows,
        "targets": verdict,
    }
    REPORT.write_text(json.dumps(payload, indent=2, default=str))
    print(f"wrote {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()

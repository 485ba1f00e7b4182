"""`make load`: the bundled reference server (unless --base-url), then Locust, then the verdict.

    python -m load.run                       # 2 server processes on SQLite, 50 users, 60 s, 2 workers
    python -m load.run --server-database-url postgresql   # the same on a scratch PostgreSQL database
    python -m load.run --users 40 --wait-min 0 --wait-max 0.1 --load-staff 2 --load-hours 2 \
        --weight-browse 1 --weight-cancel 2          # a rush on 4 sessions (tests/load RUSH)
    python -m load.run --base-url URL --api-email E --api-password P --users 500 --run-time 10m

Other arguments go to Locust unchanged (e.g. --weight-cancel 3, --max-p95-ms 500). The exit
code is Locust's, which the locustfile sets to 0 only when the verdict is pass.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench.scratch_db import ScratchError, scratch_database
from fixtures import bundled
from fixtures.bundled import SEED, BundledServer, BundledServerError
from fixtures.options import BASE_URL_ENV, ENV, SERVER_WORKERS_ENV

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "load"
# Two server processes importing at once on a busy 2-core machine can take longer than the
# suite's 20 s; the load run is minutes long anyway, so it waits up to a minute for /health.
START_DEADLINE_S = 60.0


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__)
    parser.add_argument("--base-url", default=os.getenv(BASE_URL_ENV))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=25.0)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--processes", type=int, default=2, help="Locust worker processes on this machine")
    parser.add_argument("--server-workers", type=int, default=int(os.getenv(SERVER_WORKERS_ENV) or 2))
    parser.add_argument(
        "--server-database-url",
        default=os.getenv(ENV["server_database_url"]),
        help="bundled server's database (default: a temp SQLite file); 'postgresql': a scratch "
        "database on 127.0.0.1:5432, dropped after the run (bench/scratch_db.py)",
    )
    parser.add_argument("--server-fault", default=os.getenv(ENV["server_fault"]))
    parser.add_argument("--reports", type=Path, default=REPORTS)
    return parser.parse_known_args(argv)


def locust_command(args: argparse.Namespace, base_url: str, extra: list[str]) -> list[str]:
    reports = args.reports
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "load" / "locustfile.py"), "--headless",
        "--processes", str(args.processes), "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", args.run_time, "--base-url", base_url, "--host", base_url,
        "--csv", str(reports / "load"), "--html", str(reports / "report.html"),
        "--verdict-file", str(reports / "verdict.json"), "--only-summary",
    ]  # fmt: skip
    if args.server_fault:
        command += ["--server-fault", args.server_fault]
    if args.bundled and args.throwaway:
        command.append("--keep-data")  # the server's own database goes with it: nothing to undo
    return command + extra


def main(argv: list[str] | None = None) -> int:
    args, extra = parse(argv)
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / "verdict.json").unlink(missing_ok=True)
    if args.base_url:
        args.throwaway = False
        return run(args, extra)
    try:
        given = args.server_database_url
        with scratch_database(given) as (url, made):
            args.server_database_url, args.throwaway = url, given is None or made
            return run(args, extra)
    except ScratchError as exc:
        print(exc, file=sys.stderr)
        return 3


def run(args: argparse.Namespace, extra: list[str]) -> int:
    server, env = None, dict(os.environ)
    if not args.base_url:
        bundled.START_DEADLINE_S = max(bundled.START_DEADLINE_S, START_DEADLINE_S)
        try:
            server = BundledServer.start(
                root=ROOT,
                database_url=args.server_database_url,
                workers=args.server_workers,
                fault=args.server_fault,
            )
        except BundledServerError as exc:
            print(exc, file=sys.stderr)
            return 3
        env |= {ENV["api_email"]: SEED["ADMIN_EMAIL"], ENV["api_password"]: SEED["ADMIN_PASSWORD"]}
        env.pop(ENV["api_token"], None)
        print(f"Bundled reference server: {server.base_url} ({args.server_workers} processes)", flush=True)
    base_url = args.base_url or (server.base_url if server else "")
    args.bundled = server is not None
    try:
        code = subprocess.call(locust_command(args, base_url, extra), cwd=ROOT, env=env)
    finally:
        if server is not None:
            server.stop()
    print(f"Reports: {args.reports}/report.html, {args.reports}/load_stats.csv, {args.reports}/verdict.json")
    return code


if __name__ == "__main__":
    sys.exit(main())

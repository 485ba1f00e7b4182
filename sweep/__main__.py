"""python -m sweep --base-url URL (--api-email E --api-password P | --api-token T) [--dry-run]."""

from __future__ import annotations

import argparse
import os
import sys

from fixtures import gateway
from fixtures.api import BookingApi
from fixtures.marks import PREFIX
from fixtures.preflight import EXIT_CODE, Account, PreflightError, login
from sweep.core import SweepError, find, remove

VERB = {
    "appointment": "cancelled",
    "customer": "deleted",
    "availability": "deleted",
    "staff": "deleted",
    "service": "deactivated",
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make sweep",
        description=f"Remove leftovers of earlier suite runs: active records whose names carry the run "
        f"mark ({PREFIX}<run id>, fixtures/marks.py), and nothing else.",
    )
    parser.add_argument(
        "--base-url", default=os.getenv("PYTEST_BASE_URL"), required=not os.getenv("PYTEST_BASE_URL")
    )
    parser.add_argument("--api-email", default=os.getenv("CONFORMANCE_API_EMAIL"))
    parser.add_argument("--api-password", default=os.getenv("CONFORMANCE_API_PASSWORD"))
    parser.add_argument("--api-token", default=os.getenv("CONFORMANCE_API_TOKEN"))
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    parser.add_argument(
        "--keep-run",
        action="append",
        default=[],
        metavar="RUN_ID",
        help="leave this run's records alone (a run still going on); repeatable",
    )
    parser.add_argument("--request-timeout", type=float, default=gateway.DEFAULT_TIMEOUT)
    parser.add_argument("--max-retries", type=int, default=gateway.DEFAULT_MAX_RETRIES)
    parser.add_argument("--max-rps", type=float, default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    with gateway.client(
        args.base_url, timeout=args.request_timeout, max_retries=args.max_retries, max_rps=args.max_rps
    ) as client:
        try:
            token = args.api_token or login(
                client,
                args.base_url,
                Account(
                    "admin",
                    args.api_email or "",
                    args.api_password or "",
                    "--api-email/--api-password or --api-token",
                ),
            )
            api = BookingApi(client, token=token, validate=None)
            found = find(api, keep_runs=args.keep_run)
        except (PreflightError, SweepError) as exc:
            print(f"sweep: {exc}", file=sys.stderr)
            return EXIT_CODE
        if not found:
            print(
                f"sweep: nothing to remove at {args.base_url} (no active record carries a {PREFIX} run mark)"
            )
            return 0
        if args.dry_run:
            for item in found:
                print(f"would remove  {item.kind:<12} {item.id}  run {item.run}  {item.label}")
            print(
                f"sweep --dry-run: {len(found)} record(s) of {len({f.run for f in found})} run(s); "
                "nothing removed"
            )
            return 0
        report = remove(api, found)
    for item in report.removed:
        print(f"{VERB[item.kind]:<12} {item.kind:<12} {item.id}  run {item.run}  {item.label}")
    for line in report.problems:
        print(f"NOT removed   {line}", file=sys.stderr)
    print(
        f"sweep: removed {len(report.removed)} of {len(found)} record(s); {len(report.problems)} problem(s)"
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The load profile's options on Locust's parser: the suite's own flags and variables, plus knobs.

Credentials, base URL and keep-data are the suite's (fixtures/options.py: one list, one set of
environment variables), so `--api-email` or CONFORMANCE_API_EMAIL means the same to both tools.
The master parses them; Locust hands custom options to every worker with the spawn message.
"""

from __future__ import annotations

import os
import secrets
from argparse import Namespace
from typing import Any

from fixtures.options import (
    BASE_URL_ENV,
    ENV,
    HELP,
    KEEP_DATA_ENV,
    Credentials,
    TargetConfig,
    env_flag,
)

# The accounts the load uses; the rest of ENV (isolation, expected failures) has no load meaning.
CREDENTIALS = ("api_email", "api_password", "api_token")
WEIGHTS = {  # task -> default weight: browsing dominates, as on a real booking page
    "browse": 4,
    "book_parallel": 4,
    "book_single": 1,
    "reschedule": 1,
    "cancel": 1,
    "no_show": 1,
}
MARK_TOOL = "load"  # names carry fixtures.marks.mark(run_id, tool="load"): cleanup and `make sweep` find them


def add_arguments(parser: Any) -> None:
    """Locust's configargparse parser: `env_var` gives the same variables as the suite."""
    group = parser.add_argument_group("conformance", "target and load profile (same flags as the suite)")
    group.add_argument(
        "--base-url",
        default=os.getenv(BASE_URL_ENV),
        help=f"the target's base URL (else Locust's --host) [env {BASE_URL_ENV}]",
    )
    for dest in (*CREDENTIALS, "server_fault"):
        group.add_argument(
            f"--{dest.replace('_', '-')}",
            dest=dest,
            default=os.getenv(ENV[dest]),
            help=f"{HELP[dest]} [env {ENV[dest]}]",
        )
    group.add_argument(
        "--keep-data",
        action="store_true",
        default=env_flag(KEEP_DATA_ENV),
        help=f"do not cancel/delete what the run created [env {KEEP_DATA_ENV}]",
    )
    group.add_argument("--run-id", default=None, help="run id in every name (default: random)")
    group.add_argument("--load-staff", type=int, default=3, help="staff members, one window each")
    group.add_argument("--load-capacity", type=int, default=3, help="places of the parallel service")
    group.add_argument("--load-hours", type=int, default=4, help="hourly session starts per staff")
    for name, weight in WEIGHTS.items():
        group.add_argument(f"--weight-{name.replace('_', '-')}", type=int, default=weight)
    # Think time of a front desk between two actions: 50 users offer ~50 requests/s, a load the
    # target should serve without queueing; shorten it to find where it starts to queue.
    group.add_argument("--wait-min", type=float, default=0.5, help="seconds between a user's actions")
    group.add_argument("--wait-max", type=float, default=1.5)
    group.add_argument("--max-error-rate", type=float, default=0.01, help="failures / requests")
    group.add_argument("--max-p95-ms", type=float, default=2000.0, help="p95 limit, each endpoint")
    group.add_argument("--verdict-file", default="reports/load/verdict.json")


def target_config(options: Namespace) -> TargetConfig:
    """The suite's TargetConfig from Locust's parsed options (one configuration object)."""
    base_url = options.base_url or getattr(options, "host", None)
    if not base_url:
        raise SystemExit("No target: give --base-url / PYTEST_BASE_URL (or Locust's --host).")
    return TargetConfig(
        base_url=base_url.rstrip("/"),
        email=options.api_email,
        password=options.api_password,
        token=options.api_token,
        other_tenant=None,
        staff=None,
        keep_data=bool(options.keep_data),
        run_id=options.run_id or secrets.token_hex(3),
    )


def weights(options: Namespace) -> dict[str, int]:
    return {name: max(0, int(getattr(options, f"weight_{name}"))) for name in WEIGHTS}


__all__ = ["Credentials", "TargetConfig", "add_arguments", "target_config", "weights"]

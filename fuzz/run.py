"""`make fuzz`: Schemathesis with schemas/openapi.json against a target, logged in.

    python -m fuzz.run [--base-url URL] [--api-email E --api-password P | --api-token T]
                       [--max-time S] [--max-examples N] [--baseline FILE] [-- <schemathesis options>]

The suite's options and variables (PYTEST_BASE_URL, CONFORMANCE_API_EMAIL,
CONFORMANCE_API_PASSWORD, CONFORMANCE_API_TOKEN); without a base URL, the bundled reference
server (fixtures/bundled.py: a fresh temp SQLite file, a free port, the seed admin). Results
go to the suite's Allure results (reports/allure-results, then `make report`) and to JUnit
in reports/fuzz/. Known findings live in a Schemathesis baseline (fuzz/baseline.json):
they are reported, and do not fail the run; new ones do. The exit code is Schemathesis's
(0: no new failure and no error of its own).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from fixtures import bundled, marks
from fixtures.bundled import SEED, BundledServer, BundledServerError

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "schemas" / "openapi.json"
HOOKS = ROOT / "fuzz" / "hooks.py"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
)
PHASES = "examples,coverage,fuzzing"


@dataclass(frozen=True, slots=True)
class Target:
    base_url: str
    token: str
    bundled: bool


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="make fuzz ARGS=...", description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--base-url", default=env("PYTEST_BASE_URL"), help="target (default: bundled server)")
    parser.add_argument("--api-email", default=env("CONFORMANCE_API_EMAIL"))
    parser.add_argument("--api-password", default=env("CONFORMANCE_API_PASSWORD"))
    parser.add_argument("--api-token", default=env("CONFORMANCE_API_TOKEN"), help="instead of email/password")
    parser.add_argument("--max-time", type=int, default=120, help="time budget of the whole run, seconds")
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument(
        "--schema",
        default=str(OPENAPI),
        help="the OpenAPI to fuzz with: a file, a URL, or 'served' (the target's /api/v1/openapi.json)",
    )
    parser.add_argument("--workers", default="2")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed, for a reproducible run")
    parser.add_argument("--baseline", type=Path, default=ROOT / "fuzz" / "baseline.json")
    parser.add_argument("--baseline-update", action="store_true", help="accept this run's failures")
    parser.add_argument("--report-allure-path", type=Path, default=ROOT / "reports" / "allure-results")
    parser.add_argument("--junit-path", type=Path, default=ROOT / "reports" / "fuzz" / "junit.xml")
    parser.add_argument("--fault", default=None, help="bundled server only: run it with this fault")
    parser.add_argument(
        "--start-deadline", type=float, default=60.0, help="bundled server: seconds to come up"
    )
    args, extra = parser.parse_known_args(argv)
    return args, [a for a in extra if a != "--"]


def login(base_url: str, email: str, password: str) -> str:
    """The access token; SystemExit with one actionable line when the target refuses."""
    url = f"{base_url.rstrip('/')}/api/v1/auth/login"
    try:
        response = httpx.post(url, json={"email": email, "password": password}, timeout=15)
    except httpx.TransportError as exc:
        raise SystemExit(
            f"Cannot reach {url} ({type(exc).__name__}: {exc}). Check --base-url / PYTEST_BASE_URL."
        ) from None
    if response.status_code != 200 or "access_token" not in response.text:
        raise SystemExit(
            f"Login at {url} answered {response.status_code}. "
            "Check --api-email/--api-password (CONFORMANCE_API_EMAIL/CONFORMANCE_API_PASSWORD)."
        )
    return str(response.json()["access_token"])


def command(args: argparse.Namespace, target: Target, extra: list[str]) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(OPENAPI),
        "--url",
        target.base_url.rstrip("/"),
    ]
    cmd += [
        "-H",
        f"Authorization: Bearer {target.token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        args.phases,
    ]
    cmd += [
        "--max-time",
        str(args.max_time),
        "--max-examples",
        str(args.max_examples),
        "--workers",
        args.workers,
    ]
    cmd += ["--report", "junit,allure", "--report-junit-path", str(args.junit_path)]
    cmd += ["--report-allure-path", str(args.report_allure_path)]
    # Schemathesis creates a missing baseline from the run (accepting every failure): only an
    # existing file, or an explicit --baseline-update, is passed on.
    if args.baseline_update:
        cmd += ["--baseline", str(args.baseline), "--baseline-update"]
    elif args.baseline.exists():
        cmd += ["--baseline", str(args.baseline)]
    cmd += ["--seed", str(args.seed)] if args.seed is not None else []
    # The bundled server lives only for this run: its examples must not outlive it.
    cmd += ["--generation-database", ":memory:", "--no-color", *extra]
    return cmd


def run(args: argparse.Namespace, target: Target, extra: list[str]) -> int:
    args.junit_path.parent.mkdir(parents=True, exist_ok=True)
    args.report_allure_path.mkdir(parents=True, exist_ok=True)
    mark = f"{marks.mark(secrets.token_hex(3), tool='fuzz')}-"
    env = os.environ | {"SCHEMATHESIS_HOOKS": str(HOOKS), "FUZZ_MARK": mark, "PYTHONPATH": str(ROOT)}
    where = (
        "bundled reference server" + (f" (fault {args.fault})" if args.fault else "")
        if target.bundled
        else ""
    )
    print(f"fuzz: {target.base_url} {where}; created records are marked {mark!r}", flush=True)
    started = time.monotonic()
    rc = subprocess.call(command(args, target, extra), cwd=ROOT, env=env)
    print(
        f"fuzz: Schemathesis exit code {rc} after {time.monotonic() - started:.1f} s; JUnit {args.junit_path}"
    )
    return rc


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(argv)
    if args.base_url:
        token = args.api_token
        if not token:
            if not (args.api_email and args.api_password):
                raise SystemExit("Give --api-email and --api-password (or --api-token) for the target.")
            token = login(args.base_url, args.api_email, args.api_password)
        return run(args, Target(args.base_url, token, bundled=False), extra)
    # The suite's 20 s is tight on a loaded CI machine (argon2 seeding); a fuzz run waits longer.
    bundled.START_DEADLINE_S = max(bundled.START_DEADLINE_S, args.start_deadline)
    try:
        server = BundledServer.start(root=ROOT, fault=args.fault)
    except BundledServerError as exc:
        raise SystemExit(str(exc)) from None
    try:
        token = login(server.base_url, SEED["ADMIN_EMAIL"], SEED["ADMIN_PASSWORD"])
        return run(args, Target(server.base_url, token, bundled=True), extra)
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())

"""Production options: the smoke profile, --outlet-id, --max-rps, --request-timeout."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from suite_runs import run_suite

from fixtures.bundled import SEED, BundledServer


def test_smoke_profile_passes_in_under_30_requests_and_leaves_nothing(
    reference: BundledServer, tmp_path: Path
) -> None:
    run = run_suite(reference.base_url, tmp_path, "-m", "smoke", "scenarios")
    assert run.returncode == 0, run.output[-2000:]
    assert run.totals["passed"] > 0 and run.totals["failed"] == 0
    assert 0 < run.summary["traffic"]["requests"] < 30, run.summary["traffic"]
    assert f"requests sent: {run.summary['traffic']['requests']}" in run.output
    assert run.summary["residue"]["active"] == [] and run.summary["residue"]["checked"] > 0


def test_outlet_id_unknown_is_one_clear_line(reference: BundledServer, tmp_path: Path) -> None:
    run = run_suite(reference.base_url, tmp_path, "-m", "smoke", "scenarios", "--outlet-id", "no-such-outlet")
    assert run.returncode == 3
    assert "--outlet-id no-such-outlet is not an outlet of tenant" in run.output


def test_outlet_id_chooses_the_outlet(reference: BundledServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=reference.base_url) as client:
        token = client.post(
            "/api/v1/auth/login", json={"email": SEED["ADMIN_EMAIL"], "password": SEED["ADMIN_PASSWORD"]}
        ).json()["access_token"]
        outlets = client.get("/api/v1/tenants/me", headers={"Authorization": f"Bearer {token}"}).json()[
            "outlets"
        ]
    run = run_suite(
        reference.base_url, tmp_path, "-m", "smoke", "scenarios", "--outlet-id", str(outlets[-1]["id"])
    )
    assert run.returncode == 0, run.output[-2000:]


def test_max_rps_caps_the_whole_run(reference: BundledServer, tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_suite(reference.base_url, tmp_path, "-m", "smoke", "scenarios", "--max-rps", "20", "-n", "2")
    took = time.monotonic() - started
    assert run.returncode == 0, run.output[-2000:]
    # the workers' requests (all but the controller's preflight) are spaced 1/20 s apart in all
    assert took >= (run.summary["traffic"]["requests"] - 5) / 20


def test_request_timeout_reaches_httpx(reference: BundledServer, tmp_path: Path) -> None:
    run = run_suite(reference.base_url, tmp_path, "-m", "smoke", "scenarios", "--request-timeout", "0.000001")
    assert run.returncode == 3 and "Cannot reach" in run.output  # the preflight times out at once

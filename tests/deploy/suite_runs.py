"""Run the suite in a subprocess against a URL and read its summary (deployment tests, bench)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures.bundled import SEED
from fixtures.target import REPO_ROOT


@dataclass
class SuiteRun:
    returncode: int
    output: str
    summary: dict[str, Any]

    @property
    def totals(self) -> dict[str, int]:
        return self.summary["totals"]


def credentials(*, token: str | None = None) -> list[str]:
    """The seeded accounts as options (admin by token when given)."""
    admin = (
        ["--api-token", token]
        if token
        else ["--api-email", SEED["ADMIN_EMAIL"], "--api-password", SEED["ADMIN_PASSWORD"]]
    )
    return [
        *admin,
        *(
            "--other-tenant-email",
            SEED["OTHER_ADMIN_EMAIL"],
            "--other-tenant-password",
            SEED["OTHER_ADMIN_PASSWORD"],
        ),
        *("--staff-email", SEED["STAFF_EMAIL"], "--staff-password", SEED["STAFF_PASSWORD"]),
    ]


def suite_command(
    base_url: str, tmp: Path, *args: str, token: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The pytest command line and environment of a suite run against `base_url` (no
    CONFORMANCE_*/PYTEST_* variables of ours leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFORMANCE_", "PYTEST_"))}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--base-url",
        base_url,
        *credentials(token=token),
        f"--summary-dir={tmp}",
        f"--alluredir={tmp / 'allure'}",
        *args,
    ]
    return command, env


def run_suite(
    base_url: str, tmp: Path, *args: str, token: str | None = None, timeout: float = 300
) -> SuiteRun:
    """The suite (scenarios/ unless `args` names modules) against `base_url`, in a subprocess."""
    command, env = suite_command(base_url, tmp, *args, token=token)
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    path = tmp / "conformance-summary.json"
    summary = json.loads(path.read_text()) if path.exists() else {}
    return SuiteRun(done.returncode, done.stdout + done.stderr, summary)

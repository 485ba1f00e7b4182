"""Run the conformance suite against the bundled server (one fault or none) and judge the result.

Shared by kill_matrix.py, flake_check.py, race_power.py and test_kill_matrix.py. Every run is a
separate `python -m pytest` process with its own summary JSON and server (a
fresh SQLite file on a free port, started by run_server.py), bounded by a timeout.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
RUN_TIMEOUT_SECONDS = 600

sys.path.insert(0, str(REPO))  # reference_server.faults, when run as a script

import run_server  # noqa: E402

from fixtures.bundled import BundledServerError  # noqa: E402
from fixtures.options import ENV  # noqa: E402
from reference_server.faults import FAULTS, Fault  # noqa: E402

TARGET_ENV = frozenset(ENV.values())  # CONFORMANCE_* target options: the runner gives them all

# Plugins installed for load/, fuzz/ and the HTML report that a run judged by its summary never
# uses; loading them was 1.4 s of the 2.4 s a pytest process took to start. Allure goes with
# pytest.ini's Allure options (its results, ~20 MB a run, were thrown away anyway).
UNUSED_PLUGINS = ("allure_pytest", "anyio", "faker", "hypothesispytest", "locust", "schemathesis")


def _lean_arguments() -> list[str]:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(REPO / "pytest.ini")
    addopts = [o for o in shlex.split(ini["pytest"]["addopts"]) if "alluredir" not in o]
    return [*(f"-pno:{name}" for name in UNUSED_PLUGINS), "-o", f"addopts={shlex.join(addopts)}"]


LEAN = _lean_arguments()
FAILING = ("failed", "xpassed")  # the target does not conform (summary.py's OUTCOME names)
BROKEN = ("error", "unreachable")  # the suite could not judge: never a kill


@dataclass
class Run:
    """One pytest process: its exit code, wall time, summary (None if it wrote none) and log tail."""

    fault: str | None
    args: list[str]
    returncode: int
    seconds: float
    summary: dict[str, Any] | None
    log_tail: str

    def checks(self) -> list[dict[str, Any]]:
        return (self.summary or {}).get("checks", [])

    def ids_with(self, outcomes: tuple[str, ...]) -> dict[str, str]:
        """checklist id -> first message, for checks whose outcome is in `outcomes`."""
        found: dict[str, str] = {}
        for check in self.checks():
            if check["outcome"] in outcomes:
                found.setdefault(check["checklist_id"] or check["nodeid"], check["message"])
        return found


@dataclass
class Verdict:
    fault: str
    status: str  # killed | survived | wrong-reason | could-not-test
    expected: tuple[str, ...]
    missing: list[str]  # expected ids that did not fail
    extra: dict[str, str]  # failing ids nobody asked for, with their first message
    failing: dict[str, str] = field(default_factory=dict)  # every failing id
    broken: dict[str, str] = field(default_factory=dict)  # suite errors / unreachable
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "killed"


def files_for(ids: tuple[str, ...]) -> list[str]:
    """The scenario modules that hold a test for any of `ids`."""
    return sorted({path for path, _ in _tests_for(ids)})


def selection_for(ids: tuple[str, ...]) -> list[str]:
    """pytest arguments that run just the tests of `ids` (the CI guard's selection): their
    modules plus `-k` with their names (a class's act fixture still runs whole)."""
    tests = _tests_for(ids)
    names = sorted({name for _, name in tests})
    return [*files_for(ids), "-k", " or ".join(names)] if names else []


def _tests_for(ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, test function) for each test decorated with @checklist("<id>", ...) of `ids`."""
    found = []
    for path in sorted(SCENARIOS.glob("test_*.py")):
        text = path.read_text()
        for match in re.finditer(r'@checklist\(\s*"([^"]+)"[\s\S]*?def (test_\w+)', text):
            if match.group(1) in ids:
                found.append((str(path.relative_to(REPO)), match.group(2)))
    return found


def run_suite(
    fault: str | None,
    workdir: Path,
    *,
    paths: list[str] | None = None,
    workers: str | None = "auto",
    extra: list[str] | None = None,
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> Run:
    """One bounded pytest run of `paths` (default: the whole suite) against a bundled server with
    `fault` that this function starts and stops (run_server.py)."""
    tag = fault or "correct"
    workdir.mkdir(parents=True, exist_ok=True)
    # Each run its own summary folder: runs go side by side and the user's reports/ stays as it was.
    summary_path = workdir / tag / "conformance-summary.json"
    summary_path.unlink(missing_ok=True)
    args = [*(paths or ["scenarios"]), "-p", "no:cacheprovider", "-q", *LEAN]
    args += [f"--summary-dir={summary_path.parent}", "-n", workers or "0"]
    args += extra or []
    env = dict(os.environ)
    # Only `fault` and the runner's server decide; and a run started from inside pytest
    # (tests/mutation) must not inherit the outer run's xdist/pytest variables.
    for name in [n for n in env if n.startswith("PYTEST_") or n in TARGET_ENV]:
        env.pop(name)
    started = time.monotonic()
    try:
        server = run_server.start(fault, REPO)
    except BundledServerError as exc:
        return Run(fault, args, -1, time.monotonic() - started, None, str(exc)[-2000:])
    args += run_server.target_arguments(server)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        returncode, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, output = -1, f"timed out after {timeout:.0f} s\n{exc.stdout or ''}"
    finally:
        server.stop()
    seconds = time.monotonic() - started
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    tail = "\n".join(str(output).splitlines()[-15:])
    return Run(fault, args, returncode, seconds, summary, tail)


def judge(fault: Fault, run: Run) -> Verdict:
    """killed: every expected id failed; wrong-reason: something failed, not all expected ids."""
    failing, broken = run.ids_with(FAILING), run.ids_with(BROKEN)
    missing = [i for i in fault.expected_failures if i not in failing]
    extra = {i: m for i, m in failing.items() if i not in fault.expected_failures}
    if run.summary is None:
        status = "could-not-test"
        broken = broken or {"(run)": run.log_tail}
    elif not missing:
        status = "killed"
    elif failing:
        status = "wrong-reason"
    elif broken:
        status = "could-not-test"
    else:
        status = "survived"
    return Verdict(
        fault.name, status, fault.expected_failures, missing, extra, failing, broken, round(run.seconds, 1)
    )


def faults(names: list[str] | None) -> list[Fault]:
    """The named faults (all when `names` is empty); unknown names stop the run."""
    if not names:
        return list(FAULTS.values())
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise SystemExit(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(FAULTS)}")
    return [FAULTS[n] for n in names]

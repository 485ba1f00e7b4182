"""Bounded `make fuzz` runs against the bundled server: clean when correct, failing on each fault.

Each run starts its own bundled server (fixtures/bundled.py) through fuzz/run.py and writes
JUnit and Allure results into tmp_path, never into reports/. The budget of the three runs is
kept to about a minute on two cores (the correct run is bounded by --max-time).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from fixtures.target import REPO_ROOT


def fuzz(tmp_path: Path, *args: str) -> tuple[int, str, ET.Element]:
    junit = tmp_path / "junit.xml"
    cmd = [sys.executable, "-m", "fuzz.run", "--junit-path", str(junit), "--report-allure-path"]
    cmd += [str(tmp_path / "allure"), "--seed", "12", "--workers", "1", *args]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    return done.returncode, done.stdout + done.stderr, ET.parse(junit).getroot()


def failures(root: ET.Element) -> dict[str, str]:
    """Operation -> failure text, for every failed JUnit test case."""
    found = {}
    for case in root.iter("testcase"):
        for failure in case.iter("failure"):
            found[case.get("name", "")] = failure.get("message", "") + (failure.text or "")
    return found


def test_correct_server_has_no_failures_on_any_operation(tmp_path):
    rc, out, root = fuzz(tmp_path, "--max-time", "25", "--max-examples", "5")
    assert rc == 0, out[-4000:]
    assert failures(root) == {}
    assert int(root.get("tests", 0)) >= 28, "every operation of schemas/openapi.json is tested"
    assert list((tmp_path / "allure").glob("*-result.json")), "Allure results written"


def test_fault_malformed_input_500_is_found(tmp_path):
    only = ["--include-name", "POST /api/v1/customers", "--phases", "coverage", "--max-failures", "1"]
    rc, out, root = fuzz(tmp_path, "--fault", "malformed-input-500", "--max-time", "20", *only)
    assert rc != 0, out[-4000:]
    assert "Server error" in failures(root).get("POST /api/v1/customers", ""), out[-4000:]


def test_fault_unauthenticated_staff_list_is_found(tmp_path):
    only = ["--include-name", "GET /api/v1/staff", "--phases", "coverage", "--max-failures", "1"]
    rc, out, root = fuzz(tmp_path, "--fault", "unauthenticated-staff-list", "--max-time", "20", *only)
    assert rc != 0, out[-4000:]
    assert "uthentication" in failures(root).get("GET /api/v1/staff", ""), out[-4000:]

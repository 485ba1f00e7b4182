"""Nothing left behind, nothing of theirs touched: residue report, sweep, a run killed half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from suite_runs import run_suite, suite_command

from fixtures import endpoints as ep
from fixtures.api import BookingApi
from fixtures.bundled import SEED, BundledServer
from fixtures.marks import MARK, mark, marked_run
from fixtures.target import REPO_ROOT
from sweep.__main__ import main as sweep_main
from sweep.core import find

MODULE = "scenarios/test_scenario_7_cancellation.py"


def admin(client: httpx.Client) -> BookingApi:
    token = client.post(
        ep.login(SEED["ADMIN_EMAIL"], SEED["ADMIN_PASSWORD"]).path,
        json={"email": SEED["ADMIN_EMAIL"], "password": SEED["ADMIN_PASSWORD"]},
    ).json()["access_token"]
    return BookingApi(client, token=token, validate=None)


def sweep(base_url: str, *extra: str) -> int:
    return sweep_main(
        [
            "--base-url",
            base_url,
            "--api-email",
            SEED["ADMIN_EMAIL"],
            "--api-password",
            SEED["ADMIN_PASSWORD"],
            *extra,
        ]
    )


@pytest.mark.parametrize(
    ("text", "run"),
    [
        pytest.param("Yoga · cf-3fa2c1-gw0-7", "3fa2c1", id="suite-name"),
        pytest.param("jane.doe+cf-3fa2c1-main-2@example.test", "3fa2c1", id="suite-email"),
        pytest.param("cf-fuzz-3fa2c1 payload", "3fa2c1", id="fuzzer"),
        pytest.param("cf-notes about yoga", None, id="word-not-a-run"),
        pytest.param("Wolf-cf-3fa2c1", None, id="inside-a-word"),
        pytest.param("Yoga for beginners", None, id="plain"),
    ],
)
def test_the_mark_is_recognised_and_nothing_else(text: str, run: str | None) -> None:
    found = MARK.search(text)
    assert (found.group("run") if found else None) == run
    assert marked_run({"name": text}) == run


def test_mark_is_a_prefix_plus_run_id() -> None:
    assert mark("3fa2c1") == "cf-3fa2c1" and mark("3fa2c1", tool="fuzz") == "cf-fuzz-3fa2c1"


def test_residue_is_reported_and_sweep_removes_only_marked_records(
    reference: BundledServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with httpx.Client(base_url=reference.base_url) as client:
        api = admin(client)
        outlet = client.get("/api/v1/tenants/me", headers={"Authorization": f"Bearer {api.token}"}).json()[
            "outlets"
        ][0]
        theirs = api.create_service(
            ep.service_body(name="cf-notes studio (theirs)", outlet_id=outlet["id"])
        ).json()
        # --keep-data: the run leaves everything, like a run whose cleanup never came
        kept = run_suite(reference.base_url, tmp_path, MODULE, "--keep-data")
        assert kept.returncode == 0, kept.output[-2000:]
        assert len(kept.summary["residue"]["active"]) == kept.summary["residue"]["checked"] > 0
        assert "residue:" in kept.output and "still active" in kept.output
        left = find(api)
        assert {f.run for f in left} == {kept.summary["target"]["run_id"]}
        assert sweep(reference.base_url, "--dry-run") == 0
        assert "would remove" in capsys.readouterr().out
        assert len(find(api)) == len(left)  # dry run removed nothing
        assert sweep(reference.base_url) == 0
        out = capsys.readouterr().out
        assert "cancelled" in out and "deactivated" in out
        assert find(api) == []
        assert api.get_service(theirs["id"]).json()["is_active"] is True  # theirs untouched
        # a normal run leaves nothing, says so
        clean = run_suite(reference.base_url, tmp_path, MODULE)
        assert clean.summary["residue"]["active"] == [] and "residue: none" in clean.output
        assert find(api) == []


def test_run_killed_half_way_then_sweep_leaves_nothing(reference: BundledServer, tmp_path: Path) -> None:
    halted = tmp_path / "halted-in"
    command, env = suite_command(
        reference.base_url,
        tmp_path,
        "scenarios/test_scenario_2_parallel_within_capacity.py",
        "-p",
        "halt_in_test",
    )
    env |= {
        "CONFORMANCE_TEST_HALT_FILE": str(halted),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")])),
    }
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not halted.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)  # no teardown, no sessionfinish: only the mark remains
        process.wait()
    assert halted.exists(), f"the run never reached a test body:\n{log.read_text()[-3000:]}"
    with httpx.Client(base_url=reference.base_url) as client:
        api = admin(client)
        assert find(api), f"{halted.read_text()} was halted in its body, yet nothing marked is active"
        assert sweep(reference.base_url) == 0
        assert find(api) == []


def test_whole_suite_twice_on_one_file_database_leaves_no_residue(
    reference: BundledServer, tmp_path: Path
) -> None:
    """The second run meets the first one's cancelled/deactivated records and must neither count
    nor trip over them; after both, nothing marked is still active."""
    for n in (1, 2):
        (tmp_path / f"run{n}").mkdir()
        run = run_suite(reference.base_url, tmp_path / f"run{n}", "-n", "2", "-m", "not slow")
        bad = {k: v for k, v in run.totals.items() if k not in ("passed", "skipped") and v}
        assert run.returncode == 0 and not bad, run.output[-3000:]
        assert run.summary["residue"]["active"] == [] and run.summary["residue"]["checked"] > 0
    with httpx.Client(base_url=reference.base_url) as client:
        assert find(admin(client)) == []

from __future__ import annotations

import json
import socket

import pytest
from suite_fake_target import PASSWORD, FakeTarget

from fixtures.target import REPO_ROOT

SHOW_TARGET = """
def test_show(target):
    print(f"EMAIL={target.email} URL={target.base_url}")
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _output(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


def test_cli_option_beats_environment(suite_project, fake_target, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_API_EMAIL", "env@example.test")
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess(
        "-s", "--base-url", fake_target, "--api-email", "cli@example.test", "--api-password", PASSWORD
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*EMAIL=cli@example.test*"])


def test_environment_is_the_default(suite_project, fake_target, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_API_EMAIL", "env@example.test")
    monkeypatch.setenv("CONFORMANCE_API_PASSWORD", PASSWORD)
    monkeypatch.setenv("PYTEST_BASE_URL", fake_target)
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*EMAIL=env@example.test URL={fake_target}*"])


def test_base_url_cli_beats_env_beats_ini(suite_project, fake_target, monkeypatch):
    closed = f"http://127.0.0.1:{_closed_port()}"
    suite_project.makeini(f"[pytest]\nbase_url = {closed}\nasyncio_default_fixture_loop_scope = function\n")
    suite_project.makepyfile(SHOW_TARGET)
    monkeypatch.setenv("PYTEST_BASE_URL", fake_target)
    env_wins = suite_project.runpytest_subprocess("-s", "--api-email", "a@b.test", "--api-password", PASSWORD)
    env_wins.stdout.fnmatch_lines([f"*URL={fake_target}*"])
    monkeypatch.setenv("PYTEST_BASE_URL", closed)
    cli_wins = suite_project.runpytest_subprocess(
        "-s", "--base-url", fake_target, "--api-email", "a@b.test", "--api-password", PASSWORD
    )
    cli_wins.stdout.fnmatch_lines([f"*URL={fake_target}*"])


def test_unreachable_target_exits_3_with_one_clear_line(suite_project):
    url = f"http://127.0.0.1:{_closed_port()}"
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess(
        "--base-url", url, "--api-email", "a@b.test", "--api-password", "x"
    )
    assert result.ret == 3
    assert f"Cannot reach {url} (ConnectError: " in _output(result)
    assert "Check --base-url / PYTEST_BASE_URL." in _output(result)
    assert "Traceback" not in _output(result)
    assert _output(result).count("Cannot reach") == 1


def test_refused_credentials_exit_3_naming_the_options(suite_project, fake_target):
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess(
        "--base-url", fake_target, "--api-email", "a@b.test", "--api-password", "bad"
    )
    assert result.ret == 3
    assert f"Credentials refused by {fake_target}" in _output(result)
    assert "--api-email/--api-password" in _output(result)


def test_tenant_without_outlets_exits_3(suite_project, fake_target, monkeypatch):
    monkeypatch.setattr(FakeTarget, "outlets", [])
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess(
        "--base-url", fake_target, "--api-email", "a@b.test", "--api-password", PASSWORD
    )
    assert result.ret == 3
    assert "has no outlets" in _output(result)


def test_missing_credentials_exit_3(suite_project, fake_target):
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess("--base-url", fake_target)
    assert result.ret == 3
    assert "No credentials" in _output(result)


def test_report_header_names_target_and_server_version(suite_project, fake_target):
    suite_project.makepyfile(SHOW_TARGET)
    result = suite_project.runpytest_subprocess(
        "--base-url", fake_target, "--api-email", "a@b.test", "--api-password", PASSWORD
    )
    result.stdout.fnmatch_lines([f"conformance target: {fake_target} (given target, server version fake-1*"])


BASELINE_TESTS = """
from fixtures.expect import UnexpectedStatus
from fixtures.reporting import checklist, scenario

pytestmark = scenario("3", "Capacity Exceeded", group="Mandatory")

@checklist("S3-5", "4th booking was blocked (status 409)")
def test_fourth_booking_blocked():
    raise UnexpectedStatus("expected 409, got 201")

@checklist("S3-1", "First 3 bookings succeeded")
def test_first_three():
    pass
"""


def _markers_ini() -> str:
    lines = (REPO_ROOT / "pytest.ini").read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith(("addopts", "testpaths")))


def test_expected_failures_become_strict_xfail_and_stale_entries_fail(suite_project):
    suite_project.makeini(_markers_ini())
    suite_project.makepyfile(test_checks=BASELINE_TESTS)
    baseline = suite_project.path / "baseline.json"
    baseline.write_text(json.dumps(["S3-5", "S3-1"]))
    result = suite_project.runpytest_subprocess("--expected-failures", str(baseline))
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*known failure S3-1*"])
    summary = json.loads((suite_project.path / "reports" / "conformance-summary.json").read_text())
    outcomes = {c["checklist_id"]: c["outcome"] for c in summary["checks"]}
    assert outcomes == {"S3-5": "xfailed", "S3-1": "xpassed"}
    assert summary["expected_failures"] == ["S3-1", "S3-5"]
    assert summary["profile"]["verdict"] == "not conformant"


def test_unknown_baseline_id_is_a_usage_error(suite_project):
    baseline = suite_project.path / "baseline.json"
    baseline.write_text(json.dumps(["S9-9"]))
    result = suite_project.runpytest_subprocess("--expected-failures", str(baseline))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown checklist ids S9-9" in _output(result)


WORDING_MISMATCH = """
from fixtures.reporting import checklist

@checklist("S3-5", "4th booking blocked")
def test_x():
    pass
"""


def test_checklist_wording_mismatch_fails_collection(suite_project):
    suite_project.makepyfile(WORDING_MISMATCH)
    result = suite_project.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*wording differs from checklist.toml*"])


RECORD_TARGET = """
import pytest

@pytest.mark.parametrize("n", range(4))
def test_record(target, run_tag, request, n):
    out = request.config.rootpath / "seen"
    out.mkdir(exist_ok=True)
    (out / f"{run_tag}-{n}").write_text(f"{target.base_url} {target.bundled} {target.staff is not None}")
"""


@pytest.mark.skipif(
    not (REPO_ROOT / "reference_server" / "__main__.py").exists(), reason="no reference server"
)
def test_bundled_server_starts_once_and_is_shared_by_xdist_workers(suite_project):
    suite_project.mkdir("scenarios")
    (suite_project.path / "scenarios" / "test_a.py").write_text(RECORD_TARGET)
    (suite_project.path / "scenarios" / "test_b.py").write_text(RECORD_TARGET)
    result = suite_project.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    seen = {p.name: p.read_text() for p in (suite_project.path / "seen").iterdir()}
    # run_tag = cf-<run id>-<worker> (fixtures/marks.py), then "-<n>" from test_record
    workers = {name.split("-")[2] for name in seen}
    run_ids = {name.split("-")[1] for name in seen}
    assert workers == {"gw0", "gw1"}
    assert len(run_ids) == 1
    assert len(set(seen.values())) == 1
    base_url, bundled, staff = next(iter(seen.values())).split()
    assert base_url.startswith("http://127.0.0.1:") and bundled == "True" and staff == "True"


def test_no_server_for_runs_outside_scenarios(suite_project):
    suite_project.makepyfile(
        test_plain="def test_x(pytestconfig):\n    assert not pytestconfig.option.base_url\n"
    )
    result = suite_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*no target (give --base-url to test one)*"])


def test_run_from_the_checkout_without_its_pytest_ini_is_refused(tmp_path):
    # `--alluredir DIR` with an existing DIR makes pytest pick DIR as rootdir and skip pytest.ini.
    from types import SimpleNamespace

    from fixtures.target import REPO_ROOT, _expect_ini_read

    lost = SimpleNamespace(inipath=None, rootpath=tmp_path, invocation_params=SimpleNamespace(dir=REPO_ROOT))
    with pytest.raises(pytest.UsageError, match="--alluredir=DIR"):
        _expect_ini_read(lost)
    _expect_ini_read(
        SimpleNamespace(
            inipath=tmp_path / "x.ini", rootpath=tmp_path, invocation_params=lost.invocation_params
        )
    )
    _expect_ini_read(
        SimpleNamespace(inipath=None, rootpath=tmp_path, invocation_params=SimpleNamespace(dir=tmp_path))
    )

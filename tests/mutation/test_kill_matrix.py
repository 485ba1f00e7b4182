"""CI guard for the kill matrix: every fault of reference_server/faults/ is killed, for the
reason recorded next to it (PRACTICES.md P4, asserted like MCP's expectedFailureSlugs).

Each fault runs only the scenario modules that hold its expected checks, as one bounded
pytest process against its own bundled server; the faults are split over two classes so
`pytest tests -n auto` (--dist loadscope) runs two at a time on a 2-core machine. Extra
failing checks are recorded (user_properties, printed), not failed on: the full matrix
(`make mutation`) lists them in reports/mutation-matrix.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kill_matrix import DOC, faults_doc
from mutation_runs import FAULTS, files_for, judge, run_suite, selection_for

CI_TIMEOUT_SECONDS = 150  # one fault's selected modules; the whole guard stays under ~3 min
NAMES = list(FAULTS)


def _check(name: str, tmp_path: Path, record_property) -> None:
    fault = FAULTS[name]
    run = run_suite(
        name, tmp_path, paths=selection_for(fault.expected_failures), workers=None, timeout=CI_TIMEOUT_SECONDS
    )
    verdict = judge(fault, run)
    record_property("extra_failing_checks", sorted(verdict.extra))
    record_property("seconds", verdict.seconds)
    if verdict.extra:
        print(f"{name}: also failed {', '.join(sorted(verdict.extra))}")
    assert run.summary is not None, f"{name}: the run wrote no summary\n{run.log_tail}"
    assert not verdict.missing, (
        f"fault {name!r} ({fault.bug}) was not killed for the expected reason: {verdict.status}; "
        f"expected checks that did not fail: {verdict.missing}; failing: {sorted(verdict.failing)}; "
        f"suite errors: {verdict.broken}\n{run.log_tail}"
    )


class TestKillMatrixFirstHalf:
    @pytest.mark.parametrize("name", NAMES[0::2])
    def test_fault_is_killed_by_its_expected_checks(self, name, tmp_path, record_property):
        _check(name, tmp_path, record_property)


class TestKillMatrixSecondHalf:
    @pytest.mark.parametrize("name", NAMES[1::2])
    def test_fault_is_killed_by_its_expected_checks(self, name, tmp_path, record_property):
        _check(name, tmp_path, record_property)


def test_every_fault_names_checks_that_exist_and_a_module_that_runs_them():
    import tomllib

    items = tomllib.loads((Path(__file__).parents[2] / "scenarios" / "checklist.toml").read_text())["item"]
    known = {item["id"] for item in items}
    for fault in FAULTS.values():
        assert fault.expected_failures, f"{fault.name}: no expected failing checks recorded"
        assert set(fault.expected_failures) <= known, f"{fault.name}: unknown checklist ids"
        assert files_for(fault.expected_failures), f"{fault.name}: no scenario module holds its checks"


def test_docs_faults_md_is_generated_from_faults_py():
    assert DOC.read_text() == faults_doc(), "docs/faults.md is stale: run `make mutation` (or kill_matrix.py)"

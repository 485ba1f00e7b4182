"""P5 for the contract: docs/contract.md is the shared contract, and every rule of it is
judged by a checklist item (and so by a scenario test, see test_traceability.py) and broken
by a fault of reference_server/faults/ (tests/mutation proves the fault is caught)."""

from __future__ import annotations

import pytest

from fixtures import checklist as checklist_toml
from fixtures.target import REPO_ROOT
from reference_server.faults import FAULTS

SHARED_CONTRACT = REPO_ROOT.parent / "shared" / "CONTRACT.md"
# Rules that no check of a server can hold, with where they are held instead.
NOT_SERVER_RULES = {
    "C1.11": "a rule for clients (ignore extra fields, wait on 429): held by the suite's own client, "
    "tests/suite",
}


def test_repo_contract_is_the_shared_contract():
    if not SHARED_CONTRACT.is_file():
        pytest.skip(
            f"no {SHARED_CONTRACT} here (a clone outside the workspace): docs/contract.md stands alone"
        )
    assert (REPO_ROOT / "docs" / "contract.md").read_text() == SHARED_CONTRACT.read_text(), (
        "docs/contract.md differs from ../shared/CONTRACT.md: copy the shared contract into docs/contract.md"
    )


def test_contract_rule_ids_are_parsed():
    rules = checklist_toml.contract_rules()
    assert len(rules) >= 50 and "C5.3" in rules and "C6.12" in rules
    assert "half-open" in rules["C5.3"], "a rule's continuation lines belong to it"


def test_every_rule_a_checklist_item_names_exists_in_the_contract():
    rules = checklist_toml.contract_rules()
    unknown = {item.id: [r for r in item.rules if r not in rules] for item in checklist_toml.items().values()}
    assert not {k: v for k, v in unknown.items() if v}, f"checklist items naming unknown rule ids: {unknown}"


def test_every_checklist_item_names_a_rule():
    bare = [item.id for item in checklist_toml.items().values() if not item.rules]
    assert not bare, f"checklist items without `rules`: {bare}"


def test_every_server_rule_of_the_contract_has_a_check():
    judged = checklist_toml.checks_by_rule()
    missing = [r for r in checklist_toml.contract_rules() if r not in judged and r not in NOT_SERVER_RULES]
    assert not missing, f"contract rules no checklist item judges: {missing}"


def test_every_server_rule_of_the_contract_is_broken_by_a_fault():
    broken = {rule for fault in FAULTS.values() for rule in fault.rules}
    missing = [r for r in checklist_toml.contract_rules() if r not in broken and r not in NOT_SERVER_RULES]
    assert not missing, f"contract rules no fault of reference_server/faults/ breaks: {missing}"


def test_every_fault_names_rules_of_the_contract():
    rules = checklist_toml.contract_rules()
    wrong = {f.name: f.rules for f in FAULTS.values() if not f.rules or set(f.rules) - set(rules)}
    assert not wrong, f"faults without rules or with unknown rule ids: {wrong}"


def test_a_faults_expected_checks_judge_the_rule_it_breaks():
    items = checklist_toml.items()
    wrong = {
        f.name: f.rules
        for f in FAULTS.values()
        if not any(set(items[c].rules) & set(f.rules) for c in f.expected_failures if c in items)
    }
    assert not wrong, f"faults none of whose expected checks names the broken rule: {wrong}"

"""P5: every checklist item is checked by at least one scenario test, and every scenario test names one.

Runs over whatever scenario modules exist (importing them also verifies each @checklist's id and
wording, which the decorator checks at import). The full-coverage assertion is enabled.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from fixtures import checklist as checklist_toml
from fixtures.target import REPO_ROOT

SCENARIO_FILES = sorted((REPO_ROOT / "scenarios").glob("test_*.py"))


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_traced_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _tests(module):
    for _, obj in inspect.getmembers(module):
        if inspect.isclass(obj) and obj.__name__.startswith("Test"):
            yield from (
                (f"{obj.__name__}.{name}", fn)
                for name, fn in inspect.getmembers(obj, inspect.isfunction)
                if name.startswith("test")
            )
        elif inspect.isfunction(obj) and obj.__name__.startswith("test"):
            yield obj.__name__, obj


def _checklist_ids(fn) -> list[str]:
    return [mark.args[0] for mark in getattr(fn, "pytestmark", []) if mark.name == "checklist"]


@pytest.fixture(scope="module")
def traced() -> dict[str, list[str]]:
    return {
        f"{path.name}::{name}": _checklist_ids(fn)
        for path in SCENARIO_FILES
        for name, fn in _tests(_load(path))
    }


def test_scenario_modules_exist():
    assert SCENARIO_FILES


def test_every_scenario_test_names_exactly_one_checklist_item(traced):
    wrong = {test: ids for test, ids in traced.items() if len(ids) != 1}
    assert not wrong, f"tests without exactly one @checklist: {wrong}"


def test_every_checklist_item_has_a_test(traced):
    used = Counter(item_id for ids in traced.values() for item_id in ids)
    missing = [item_id for item_id in checklist_toml.items() if item_id not in used]
    assert not missing, f"checklist items with no test in scenarios/: {missing}"


def test_checklist_ids_are_unique_and_prefixed_by_a_known_scenario():
    raw = len(re.findall(r"^\[\[item\]\]", checklist_toml.CHECKLIST_FILE.read_text(), re.MULTILINE))
    assert raw == len(checklist_toml.items())
    assert all(item.id.split("-")[0] in checklist_toml.SCENARIOS for item in checklist_toml.items().values())

"""scenarios/README.md's two tables (modules; checklist item -> test) match the real files.

The tables are generated here from scenarios/checklist.toml and the `@checklist` decorators of
scenarios/test_*.py; a stale README fails this test. To refresh the README, print them:
`.venv/bin/python tests/suite/test_readme_tables.py` and paste over the two tables.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script: make `fixtures` importable
    sys.path.insert(0, str(REPO_ROOT))

from fixtures import checklist as checklist_toml  # noqa: E402

README = REPO_ROOT / "scenarios" / "README.md"
BR = "<br>"  # several tests of one item share its table cell
MODULE_HEADER = ["| Group | Module | Checklist ids |", "|---|---|---|"]
ITEM_HEADER = [
    "| Scenario | Step | Id | Checklist item (exact wording) | Test |",
    "|---|---|---|---|---|",
]


def traced_tests() -> list[tuple[str, str]]:
    """(checklist id, "module::Class::test") for every decorated test, in file and line order."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPO_ROOT / "scenarios").glob("test_*.py")):
        klass, pending = "", None
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := re.match(r"class (Test\w+)", line):
                klass = match[1]
            elif match := re.match(r'\s*@checklist\("([^"]+)"', line):
                pending = match[1]
            elif (match := re.match(r"\s*(?:async )?def (test_\w+)", line)) and pending:
                found.append((pending, f"{path.name}::{klass}::{match[1]}"))
                pending = None
    return found


def _scenario_column(item: checklist_toml.Item) -> str:
    return item.group if item.group in ("Regression", "Contract") else f"Scenario {item.scenario}"


def tables() -> tuple[list[str], list[str]]:
    """The module table and the checklist -> test table, as README lines."""
    items = checklist_toml.items()
    order = {item_id: n for n, item_id in enumerate(items)}
    tests: dict[str, list[str]] = defaultdict(list)
    ids_of_module: dict[str, set[str]] = defaultdict(set)
    for item_id, node in traced_tests():
        tests[item_id].append(f"`{node}`")
        ids_of_module[node.split("::")[0]].add(item_id)
    modules = sorted(ids_of_module, key=lambda m: min(order[i] for i in ids_of_module[m]))
    module_rows = []
    for module in modules:
        ids = sorted(ids_of_module[module], key=order.__getitem__)
        module_rows.append(f"| {items[ids[0]].group} | `{module}` | {', '.join(ids)} |")
    item_rows = [
        f"| {_scenario_column(item)} | {item.step} | {item.id} | {item.text} | {BR.join(tests[item.id])} |"
        for item in items.values()
    ]
    return MODULE_HEADER + module_rows, ITEM_HEADER + item_rows


def _readme_table(header: list[str]) -> list[str]:
    """The README's table that starts with `header`, up to its first non-table line."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(header[0])
    end = next((n for n in range(start, len(lines)) if not lines[n].startswith("|")), len(lines))
    return lines[start:end]


def test_readme_module_table_matches_the_scenario_files():
    modules, _ = tables()
    assert _readme_table(modules) == modules, "scenarios/README.md module table is stale: " + __doc__


def test_readme_checklist_table_matches_the_decorated_tests():
    _, items = tables()
    assert _readme_table(items) == items, "scenarios/README.md checklist table is stale: " + __doc__


if __name__ == "__main__":
    for table in tables():
        print("\n".join(table), end="\n\n")

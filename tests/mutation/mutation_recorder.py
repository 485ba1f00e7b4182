"""pytest plugin (`-p mutation_recorder`): copy the run's conformance summary to a path of our own.

fixtures/summary.py always writes reports/conformance-summary.{json,md}; kill-matrix, flake and
race-power runs happen side by side, so each needs its own copy, and the user's last real
summary must survive them. This plugin hands the controller's finished summary (same shape,
schema_version 1) to `--mutation-json PATH` and puts back the files that were there before,
without touching the suite's plugins.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SUMMARY_FILES = ("conformance-summary.json", "conformance-summary.md")
_before = pytest.StashKey[dict[Path, bytes | None]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--mutation-json", metavar="PATH", help="also write the conformance summary here")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("mutation_json", None) and not hasattr(config, "workerinput"):
        paths = [config.rootpath / "reports" / name for name in SUMMARY_FILES]
        config.stash[_before] = {p: p.read_bytes() if p.exists() else None for p in paths}


def pytest_unconfigure(config: pytest.Config) -> None:
    # After every sessionfinish hook: the summary collector has built its document by now.
    path = config.getoption("mutation_json", None)
    if not path or hasattr(config, "workerinput"):
        return
    summary = getattr(config.pluginmanager.get_plugin("conformance-summary"), "summary", None)
    if summary is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    for file, content in config.stash.get(_before, {}).items():
        if content is None:
            file.unlink(missing_ok=True)
        else:
            file.write_bytes(content)

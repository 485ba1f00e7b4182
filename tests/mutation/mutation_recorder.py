"""pytest plugin (`-p mutation_recorder`): copy the run's conformance summary to a path of our own.

fixtures/summary.py always writes reports/conformance-summary.json; kill-matrix, flake and
race-power runs happen side by side, so each also needs its own copy. This plugin hands the
controller's finished summary (same shape, schema_version 1) to `--mutation-json PATH`
without touching the suite's plugins.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--mutation-json", metavar="PATH", help="also write the conformance summary here")


def pytest_unconfigure(config: pytest.Config) -> None:
    # After every sessionfinish hook: the summary collector has built its document by now.
    path = config.getoption("mutation_json", None)
    collector = config.pluginmanager.get_plugin("conformance-summary")
    summary = getattr(collector, "summary", None)
    if path and summary is not None and not hasattr(config, "workerinput"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")

"""A pytest plugin for the killed-run test: the first test that reaches its body (its fixtures
have created records) writes the file named by CONFORMANCE_TEST_HALT_FILE and waits there to be
killed, so the kill lands half-way on every machine, fast or slow."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

WAIT_S = 120  # bounded: a parent that never kills still sees the run end


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    target = os.environ.get("CONFORMANCE_TEST_HALT_FILE")
    if target and not Path(target).exists():
        Path(target).write_text(item.nodeid)
        time.sleep(WAIT_S)

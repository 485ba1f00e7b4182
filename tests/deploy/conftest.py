"""Fixtures of the deployment tests: one reference server, proxies in front of it, suite runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.bundled import BundledServer
from fixtures.target import REPO_ROOT


@pytest.fixture(scope="session")
def reference() -> Iterator[BundledServer]:
    """One reference server on a fresh SQLite file for every deployment test of this process."""
    server = BundledServer.start(root=REPO_ROOT, deadline_s=120)  # a shared CI box can be slow
    yield server
    server.stop()

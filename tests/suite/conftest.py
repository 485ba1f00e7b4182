"""Fixtures for the suite's own tests: a tiny fake target and a pytester project using our plugins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from suite_fake_target import FakeTarget

from fixtures.target import REPO_ROOT

PLUGINS = [
    "fixtures.target",
    "fixtures.api",
    "fixtures.factories",
    "fixtures.reporting",
    "fixtures.baseline",
    "fixtures.summary",
]


@pytest.fixture
def fake_target() -> Iterator[str]:
    """A loopback HTTP server answering the preflight; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTarget)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def suite_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester project that loads the suite's plugins, with no CONFORMANCE_* env leaking in."""
    for name in (
        "PYTEST_BASE_URL",
        "CONFORMANCE_API_EMAIL",
        "CONFORMANCE_API_PASSWORD",
        "CONFORMANCE_API_TOKEN",
        "CONFORMANCE_OTHER_TENANT_EMAIL",
        "CONFORMANCE_STAFF_EMAIL",
        "CONFORMANCE_EXPECTED_FAILURES",
    ):
        monkeypatch.delenv(name, raising=False)
    # Subprocess runs: in-process runs restore sys.modules between runs, which re-imports httpcore
    # and breaks httpx's exception mapping; the child finds `fixtures` through PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    pytester.makeconftest(f"pytest_plugins = {PLUGINS!r}")
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester

"""Root conftest: the suite's plugin list, nothing else (STYLE.md §1).

Each module below is a pytest plugin: options, hooks and fixtures live where their concept
lives. `pytester` is here because only the root conftest may declare plugins, and the
suite's own tests (tests/suite) drive pytest in pytest.
"""

pytest_plugins = [
    "fixtures.target",  # options -> TargetConfig, bundled server, preflight, report header
    "fixtures.api",  # BookingApi and the session client fixtures
    "fixtures.factories",  # the class-scoped `factory` fixture
    "fixtures.reporting",  # allure environment/categories files
    "fixtures.baseline",  # --expected-failures -> strict xfail
    "fixtures.summary",  # conformance summary: terminal table, reports/conformance-summary.{json,md}
    "fixtures.schedule",  # longest request chains first (xdist loadscope)
    "pytester",
]

"""fuzz/hooks.py marks what the fuzzer creates, so that `make sweep` can find it (issue 12)."""

from __future__ import annotations

import pytest

from fuzz.hooks import NAME_MAX, mark_body

MARK = "cf-fuzz-0a1b2c-"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"name": "Yoga"}, {"name": MARK + "Yoga"}, id="service-name"),
        pytest.param(
            {"first_name": "Ann", "last_name": "Lee", "email": "a@b.co"},
            {"first_name": MARK + "Ann", "last_name": MARK + "Lee", "email": MARK + "a@b.co"},
            id="person",
        ),
        pytest.param(
            {"name": "n" * 95}, {"name": (MARK + "n" * 95)[:NAME_MAX]}, id="cut-to-the-longest-name"
        ),
        pytest.param({"name": ""}, {"name": ""}, id="empty-stays-invalid"),
        pytest.param({"name": "n" * 101}, {"name": "n" * 101}, id="too-long-stays-invalid"),
        pytest.param({"email": "not-an-email"}, {"email": "not-an-email"}, id="bad-email-stays-invalid"),
        pytest.param({"name": 7, "slug": "yoga"}, {"name": 7, "slug": "yoga"}, id="non-strings-untouched"),
        pytest.param({"name": MARK + "x"}, {"name": MARK + "x"}, id="marked-once"),
        pytest.param(["name"], ["name"], id="not-an-object"),
    ],
)
def test_name_like_fields_start_with_the_run_mark(body, expected):
    assert mark_body(body, MARK) == expected

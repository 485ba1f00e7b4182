"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS=fuzz/hooks.py by fuzz/run.py).

Every record the fuzzer creates on a target must be recognisable as the suite's, so that
`make sweep` can remove it: before each call, the name-like string fields of a JSON body
(`name`, `first_name`, `last_name`, `email`) get the run's mark as a prefix, `FUZZ_MARK` =
`cf-fuzz-<6 hex>-` (fixtures/marks.py). Only values that could be valid are marked: an empty
or over-long string stays as generated, so a negative case stays negative.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

MARK_ENV = "FUZZ_MARK"
NAME_FIELDS = ("name", "first_name", "last_name")
NAME_MAX = 100  # the contract's longest name (CONTRACT.md C3.1, C3.5, C3.9)
EMAIL_MAX = 320


def mark_value(field: str, value: Any, mark: str) -> Any:
    """`value` carrying `mark` at its start, or `value` itself when marking it would change its validity."""
    if not isinstance(value, str) or not value or value.startswith(mark):
        return value
    if field == "email":
        if "@" not in value or len(value) + len(mark) > EMAIL_MAX:
            return value
        return mark + value
    if len(value) > NAME_MAX:
        return value
    return (mark + value)[:NAME_MAX]


def mark_body(body: Any, mark: str) -> Any:
    if not isinstance(body, dict):
        return body
    return {
        key: mark_value(key, value, mark) if key in (*NAME_FIELDS, "email") else value
        for key, value in body.items()
    }


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    mark = os.environ.get(MARK_ENV)
    if mark and isinstance(case.body, dict):
        case.body = mark_body(case.body, mark)

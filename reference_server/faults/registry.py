"""The registry of faults: `@fault(...)` records each Policy subclass with the contract rules it
breaks and the checklist ids that must catch it; `answering(...)` registers the common shape of
a fault whose one seam answers a constant (a check switched off, a status code swapped)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_server.policy import Policy


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    bug: str  # what a reader of a bug report would call it
    source: str  # the real-world report it mirrors (SERVER-NOTES.md "Real bugs"), or ""
    rules: tuple[str, ...]  # the docs/contract.md rule ids it breaks
    expected_failures: tuple[str, ...]  # checklist ids that MUST fail against this fault
    policy: type[Policy]


FAULTS: dict[str, Fault] = {}


def fault(
    name: str, bug: str, *, rules: tuple[str, ...], catches: tuple[str, ...], source: str = ""
) -> Callable[[type[Policy]], type[Policy]]:
    """Register the decorated Policy subclass as fault `name` (names are unique)."""

    def register(policy: type[Policy]) -> type[Policy]:
        assert name not in FAULTS, f"fault {name!r} registered twice"
        FAULTS[name] = Fault(name, bug, source, rules, catches, policy)
        return policy

    return register


def answering(
    name: str,
    bug: str,
    *,
    seam: str,
    answer: Any,
    rules: tuple[str, ...],
    catches: tuple[str, ...],
    source: str = "",
) -> type[Policy]:
    """Register fault `name`: a Policy whose method `seam` answers `answer`, whatever it is asked."""
    assert callable(getattr(Policy, seam, None)), f"{name}: Policy has no seam {seam!r}"

    def answers(self: Policy, *args: Any, **kwargs: Any) -> Any:
        return answer

    class_name = "".join(part.capitalize() for part in name.split("-"))
    module = sys._getframe(1).f_globals.get("__name__", __name__)  # the caller's, as namedtuple does
    policy = type(class_name, (Policy,), {seam: answers, "__module__": module, "__doc__": bug})
    return fault(name, bug, rules=rules, catches=catches, source=source)(policy)


def policy_for(name: str) -> Policy:
    """A fresh policy with the named defect; ValueError (listing the names) when unknown."""
    found = FAULTS.get(name.strip().lower().replace("_", "-"))
    if found is None:
        raise ValueError(f"unknown fault {name!r}; known faults: {', '.join(FAULTS)}")
    policy = found.policy()
    policy.name = found.name
    return policy


def load_policy(name: str | None) -> Policy:
    """The correct policy, or the named fault's (unknown name: ValueError)."""
    return Policy() if not name else policy_for(name)

"""Deliberate defects for the kill matrix (PRACTICES.md P4): one `Policy` subclass per fault.

`python -m reference_server --fault NAME` (or REFERENCE_SERVER_FAULT=NAME) switches ONE on;
the default is none. Each fault overrides one seam of `reference_server/policy.py` (a
decision, a serialiser, or `rewrite_response` for what only the wire shows), so the normal
code paths never test a fault flag, and only this package knows the faults. `@fault(...)`
(registry.py) registers each with the contract rule it breaks (docs/contract.md) and the
checklist ids (scenarios/checklist.toml) that MUST fail when the suite runs against it; the
kill matrix (`make mutation`, tests/mutation/) asserts exactly that and reports extra failing
ids. The modules are named for what their faults break; importing them (below, in
alphabetical order) registers the faults in the order of docs/faults.md.
"""

from reference_server.faults import appointments, auth, booking, grid, races, resources, wire  # noqa: F401
from reference_server.faults.registry import FAULTS, Fault, answering, fault, load_policy, policy_for

__all__ = ["FAULTS", "Fault", "answering", "fault", "load_policy", "policy_for"]

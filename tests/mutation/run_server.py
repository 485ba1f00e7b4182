"""The bundled reference server, started by the mutation runner itself for one run.

fixtures/target.py would start the same server (BundledServer, the same seed accounts) when a
run has no --base-url; the runner starts it instead and hands the run `--base-url` and the
seed accounts. What the run checks is the same: the target is that server, judged through the
same preflight and checks; its summary says `"bundled": false`.
"""

from __future__ import annotations

from pathlib import Path

from fixtures.bundled import SEED, BundledServer


def target_arguments(server: BundledServer) -> list[str]:
    """pytest options that point a run at `server` with the seed accounts (as the bundled run has)."""
    accounts = {
        "api": ("ADMIN_EMAIL", "ADMIN_PASSWORD"),
        "other-tenant": ("OTHER_ADMIN_EMAIL", "OTHER_ADMIN_PASSWORD"),
        "staff": ("STAFF_EMAIL", "STAFF_PASSWORD"),
    }
    args = [f"--base-url={server.base_url}"]
    for option, (email, password) in accounts.items():
        args += [f"--{option}-email={SEED[email]}", f"--{option}-password={SEED[password]}"]
    return args


def start(fault: str | None, root: Path) -> BundledServer:
    return BundledServer.start(root=root, fault=fault)

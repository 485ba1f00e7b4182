"""The bundled reference server, started by the mutation runner itself for one run.

fixtures/target.py would start the same server (BundledServer, the same seed accounts) when a
run has no --base-url; the runner starts it instead and hands the run `--base-url` and the
seed accounts. What the run checks is the same: the target is that server, judged through the
same preflight and checks. What differs is the wait for /health: fixtures/bundled.py polls
with `httpx.get`, which builds a TLS context per call (0.16 s of CPU each, ~20 polls a start);
on a 2-CPU machine that took CPU from the very server it waited for. Here one client polls.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from fixtures.bundled import SEED, BundledServer, BundledServerError

POLL_SECONDS = 0.05


class RunServer(BundledServer):
    def wait_healthy(self, deadline_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + deadline_s
        with httpx.Client(timeout=1.0) as client:
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    response = client.get(f"{self.base_url}/health")
                    if response.status_code == 200:
                        return dict(response.json())
                except (httpx.TransportError, ValueError):
                    pass
                time.sleep(POLL_SECONDS)
        stderr = "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-40:])
        state = (
            f"exited with code {self.process.returncode}"
            if self.process.poll() is not None
            else (f"did not answer /health within {deadline_s:.0f} s")
        )
        raise BundledServerError(f"Bundled reference server {state}. Its stderr:\n{stderr}")


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


def start(fault: str | None, root: Path) -> RunServer:
    return RunServer.start(root=root, fault=fault)  # type: ignore[return-value]

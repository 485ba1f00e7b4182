"""The whole suite from afar: against the bundled reference server directly and through 40 ms of
added latency on every response (tests/deploy/proxy.py), serial and with -n 4.

For each of the four runs: requests sent, the longest chain of dependent requests (the summary's
`traffic`), wall time, and the checks' totals. Goal (issue 10): through 40 ms with -n 4 the suite
takes at most GOAL x its loopback -n 4 time. Writes reports/bench-suite.json, prints a table.

    make bench-suite            # or: .venv/bin/python bench/suite_latency.py [--latency 0.04]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests" / "deploy")]  # proxy.py, suite_runs.py

from proxy import Knobs, RunningProxy  # noqa: E402
from suite_runs import run_suite  # noqa: E402

from fixtures.bundled import BundledServer  # noqa: E402

GOAL = 3.0
MODES = {"serial": ["-n", "0"], "n4": ["-n", "4"]}


def one_run(url: str, where: str, mode: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-suite-{where}-{mode}-") as tmp:
        start = time.perf_counter()
        run = run_suite(url, Path(tmp), *MODES[mode], timeout=1800)
        wall = time.perf_counter() - start
    traffic = run.summary.get("traffic", {})
    return {
        "target": where,
        "mode": mode,
        "returncode": run.returncode,
        "totals": run.summary.get("totals", {}),
        "requests": traffic.get("requests"),
        "retries": traffic.get("retries"),
        "longest_chain": traffic.get("longest_chain", {}),
        "wall_s": round(wall, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.04, help="seconds added to every response")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "bench-suite.json")
    args = parser.parse_args()

    load_start = os.getloadavg()
    server = BundledServer.start(root=REPO_ROOT, deadline_s=120)
    runs: list[dict[str, Any]] = []
    try:
        for mode in MODES:
            runs.append(one_run(server.base_url, "loopback", mode))
        with RunningProxy(server.base_url, Knobs(latency=args.latency)) as proxy:
            for mode in MODES:
                runs.append(one_run(proxy.url, f"+{args.latency * 1000:.0f}ms", mode))
    finally:
        server.stop()

    wall = {(r["target"], r["mode"]): r["wall_s"] for r in runs}
    ratio = wall[(runs[3]["target"], "n4")] / wall[("loopback", "n4")]
    report = {
        "latency_s": args.latency,
        "load_average_start": load_start,
        "load_average": os.getloadavg(),  # at the end; above ~3 the figures are noisy
        "cpus": os.cpu_count(),
        "runs": runs,
        "n4_ratio_latency_over_loopback": round(ratio, 2),
        "goal_ratio": GOAL,
        "goal_met": ratio <= GOAL,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    row = "{:<10} {:<7} {:>3} {:>7} {:>9} {:>6} {:>7}  {}"
    print(row.format("target", "mode", "rc", "passed", "requests", "chain", "wall s", "chain scope"))
    for r in runs:
        chain = r["longest_chain"]
        passed = r["totals"].get("passed", 0)
        cells = (r["requests"] or 0, chain.get("requests", 0), f"{r['wall_s']:.1f}", chain.get("scope", ""))
        print(row.format(r["target"], r["mode"], r["returncode"], passed, *cells))
    print(
        f"-n 4: +{args.latency * 1000:.0f} ms / loopback = {ratio:.2f} (goal <= {GOAL}: "
        f"{'met' if ratio <= GOAL else 'NOT met'}); load average {report['load_average']}; -> {args.out}"
    )
    return 0 if all(r["returncode"] == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())

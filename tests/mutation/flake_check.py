"""Flake check (PRACTICES.md P9): the whole suite against the correct server, N runs in a row.

    python tests/mutation/flake_check.py [--runs 20]

Even-numbered runs use `-n auto`, odd ones run without xdist, so half of them are parallel.
Any failing, erroring or unreachable check in any run counts; nothing is retried. Writes
reports/flake-check.{json,md}; exit 0 only with zero failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from mutation_runs import BROKEN, FAILING, REPO, run_suite

MAX_RUNS = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, MAX_RUNS))
    workdir = REPO / "reports" / "mutation-runs" / "flake-check"
    bad_runs, flaky, totals, rows = 0, Counter(), Counter(), []
    for n in range(1, runs + 1):
        workers = "auto" if n % 2 == 0 else None
        run = run_suite(None, workdir, workers=workers)
        failing = run.ids_with(FAILING + BROKEN)
        if run.summary is None:
            failing = {"(no summary)": run.log_tail}
        flaky.update(failing.keys())
        totals.update(c["outcome"] for c in run.checks())
        bad_runs += bool(failing) or run.returncode != 0
        mode = "-n auto" if workers else "serial "
        rows.append({"run": n, "mode": mode.strip(), "seconds": round(run.seconds, 1), "failing": failing})
        print(
            f"run {n:2}/{runs} {mode} {run.seconds:5.1f} s: {len(run.checks())} checks, "
            f"{'failing ' + ', '.join(failing) if failing else 'clean'}",
            flush=True,
        )
    doc = {
        "runs": runs,
        "failed_runs": bad_runs,
        "outcomes": dict(totals),
        "flaky": dict(flaky),
        "detail": rows,
    }
    out = REPO / "reports" / "flake-check"
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# Flake check",
        "",
        f"{runs} runs of the whole suite against the correct server (half with `-n auto`): "
        f"**{bad_runs} failed**. Outcomes over all runs: {dict(totals)}.",
        "",
        "| Run | Mode | s | Failing checks |",
        "|---|---|---|---|",
        *(f"| {r['run']} | {r['mode']} | {r['seconds']} | {', '.join(r['failing']) or '-'} |" for r in rows),
    ]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(f"flake check: {bad_runs}/{runs} runs failed; flaky checks: {dict(flaky) or 'none'}")
    return 0 if bad_runs == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

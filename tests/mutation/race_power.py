"""Race power (PRACTICES.md P10): how often Scenario A catches the unlocked server.

    python tests/mutation/race_power.py [--runs 20] [--fault unlocked]

Runs scenarios/test_scenario_a_race.py against the bundled server with the fault, `--runs`
times, and counts the runs in which a race check (A-1, A-2, A-3) failed, plus the share of
failing rounds per check (2 vs 1, 10 vs 3, first seat). Target: at least 19 of 20 runs.
Writes reports/race-power.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from mutation_runs import FAILING, REPO, run_suite

RACE_MODULE = "scenarios/test_scenario_a_race.py"
RACE_IDS = ("A-1", "A-2", "A-3")
MAX_RUNS = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fault", default="unlocked")
    parser.add_argument("--need", type=int, default=None, help="runs that must catch it (default: runs - 1)")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, MAX_RUNS))
    need = runs - 1 if args.need is None else args.need
    workdir = REPO / "reports" / "mutation-runs" / "race-power"
    caught, rounds, failed_rounds, skipped, broken = 0, Counter(), Counter(), 0, 0
    for n in range(1, runs + 1):
        run = run_suite(args.fault, workdir, paths=[RACE_MODULE], workers=None)
        checks = [c for c in run.checks() if c["checklist_id"] in RACE_IDS]
        hit = any(c["outcome"] in FAILING for c in checks)
        caught += hit
        broken += run.summary is None or any(c["outcome"] in ("error", "unreachable") for c in checks)
        for c in checks:
            rounds[c["checklist_id"]] += 1
            failed_rounds[c["checklist_id"]] += c["outcome"] in FAILING
            skipped += c["outcome"] == "skipped"
        print(f"run {n:2}/{runs}: {'caught' if hit else 'MISSED'} ({run.seconds:.1f} s)", flush=True)
    doc = {
        "fault": args.fault,
        "runs": runs,
        "caught": caught,
        "need": need,
        "inconclusive_rounds": skipped,
        "broken_runs": broken,
        "rounds": {i: {"failed": failed_rounds[i], "of": rounds[i]} for i in RACE_IDS},
    }
    out = REPO / "reports" / "race-power"
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# Race power",
        "",
        f"Fault `{args.fault}`: Scenario A failed in **{caught}/{runs}** runs (need {need}).",
        f"Inconclusive (skipped) rounds: {skipped}; runs with suite errors: {broken}.",
        "",
        "| Check | Failing rounds |",
        "|---|---|",
        *(f"| {i} | {failed_rounds[i]}/{rounds[i]} |" for i in RACE_IDS),
    ]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(f"race power: {caught}/{runs} runs caught the fault {args.fault!r} (need {need})")
    return 0 if caught >= need else 1


if __name__ == "__main__":
    sys.exit(main())

"""Race power (PRACTICES.md P10): how often each kind of C5.9 race catches its own fault, and
how often it fails against the correct server.

    python tests/mutation/race_power.py [--runs 20] [--kind same-session ...] [--no-control]

Per kind, `--runs` pytest runs of just that kind's race tests against the bundled server with
the kind's fault (a run catches it when any of the kind's checks failed); then `--runs`
control runs of both race modules against the correct server (a run fails a kind when any of
that kind's checks failed). Goals: at least runs - 1 catches per kind (19 of 20), and no
failing control run. Inconclusive (skipped) rounds and suite errors are counted apart: they
are neither a catch nor a pass. The machine's load average is recorded at start and end,
since a busy machine is what narrows a race. Writes reports/race-power.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass

from mutation_runs import FAILING, REPO, Run, run_suite

SAME, KINDS_MODULE = "scenarios/test_scenario_a_race.py", "scenarios/test_scenario_a_race_kinds.py"
MAX_RUNS = 200
RUN_TIMEOUT_SECONDS = 180  # one kind's rounds take seconds; a hung run must not hang the measurement


@dataclass(frozen=True)
class Kind:
    name: str
    what: str
    fault: str  # the fault that only this kind's race reveals
    ids: tuple[str, ...]  # its checklist ids
    paths: tuple[str, ...]  # pytest arguments selecting its tests


KINDS = (
    Kind(
        "same-session",
        "N bookings for K free places of one session (and one customer N times)",
        "unlocked",
        ("A-1", "A-2", "A-3", "A-4"),
        (SAME,),
    ),
    Kind(
        "one-staff",
        "N bookings of N overlapping services on one staff member",
        "unlocked-staff-overlap",
        ("A-5",),
        (KINDS_MODULE, "-k", "overlapping_services"),
    ),
    Kind(
        "reschedule",
        "N reschedules into K free places of one session",
        "unlocked-reschedule",
        ("A-6",),
        (KINDS_MODULE, "-k", "reschedules_into"),
    ),
)


@dataclass
class Tally:
    runs: int = 0
    hit: int = 0  # runs with a failing check of the kind
    broken: int = 0  # runs that could not judge (no summary, errors)
    rounds: int = 0
    failed_rounds: int = 0
    skipped_rounds: int = 0
    seconds: float = 0.0

    def add(self, run: Run, ids: tuple[str, ...]) -> bool:
        checks = [c for c in run.checks() if c["checklist_id"] in ids]
        outcomes = Counter(c["outcome"] for c in checks)
        failed = sum(outcomes[o] for o in FAILING)
        self.runs += 1
        self.hit += failed > 0
        self.broken += run.summary is None or outcomes["error"] + outcomes["unreachable"] > 0
        self.rounds += len(checks)
        self.failed_rounds += failed
        self.skipped_rounds += outcomes["skipped"]
        self.seconds += run.seconds
        return failed > 0

    def as_dict(self) -> dict[str, float]:
        return {**vars(self), "seconds": round(self.seconds, 1)}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--kind", action="append", choices=[k.name for k in KINDS], help="repeatable")
    parser.add_argument("--no-control", action="store_true", help="skip the correct-server runs")
    parser.add_argument("--need", type=int, default=None, help="runs that must catch it (default: runs - 1)")
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, MAX_RUNS))
    need = runs - 1 if args.need is None else args.need
    kinds = [k for k in KINDS if not args.kind or k.name in args.kind]
    workdir = REPO / "reports" / "mutation-runs" / "race-power"
    started, load_before = time.monotonic(), _load()
    caught: dict[str, Tally] = {k.name: Tally() for k in kinds}
    control: dict[str, Tally] = {k.name: Tally() for k in kinds}
    for kind in kinds:
        for n in range(1, runs + 1):
            run = run_suite(
                kind.fault, workdir, paths=list(kind.paths), workers=None, timeout=RUN_TIMEOUT_SECONDS
            )
            hit = caught[kind.name].add(run, kind.ids)
            verdict = "caught" if hit else "MISSED"
            print(
                f"{kind.name} vs {kind.fault}: run {n:2}/{runs} {verdict} ({run.seconds:.1f} s)", flush=True
            )
    if not args.no_control:
        paths = sorted({p for k in kinds for p in k.paths if p.endswith(".py")})
        for n in range(1, runs + 1):
            run = run_suite(None, workdir, paths=paths, workers=None, timeout=RUN_TIMEOUT_SECONDS)
            failed = [k.name for k in kinds if control[k.name].add(run, k.ids)]
            verdict = "FAILED " + ", ".join(failed) if failed else "clean"
            print(f"correct server: run {n:2}/{runs} {verdict} ({run.seconds:.1f} s)", flush=True)
    doc = {
        "runs": runs,
        "need": need,
        "load_before": load_before,
        "load_after": _load(),
        "seconds": round(time.monotonic() - started),
        "kinds": {
            k.name: {
                "what": k.what,
                "fault": k.fault,
                "checks": list(k.ids),
                "against_fault": caught[k.name].as_dict(),
                "against_correct": None if args.no_control else control[k.name].as_dict(),
            }
            for k in kinds
        },
    }
    out = REPO / "reports" / "race-power"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# Race power",
        "",
        f"{runs} runs per kind (need >= {need} catches; 0 control failures); {doc['seconds']} s.",
        f"Load average before: {doc['load_before']}; after: {doc['load_after']}.",
        "",
        "| Kind | Fault | Runs catching it | Failing rounds | Inconclusive rounds "
        "| Runs failing on the correct server |",
        "|---|---|---|---|---|---|",
    ]
    for k in kinds:
        c, ok = caught[k.name], control[k.name]
        clean = "-" if args.no_control else f"{ok.hit}/{ok.runs} (inconclusive rounds {ok.skipped_rounds})"
        lines.append(
            f"| {k.name}: {k.what} | `{k.fault}` | {c.hit}/{c.runs} | {c.failed_rounds}/{c.rounds} "
            f"| {c.skipped_rounds} | {clean} |"
        )
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[2:]))
    short = [k.name for k in kinds if caught[k.name].hit < need]
    noisy = [k.name for k in kinds if control[k.name].hit]
    broken = [k.name for k in kinds if caught[k.name].broken or control[k.name].broken]
    print(f"power short: {short or 'none'}; control failures: {noisy or 'none'}; broken: {broken or 'none'}")
    return 0 if not (short or noisy) else 1


if __name__ == "__main__":
    sys.exit(main())

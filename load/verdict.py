"""Figures from Locust's stats, the thresholds, and reports/load/verdict.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from load.judge import Invariant

SETUP = "(set-up)"


def figures(stats: Any) -> dict[str, dict[str, Any]]:
    rows = {}
    for entry in [*stats.entries.values(), stats.total]:
        name = "Aggregated" if entry is stats.total else str(entry.name)
        rows[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.total_rps, 2),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }
    return rows


def thresholds(
    rows: dict[str, dict[str, Any]], *, max_error_rate: float, max_p95_ms: float
) -> dict[str, Any]:
    total = rows.get("Aggregated", {"requests": 0, "failures": 0})
    rate = total["failures"] / total["requests"] if total["requests"] else 0.0
    # Set-up requests (each user's customer, created while all users spawn at once) count for
    # the error rate, not for the p95 limits: their latency is the ramp-up's, not the flows'.
    judged = {n: r for n, r in rows.items() if n != "Aggregated" and not n.endswith(SETUP)}
    slow = {n: r["p95_ms"] for n, r in judged.items() if (r["p95_ms"] or 0) > max_p95_ms}
    return {
        "max_error_rate": max_error_rate,
        "error_rate": round(rate, 4),
        "error_rate_met": rate <= max_error_rate and total["requests"] > 0,
        "max_p95_ms": max_p95_ms,
        "p95_over_limit": slow,
        "p95_met": not slow,
    }


def build(
    *,
    invariants: list[Invariant],
    rows: dict[str, dict[str, Any]],
    limits: dict[str, Any],
    run: dict[str, Any],
) -> dict[str, Any]:
    passed = all(i.holds for i in invariants) and limits["error_rate_met"] and limits["p95_met"]
    return {
        "verdict": "pass" if passed else "fail",
        "invariants": [i.report() for i in invariants],
        "thresholds": limits,
        "figures": rows,
        **run,
    }


def write(path: Path, verdict: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(verdict, indent=2, sort_keys=False) + "\n")


def summary(verdict: dict[str, Any]) -> str:
    lines = [
        f"Load verdict: {verdict['verdict'].upper()} ({verdict['users']} users, {verdict['run_time_s']} s, "
        f"{len(verdict['workers'])} worker(s))"
    ]
    for inv in verdict["invariants"]:
        mark = "ok  " if inv["holds"] else "FAIL"
        lines.append(f"  {mark} {inv['rule']} {inv['name']} ({inv['checked']} checked)")
        lines += [f"       {f}" for f in inv["found"][:10]]
    limits = verdict["thresholds"]
    lines.append(
        f"  error rate {limits['error_rate']} (max {limits['max_error_rate']}); "
        f"p95 over {limits['max_p95_ms']} ms: {limits['p95_over_limit'] or 'none'}"
    )
    for name, row in verdict["figures"].items():
        lines.append(
            f"  {name:55} {row['requests']:6} req {row['rps']:7} /s  p50 {row['p50_ms']}  "
            f"p95 {row['p95_ms']}  p99 {row['p99_ms']} ms  failures {row['failures']}"
        )
    return "\n".join(lines)

"""The load profile: `locust -f load/locustfile.py` (alone, --processes N, or --master/--worker).

The master creates the run's data at test start and sends the plan to every worker before
their users spawn; workers stream what they saw (201s, moves, cancels, 5xx) back; after the
whole run the master reads the target's own API once and writes reports/load/verdict.json.
The process exit code is 0 only when the verdict is pass.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
import locust.runners
from locust import FastHttpUser, between, events
from locust.runners import MasterRunner, WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: fixtures/, load/

from fixtures import endpoints as ep
from load import options as opts
from load import verdict as report
from load.judge import Judge
from load.ledger import Ledger, Outbox
from load.plan import Plan, cleanup, create_plan

# The target shares the machine with the load: a worker starved of CPU for 3 s (Locust's
# default liveness) is slow, not gone, and a run whose workers all go missing sends nothing.
locust.runners.HEARTBEAT_LIVENESS = 15
# One line per set-up and read-back request would bury Locust's own summary.
logging.getLogger("httpx").setLevel(logging.WARNING)
PLAN: dict[str, Any] = {}
LEDGER = Ledger()
OUTBOX = Outbox()
STARTED: dict[str, float] = {}
FLUSH_S = 0.5
SETUP_CUSTOMER = "POST /customers (set-up)"  # one per user, all in the ramp-up burst


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    opts.add_arguments(parser)


def _flush(environment: Any) -> None:
    runner = environment.runner
    worker = getattr(runner, "client_id", "local")
    batch = OUTBOX.take(worker)
    if batch is None:
        return
    if isinstance(runner, WorkerRunner):
        runner.send_message("load_obs", batch)
    else:
        LEDGER.apply(batch)


def _flusher(environment: Any) -> None:
    while True:
        gevent.sleep(FLUSH_S)
        _flush(environment)


@events.init.add_listener
def _init(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message("load_plan", lambda msg, **_: PLAN.update(msg.data))
        gevent.spawn(_flusher, environment)
    elif runner is not None:
        runner.register_message("load_obs", lambda msg, **_: LEDGER.apply(msg.data))
        if not isinstance(runner, MasterRunner):
            gevent.spawn(_flusher, environment)


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    options = environment.parsed_options
    Booker.tasks = [task for name, weight in opts.weights(options).items() for task in [TASKS[name]] * weight]
    Booker.wait_time = between(options.wait_min, max(options.wait_min, options.wait_max))
    if isinstance(environment.runner, WorkerRunner):
        return
    target = opts.target_config(options)
    plan = create_plan(
        target, staff=options.load_staff, capacity=options.load_capacity, hours=options.load_hours
    )
    PLAN.update(plan.wire())
    STARTED["at"] = time.time()
    if isinstance(environment.runner, MasterRunner):
        # Sent before Locust's spawn messages, on the same channel: every worker has the plan first.
        environment.runner.send_message("load_plan", plan.wire())


@events.test_stop.add_listener
def _stop(environment: Any, **_: Any) -> None:
    _flush(environment)  # a worker's last events go out before its "stopped" and final stats


@events.quitting.add_listener
def _judge(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or not PLAN:
        return
    _flush(environment)
    options, plan = environment.parsed_options, Plan(**PLAN)
    invariants, appointments = Judge(plan, LEDGER).run()
    rows = report.figures(environment.runner.stats)
    limits = report.thresholds(rows, max_error_rate=options.max_error_rate, max_p95_ms=options.max_p95_ms)
    run = {
        "base_url": plan.base_url,
        "run_id": plan.run_id,
        "mark": f"names start with {plan.prefix!r} (emails {plan.prefix}-...@example.test)",
        "server_fault": options.server_fault,
        "users": options.num_users,
        "run_time_s": round(time.time() - STARTED.get("at", time.time()), 1),
        "run_time_option_s": options.run_time,
        "workers": [{"id": w, "requests": n} for w, n in sorted(LEDGER.requests.items())],
        "weights": opts.weights(options),
        "wait_s": [options.wait_min, options.wait_max],
        "data": {"staff": len(plan.staff), "capacity": plan.parallel["capacity"], "day": plan.day},
        "appointments_listed": len(appointments),
    }
    verdict = report.build(invariants=invariants, rows=rows, limits=limits, run=run)
    if not plan_keeps(options):
        verdict["cleanup_problems"] = cleanup(plan, appointments, LEDGER.customers)
    report.write(Path(options.verdict_file), verdict)
    print(report.summary(verdict), flush=True)
    print(f"Verdict: {Path(options.verdict_file).resolve()}", flush=True)
    environment.process_exit_code = 0 if verdict["verdict"] == "pass" else 1


def plan_keeps(options: Any) -> bool:
    return bool(options.keep_data)


class Booker(FastHttpUser):
    """A front desk: browses the grid, books, moves, cancels and marks no-shows of its own bookings."""

    wait_time = between(0.05, 0.4)
    host = "http://127.0.0.1"  # replaced by --base-url / --host; never a remote default

    def on_start(self) -> None:
        deadline = time.monotonic() + 60
        while not PLAN and time.monotonic() < deadline:
            gevent.sleep(0.1)
        self.plan = Plan(**PLAN)
        self.base = self.plan.base_url
        self.headers = {"Authorization": f"Bearer {self.plan.token}"}
        self.mine: dict[str, dict[str, Any]] = {}
        tag = f"{self.plan.prefix}-{random.getrandbits(48):012x}"
        body = ep.customer_body(
            first_name=self.plan.prefix,
            last_name=tag[-12:],
            email=f"{tag}@example.test",
            phone=f"+62813{random.randrange(10**7):07d}",
        )
        status, created = self.send(ep.create("customer", body), SETUP_CUSTOMER, (201,))
        self.customer = str(created["id"]) if status == 201 and created else None
        if self.customer:
            OUTBOX.add("customer", id=self.customer)

    def send(self, request: ep.ApiRequest, name: str, ok: tuple[int, ...]) -> tuple[int, Any]:
        url = self.base + request.path + (f"?{urlencode(dict(request.params))}" if request.params else "")
        OUTBOX.requests += 1
        with self.client.request(
            request.method, url, name=name, json=request.json, headers=self.headers, catch_response=True
        ) as response:
            status = response.status_code
            if status >= 500:
                OUTBOX.add("server_error", what=f"{name} -> {status}")
            if status in ok:
                response.success()
            else:
                response.failure(f"{status}: {(response.text or '')[:200]}")
            try:
                body = response.json() if status in (200, 201) else None
            except ValueError:
                body = None
        return status, body

    def browse(self) -> None:
        service = random.choice(self.plan.services)
        day = self.plan.booking_day
        request = ep.availability_grid(
            outlet_id=self.plan.outlet_id, service_id=service, start_date=day, end_date=day
        )
        self.send(request, "GET /availability/availability-grid", (200,))

    def _book(self, kind: str) -> None:
        if not self.customer:
            return
        service = self.plan.parallel if kind == "parallel" else self.plan.single
        starts = self.plan.parallel_starts if kind == "parallel" else self.plan.single_starts
        staff, start = random.choice(self.plan.staff), random.choice(starts)
        request = ep.book(
            customer_id=self.customer,
            outlet_id=self.plan.outlet_id,
            appointment_date=self.plan.booking_day,
            items=[ep.BookingItem(service["id"], staff, start)],
        )
        status, body = self.send(request, f"POST /appointments ({kind})", (201, 409))
        if status == 201 and body and body.get("id"):
            item = {"staff": staff, "service": service["id"], "start": start, "kind": kind}
            self.mine[str(body["id"])] = item
            OUTBOX.add("created", id=str(body["id"]), **item)

    def book_parallel(self) -> None:
        self._book("parallel")

    def book_single(self) -> None:
        self._book("single")

    def _own(self) -> str | None:
        return random.choice(list(self.mine)) if self.mine else None

    def reschedule(self) -> None:
        if (item := self._own()) is None:
            return self.book_parallel()
        mine = self.mine[item]
        start = random.choice(
            self.plan.parallel_starts if mine["kind"] == "parallel" else self.plan.single_starts
        )
        request = ep.reschedule(item, new_date=self.plan.booking_day, new_time=start)
        status, _ = self.send(request, "PUT /appointments/{id}/reschedule", (200, 409))
        if status == 200:
            mine["start"] = start
            OUTBOX.add("moved", id=item, start=start)

    def _end(self, how: str) -> None:
        if (item := self._own()) is None:
            return self.book_parallel()
        if how == "cancelled":
            status, _ = self.send(ep.cancel(item, reason="load"), "PUT /appointments/{id}/cancel", (200,))
        else:
            status, _ = self.send(ep.set_status(item, "no_show"), "PATCH /appointments/{id}/status", (200,))
        if status == 200:
            del self.mine[item]
            OUTBOX.add(how, id=item)

    def cancel(self) -> None:
        self._end("cancelled")

    def no_show(self) -> None:
        self._end("no_show")


TASKS = {
    "browse": Booker.browse,
    "book_parallel": Booker.book_parallel,
    "book_single": Booker.book_single,
    "reschedule": Booker.reschedule,
    "cancel": Booker.cancel,
    "no_show": Booker.no_show,
}
Booker.tasks = [task for name, weight in opts.WEIGHTS.items() for task in [TASKS[name]] * weight]

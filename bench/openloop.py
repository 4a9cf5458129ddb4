"""An open-loop HTTP load client for bench/http_bench.py: requests sent at precomputed arrival times,
whatever the answers, with the latency counted from each request's SCHEDULED send time.

Why not locust's `constant_throughput` users (the previous open loop): locust starts `--spawn-rate`
users per step (all 50 at once at a spawn rate of 50) and `constant_throughput(1)` paces each user
from its own previous start, so the users stay in step and the server gets a burst of N requests at the
top of every second instead of N spread over it (bench/HTTP_RESULTS.md, "Why the earlier open loop
was slow"). And a user that waits for a slow answer sends its next request late, which locust's
response times do not count (coordinated omission).

Here one dispatcher thread sleeps until each arrival time of a seeded schedule (Poisson, evenly
spaced, or bursts that reproduce locust's timing) and hands the request to a pool of threads that
grows to `max_in_flight`, so a request never waits for an earlier one. A request's latency is
`done - scheduled`: if the dispatcher or the pool is late, that lateness is in the figure (and
reported on its own as `late`). HTTP is urllib3's (in requirements.lock.txt, so the tests run
everywhere): one pool of persistent connections, a connection reused while the server keeps it open
(gunicorn's sync workers close every one; gthread workers keep them) and a dropped idle connection
replaced before use. The client's own CPU per request is `time.process_time()` over the run.

    # standalone (http_bench.py runs it this way, with the plan it wrote):
    .venv/bin/python bench/openloop.py --base http://127.0.0.1:8765 --plan plan.json \\
        --scenario "case detail" --rate 50 --duration 30 --out figures.json
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import urllib3
import urllib3.connection

SCHEDULES = ("poisson", "uniform", "burst")
TIMEOUT = 30.0  # seconds a request may take before it counts as an error (its latency is kept)


# --- The schedule and the figures (pure) ------------------------------------------------------------


def schedule(rate: float, duration: float, kind: str = "poisson", seed: int = 1) -> list[float]:
    """Send times in seconds from the start, `rate` a second on average for `duration` seconds.

    poisson: exponential gaps (independent arrivals, as many users acting on their own);
    uniform: one every 1/rate seconds;
    burst: round(rate) requests together at the top of every second (locust's constant_throughput
    users started together), for comparison only."""
    if rate <= 0 or duration <= 0:
        raise ValueError("rate and duration must be positive")
    if kind == "uniform":
        return [i / rate for i in range(int(rate * duration))]
    if kind == "burst":
        per_second = round(rate)
        return [float(s) for s in range(int(duration)) for _ in range(per_second)]
    if kind != "poisson":
        raise ValueError(f"unknown schedule {kind!r}; one of {SCHEDULES}")
    draw = random.Random(seed)
    times, t = [], draw.expovariate(rate)
    while t < duration:
        times.append(t)
        t += draw.expovariate(rate)
    return times


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q % of the values at or below it
    (an observed value, never interpolated; what HdrHistogram and wrk2 report)."""
    if not values:
        return math.nan
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Outcome:
    """One request: when it was due, when a thread began sending it, when its answer was read."""

    scheduled: float
    sent: float
    done: float
    status: int  # 0: no answer (connection error or timeout)
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.error


def summarise(outcomes: list[Outcome], offered: int, duration: float, cpu_seconds: float) -> dict:
    """The run's figures. Latency counts from the scheduled time (a late send is part of it); every
    scheduled request is counted, answered or not (an unanswered one is an error with its time so far),
    so nothing slow drops out of the percentiles. `rps` is the answers over the time from the first
    scheduled send to the last answer, which stretches when the server falls behind."""
    latency = [1000 * (o.done - o.scheduled) for o in outcomes]
    late = [1000 * (o.sent - o.scheduled) for o in outcomes]
    service = [1000 * (o.done - o.sent) for o in outcomes]
    answered = [o for o in outcomes if o.status]
    span = max((o.done for o in answered), default=0.0) - min((o.scheduled for o in outcomes), default=0.0)
    errors = collections.Counter(o.error or str(o.status) for o in outcomes if not o.ok)
    return {
        "offered": offered,
        "offered_rps": round(offered / duration, 2) if duration else 0.0,
        "requests": len(outcomes),
        "failures": sum(not o.ok for o in outcomes) + (offered - len(outcomes)),
        "errors": dict(errors.most_common()),
        "rps": round(len(answered) / span, 2) if span > 0 else 0.0,
        "p50": round(percentile(latency, 50), 1),
        "p95": round(percentile(latency, 95), 1),
        "p99": round(percentile(latency, 99), 1),
        "max": round(max(latency, default=math.nan), 1),
        "late_p50": round(percentile(late, 50), 1),
        "late_p99": round(percentile(late, 99), 1),
        "service_p50": round(percentile(service, 50), 1),
        "service_p95": round(percentile(service, 95), 1),
        "client_cpu_ms": round(1000 * cpu_seconds / max(len(outcomes), 1), 2),
    }


# --- What each scenario sends ------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    token: str
    body: dict | None = None
    case: dict | None = None  # a transition's case, given back to the pool with its new version


class TransitionCases:
    """The transition cases, each in at most one request at a time (a second request on the same
    case would fail its version check): a request takes the case free longest and gives it back with
    the version and state of the answer. A request that finds none free waits (its latency still
    counts from its scheduled time) and is counted in `waits`."""

    def __init__(self, cases: list[dict]):
        self.free = collections.deque(cases)
        self.ready = threading.Condition()
        self.waits = 0

    def take(self, timeout: float) -> dict | None:
        with self.ready:
            if not self.free:
                self.waits += 1
                self.ready.wait_for(lambda: self.free, timeout=timeout)
            return self.free.popleft() if self.free else None

    def give_back(self, case: dict, answer: dict | None) -> None:
        if answer:
            case["version"], case["state"] = answer["version"], answer["state"]
        with self.ready:
            self.free.append(case)
            self.ready.notify()


def requests_for(scenario: str, plan: dict, seed: int):
    """A function giving the next request of the scenario (called by the sending thread)."""
    token = plan["monitor_token"]
    if scenario == "case detail":
        draw, lock = random.Random(seed), threading.Lock()

        def detail() -> Request:
            with lock:
                case_id = draw.choice(plan["detail_ids"])
            return Request("GET", f"/api/v1/cases/{case_id}/", token)

        return detail
    fixed = {
        "case list": "/api/v1/cases/",
        "overdue list": "/api/v1/cases/?overdue=true",
        "resolution rates": plan["report_url"],
    }
    if scenario in fixed:
        return lambda: Request("GET", fixed[scenario], token)
    if scenario != "transitions":
        raise ValueError(f"unknown scenario {scenario!r}")
    cases = TransitionCases(plan["transition_cases"])

    def transition() -> Request:
        case = cases.take(TIMEOUT)
        if case is None:
            raise TimeoutError("no transition case free")
        if case["state"] == "verifying":
            action, body = "submit_for_approval", {"outcome": case["outcome"], "summary": "Kết quả xác minh"}
        else:
            action, body = "return_for_revision", {}
        return Request(
            "POST",
            f"/api/v1/cases/{case['id']}/actions/{action}/",
            case["token"],
            {"version": case["version"], **body},
            case,
        )

    transition.cases = cases  # type: ignore[attr-defined]
    return transition


# --- The run ----------------------------------------------------------------------------------------


class CountedConnection(urllib3.connection.HTTPConnection):
    """Counts TCP connections made (a pooled connection object reconnects after the server closed it,
    which urllib3's own `num_connections` does not count)."""

    opened = 0
    counting = threading.Lock()

    def connect(self) -> None:
        super().connect()
        with CountedConnection.counting:
            CountedConnection.opened += 1


@dataclass
class Client:
    base: str  # http://host:port
    max_in_flight: int = 512
    timeout: float = TIMEOUT
    outcomes: list[Outcome] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0

    def __post_init__(self) -> None:
        host, port = self.base.removeprefix("http://").rstrip("/").split(":")
        # block=False: the pool never makes a request wait for a connection; it opens another.
        self.pool = urllib3.HTTPConnectionPool(
            host, int(port), maxsize=self.max_in_flight, block=False, retries=False
        )
        self.pool.ConnectionCls = CountedConnection
        self.lock = threading.Lock()
        CountedConnection.opened = 0

    def _send(self, scheduled: float, make_request) -> None:
        sent = time.monotonic()
        status, error, request, answer = 0, "", None, None
        try:
            request = make_request()
            response = self.pool.urlopen(
                request.method,
                request.path,
                body=json.dumps(request.body).encode() if request.body is not None else None,
                headers={
                    "Authorization": f"Token {request.token}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                timeout=urllib3.Timeout(total=self.timeout),
                preload_content=True,
            )
            status = response.status
            if request.case is not None and status == 200:
                answer = json.loads(response.data)
        except Exception as exc:  # an answer that never came is a figure, not a crash
            error = type(exc).__name__
        finally:
            done = time.monotonic()
            if request is not None and request.case is not None:
                self.cases.give_back(request.case, answer)  # type: ignore[attr-defined]
            with self.lock:
                self.outcomes.append(Outcome(scheduled, sent, done, status, error))
                self.in_flight -= 1

    def run(self, times: list[float], make_request) -> tuple[float, float]:
        """Sends one request at each of `times` (seconds from now); returns the start (monotonic) and
        the client's CPU seconds over the run."""
        self.cases = getattr(make_request, "cases", None)
        cpu_before = time.process_time()
        with ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="openloop") as pool:
            start = time.monotonic() + 0.05  # the first send is not late because of the set-up
            for offset in times:
                due = start + offset
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with self.lock:
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                pool.submit(self._send, due, make_request)
        return start, time.process_time() - cpu_before


def run(
    base: str,
    plan: dict,
    scenario: str,
    rate: float,
    duration: float,
    kind: str = "poisson",
    seed: int = 1,
    max_in_flight: int = 512,
) -> dict:
    times = schedule(rate, duration, kind, seed)
    client = Client(base, max_in_flight=max_in_flight)
    make_request = requests_for(scenario, plan, seed)
    _, cpu = client.run(times, make_request)
    figures = summarise(client.outcomes, len(times), duration, cpu)
    waits = getattr(make_request, "cases", None)
    figures.update(
        {
            "schedule": kind,
            "seed": seed,
            "connections_opened": CountedConnection.opened,
            "peak_in_flight": client.peak_in_flight,
            "max_in_flight": max_in_flight,
            "case_waits": waits.waits if waits else 0,
        }
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--plan", required=True, help="The plan bench/http_bench.py wrote (JSON).")
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--rate", type=float, required=True, help="Requests a second offered.")
    parser.add_argument("--duration", type=float, required=True, help="Seconds of arrivals.")
    parser.add_argument("--schedule", choices=SCHEDULES, default="poisson")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-in-flight", type=int, default=512)
    parser.add_argument("--out", help="Figures (JSON); default stdout.")
    args = parser.parse_args()
    plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    figures = run(
        args.base, plan, args.scenario, args.rate, args.duration, args.schedule, args.seed, args.max_in_flight
    )
    text = json.dumps(figures, indent=1)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

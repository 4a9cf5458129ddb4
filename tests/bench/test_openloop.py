"""bench/openloop.py, the HTTP benchmark's open-loop client: its schedule, its percentiles, latency
counted from the scheduled send time, and its behaviour against small real HTTP servers (no mocks)."""

from __future__ import annotations

import itertools
import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import openloop


@pytest.fixture
def server():
    """A real HTTP server on a free port; the test picks the handler. Yields a function that starts
    it and returns its base URL."""
    started = []

    def start(handler: type[BaseHTTPRequestHandler]) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def answer(handler: BaseHTTPRequestHandler, status: int, body: dict, close: bool = False) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    if close:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(data)


class KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection unless told otherwise
    # Headers and body go out in two writes: without this, Nagle holds the body until the client's
    # delayed acknowledgement (40 ms on Linux). gunicorn sets TCP_NODELAY too.
    disable_nagle_algorithm = True

    def do_GET(self):
        answer(self, 200, {"ok": True})

    def log_message(self, *args):
        pass


class ClosesEach(KeepAlive):
    """What gunicorn's sync worker does: every answer closes its connection."""

    def do_GET(self):
        answer(self, 200, {"ok": True}, close=True)


def plan(**extra) -> dict:
    return {"monitor_token": "t", "detail_ids": [1, 2, 3], "report_url": "/r/", **extra}


# --- Schedule, percentile, summary ------------------------------------------------------------------


def test_poisson_schedule_is_seeded_sorted_and_offers_the_rate():
    times = openloop.schedule(50, 200, "poisson", seed=7)
    assert times == openloop.schedule(50, 200, "poisson", seed=7)
    assert times != openloop.schedule(50, 200, "poisson", seed=8)
    assert times == sorted(times) and times[0] > 0 and times[-1] < 200
    # 10,000 expected; a Poisson count's standard deviation is 100.
    assert abs(len(times) - 10_000) < 500
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Exponential gaps: as many below the mean gap's ln 2 (the median) as above it.
    below = sum(g < math.log(2) / 50 for g in gaps) / len(gaps)
    assert 0.47 < below < 0.53


def test_uniform_schedule_is_evenly_spaced():
    assert openloop.schedule(4, 2, "uniform") == [0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]


def test_burst_schedule_sends_the_rate_together_at_each_second_like_paced_locust_users():
    assert openloop.schedule(3, 2, "burst") == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]


def test_schedule_refuses_a_rate_or_duration_of_zero_and_unknown_kinds():
    with pytest.raises(ValueError):
        openloop.schedule(0, 10)
    with pytest.raises(ValueError):
        openloop.schedule(10, 10, "steady")


def test_percentile_is_the_nearest_rank_an_observed_value():
    values = [float(v) for v in range(100, 0, -1)]
    assert openloop.percentile(values, 50) == 50
    assert openloop.percentile(values, 95) == 95
    assert openloop.percentile(values, 99) == 99
    assert openloop.percentile(values, 100) == 100
    assert openloop.percentile([10.0, 20.0], 50) == 10
    assert openloop.percentile([10.0, 20.0], 95) == 20
    assert math.isnan(openloop.percentile([], 95))


def test_latency_counts_from_the_scheduled_time_so_a_late_send_is_not_hidden():
    outcomes = [
        openloop.Outcome(scheduled=0.0, sent=0.0, done=0.010, status=200),
        # sent 0.5 s late (the client or a waiting user was behind) and answered 10 ms after sending
        openloop.Outcome(scheduled=0.1, sent=0.6, done=0.610, status=200),
        openloop.Outcome(scheduled=0.2, sent=0.2, done=30.2, status=0, error="ReadTimeoutError"),
    ]
    figures = openloop.summarise(outcomes, offered=4, duration=1.0, cpu_seconds=0.003)
    assert figures["max"] == 30000.0  # the unanswered request keeps its time in the percentiles
    assert figures["p50"] == 510.0  # 0.610 - 0.1, not the 10 ms the server took
    assert figures["service_p50"] == 10.0
    assert figures["late_p99"] == 500.0
    # one timed out, one never even recorded: both are failures
    assert figures["failures"] == 2
    assert figures["errors"] == {"ReadTimeoutError": 1}
    assert figures["client_cpu_ms"] == 1.0
    assert figures["offered_rps"] == 4.0
    # two answers between the first scheduled send (0) and the last answer (0.61 s)
    assert figures["rps"] == pytest.approx(2 / 0.61, abs=0.01)


# --- Against real servers -----------------------------------------------------------------------------


def test_requests_are_sent_without_waiting_for_earlier_answers(server):
    """The server answers none of five requests before it holds all five: a client that waited for an
    answer before its next send would never get there (the barrier breaks and the server answers 503)."""
    gate = threading.Barrier(5, timeout=20)

    class HoldsUntilAllArrive(KeepAlive):
        def do_GET(self):
            try:
                gate.wait()
            except threading.BrokenBarrierError:
                answer(self, 503, {"error": "requests came one at a time"})
                return
            answer(self, 200, {"ok": True})

    base = server(HoldsUntilAllArrive)
    times = openloop.schedule(10, 0.5, "uniform")  # 0, 0.1, ..., 0.4 s
    client = openloop.Client(base)
    client.run(times, openloop.requests_for("case list", plan(), seed=1))
    figures = openloop.summarise(client.outcomes, len(times), 0.5, 0.0)
    assert figures["failures"] == 0, figures["errors"]
    assert client.peak_in_flight == 5
    # The first request waited for the last one's send: its latency from its schedule shows it.
    first = min(client.outcomes, key=lambda o: o.scheduled)
    assert first.done - first.scheduled >= times[-1] - times[0]


def test_connections_are_kept_when_the_server_keeps_them(server):
    base = server(KeepAlive)
    figures = openloop.run(base, plan(), "case detail", rate=40, duration=0.5, kind="uniform")
    assert figures["failures"] == 0 and figures["requests"] == 20
    assert figures["connections_opened"] < 20


def test_a_server_that_closes_every_connection_gets_a_new_one_each_time_without_errors(server):
    base = server(ClosesEach)
    figures = openloop.run(base, plan(), "resolution rates", rate=40, duration=0.5, kind="uniform")
    assert figures["failures"] == 0 and figures["requests"] == 20
    assert figures["connections_opened"] == 20


def test_a_transition_case_is_never_in_two_requests_at_once_and_keeps_the_answered_version(server):
    """Twenty transitions due at the same instant on a single case: they must go one after the other,
    each with the version the previous answer returned (the server checks it as the API does)."""
    versions = {7: 1}
    in_request: set[int] = set()
    lock = threading.Lock()
    overlaps = []

    class Actions(KeepAlive):
        def do_POST(self):
            case_id = int(self.path.split("/")[4])
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                if case_id in in_request:
                    overlaps.append(case_id)
                in_request.add(case_id)
                stale = body["version"] != versions[case_id]
                if not stale:
                    versions[case_id] += 1
                state = "awaiting_approval" if "submit_for_approval" in self.path else "verifying"
                in_request.discard(case_id)
            if stale:
                return answer(self, 409, {"code": "version_conflict"})
            answer(self, 200, {"version": versions[case_id], "state": state})

    base = server(Actions)
    case = {"id": 7, "state": "verifying", "version": 1, "token": "h", "outcome": "upheld"}
    figures = openloop.run(
        base, plan(transition_cases=[case]), "transitions", rate=20, duration=1, kind="burst"
    )
    assert figures["failures"] == 0, figures["errors"]
    assert figures["requests"] == 20 and figures["case_waits"] > 0
    assert overlaps == []
    assert case["version"] == versions[7] == 21

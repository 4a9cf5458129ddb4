"""The users of bench/http_bench.py (locust, headless). Not run by hand: http_bench.py writes the plan
(tokens, case ids, the transition cases with their versions) to the file named by HTTP_BENCH_PLAN and
picks one user class per run.

HTTP_BENCH_MODE=closed: each user sends its next request as soon as the previous answer arrives (closed
loop). HTTP_BENCH_MODE=open: each user sends one request per second whatever the answers (locust's
constant_throughput), so N users offer N requests/s as long as an answer takes under a second; the
benchmark checks the achieved rate against the offered one.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, constant_throughput, task

with open(os.environ["HTTP_BENCH_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
OPEN = os.environ.get("HTTP_BENCH_MODE", "closed") == "open"
WAIT = constant_throughput(1) if OPEN else constant(0)
_slots = itertools.count()


class ApiUser(FastHttpUser):
    abstract = True
    wait_time = WAIT

    def get(self, url: str, name: str, token: str) -> None:
        with self.client.get(
            url, name=name, headers={"Authorization": f"Token {token}"}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class CaseDetail(ApiUser):
    """A province monitor opens cases of the province, at random."""

    @task
    def detail(self) -> None:
        case_id = random.choice(PLAN["detail_ids"])
        self.get(f"/api/v1/cases/{case_id}/", "case detail", PLAN["monitor_token"])


class CaseList(ApiUser):
    """A province monitor's case list, first page (newest first)."""

    @task
    def case_list(self) -> None:
        self.get("/api/v1/cases/", "case list", PLAN["monitor_token"])


class OverdueList(ApiUser):
    """A province monitor's overdue list, first page."""

    @task
    def overdue_list(self) -> None:
        self.get("/api/v1/cases/?overdue=true", "overdue list", PLAN["monitor_token"])


class ProvinceReport(ApiUser):
    """A province monitor's resolution rates for the province, by level."""

    @task
    def report(self) -> None:
        self.get(PLAN["report_url"], "resolution rates", PLAN["monitor_token"])


class Transition(ApiUser):
    """A unit head moves its own cases back and forth: `submit_for_approval` on a case under
    verification, `return_for_revision` on one awaiting approval. Each user owns its cases (no two
    users act on the same case), and keeps the version each answer returns."""

    def on_start(self) -> None:
        slot = next(_slots)
        per_user = PLAN["transition_cases_per_user"]
        self.cases = PLAN["transition_cases"][slot * per_user : (slot + 1) * per_user]
        if len(self.cases) < per_user:
            raise RuntimeError("Not enough transition cases in the plan for this many users.")
        self.turn = itertools.cycle(range(len(self.cases)))

    @task
    def transition(self) -> None:
        case = self.cases[next(self.turn)]
        if case["state"] == "verifying":
            action, body = "submit_for_approval", {"outcome": case["outcome"], "summary": "Kết quả xác minh"}
        else:
            action, body = "return_for_revision", {}
        with self.client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}/",
            json={"version": case["version"], **body},
            name="transition",
            headers={"Authorization": f"Token {case['token']}"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            data = response.json()
            case["version"], case["state"] = data["version"], data["state"]

"""CPU per request through the whole WSGI application in-process, without a server or a client: the
part of bench/http_bench.py's "gunicorn CPU per request" that is this project's code (Django, its
middleware, DRF, the views), measured where the machine's other jobs do not move it much.

    DATABASE_URL=postgres://.../tiepdan_x .venv/bin/python bench/wsgi_cpu.py [--profile detail]

Settings as http_bench.py serves them: `config.settings.prod` with a random SECRET_KEY, SECURE_COOKIES=0,
ALLOWED_HOSTS=127.0.0.1. The same plan as http_bench.py (a province monitor's token and random cases of
the province; unit heads moving their complaints between `verifying` and `awaiting_approval`). Each
request is a WSGI environ as gunicorn builds it for locust's FastHttpUser, given to
`config.wsgi.application`; the body is read to the end and closed, as a server does. Warm-up first (one
pass over every case), then ROUNDS rounds of REQUESTS requests per scenario, alternating; printed: the
median over rounds of the CPU (time.process_time) and the wall time per request, and the Python
function calls per request (cProfile's count, which the machine's load does not move). With --profile, a
cProfile of one scenario's requests instead (top functions by cumulative and own time).

Run it in each checkout in turn (git archive main | tar -x -C /tmp/main-code; copy this file there) to
compare two versions of the code in one sitting.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": tempfile.mkdtemp(prefix="wsgi_cpu_"),
    }
)


def environ(method: str, path: str, token: str, body: bytes = b"") -> dict:
    """What gunicorn's sync worker hands the application for locust's FastHttpUser request."""
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": path + (f"?{query}" if query else ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "locust/2",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": None,
        "gunicorn.socket": None,
    }
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


class Client:
    def __init__(self, application):
        self.application = application

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[str, bytes]:
        raw = json.dumps(body).encode() if body is not None else b""
        status = []

        def start_response(code, headers, exc_info=None):
            status.append(code)

        result = self.application(environ(method, path, token, raw), start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return status[0], content


def scenarios(client: Client, plan: dict) -> dict:
    token = plan["monitor_token"]
    ids = plan["detail_ids"]
    position = {"detail": 0, "transition": 0}
    cases = plan["transition_cases"]

    def detail() -> None:
        i = position["detail"] = (position["detail"] + 1) % len(ids)
        status, content = client.call("GET", f"/api/v1/cases/{ids[i]}/", token)
        if not status.startswith("200"):
            raise SystemExit(f"case detail answered {status}: {content[:200]!r}")

    def transition() -> None:
        i = position["transition"] = (position["transition"] + 1) % len(cases)
        case = cases[i]
        if case["state"] == "verifying":
            action, body = "submit_for_approval", {"outcome": case["outcome"], "summary": "Kết quả xác minh"}
        else:
            action, body = "return_for_revision", {}
        status, content = client.call(
            "POST",
            f"/api/v1/cases/{case['id']}/actions/{action}/",
            case["token"],
            {"version": case["version"], **body},
        )
        if not status.startswith("200"):
            raise SystemExit(f"transition answered {status}: {content[:200]!r}")
        data = json.loads(content)
        case["version"], case["state"] = data["version"], data["state"]

    return {"detail": detail, "transition": transition}


def python_calls(call, requests: int) -> int:
    """Python function calls per request (cProfile's count): a measure of the work that the machine's
    other jobs do not move at all, unlike CPU time on shared cores."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    return round(pstats.Stats(profiler).total_calls / requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100, help="Requests per round and scenario.")
    parser.add_argument("--cases", type=int, default=80, help="Transition cases (and detail ids: 10x).")
    parser.add_argument("--profile", choices=["detail", "transition"])
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--out", help="Write the figures (JSON) here; with --profile, the cProfile data.")
    args = parser.parse_args()

    import http_bench

    from config.wsgi import application  # django.setup() and the production checks, as gunicorn does

    http_bench.refresh_summaries()
    plan_path = Path(os.environ["VAR_DIR"]) / "plan.json"
    plan = http_bench.write_plan(plan_path, args.cases)
    plan["detail_ids"] = plan["detail_ids"][: 10 * args.cases]
    run = scenarios(Client(application), plan)
    for _ in range(len(plan["detail_ids"])):
        run["detail"]()
    for _ in range(2 * len(plan["transition_cases"])):
        run["transition"]()

    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on PostgreSQL
        call = run[args.profile]
        profiler.enable()
        for _ in range(args.requests * args.rounds):
            call()
        profiler.disable()
        if args.out:
            profiler.dump_stats(args.out)
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"{args.requests * args.rounds} requests ({args.profile})")
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        return 0

    figures: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in run}
    for _ in range(args.rounds):
        for name, call in run.items():
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                call()
            figures[name]["cpu"].append(1000 * (time.process_time() - cpu) / args.requests)
            figures[name]["wall"].append(1000 * (time.perf_counter() - wall) / args.requests)
    result = {
        name: {
            "cpu_ms": round(statistics.median(f["cpu"]), 2),
            "cpu_ms_min": round(min(f["cpu"]), 2),
            "wall_ms": round(statistics.median(f["wall"]), 2),
            "calls": python_calls(run[name], args.requests),
        }
        for name, f in figures.items()
    }
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

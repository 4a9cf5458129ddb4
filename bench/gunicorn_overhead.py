"""gunicorn's own CPU per request, without the application: a trivial WSGI app (a fixed JSON body the
size of a case detail's answer) served by gunicorn with this checkout's config/gunicorn.conf.py (as
bench/http_bench.py serves the project) and loaded by locust's FastHttpUser, headless, in a closed loop.
What the workers spend per request here is what gunicorn (accepting, parsing, writing, closing the
connection, in the kernel too) adds to each request of http_bench.py's "gunicorn CPU per request"; the
application's part is bench/wsgi_cpu.py's figure.

    .venv/bin/python bench/gunicorn_overhead.py [--seconds 20] [--users 20] [--worker-class gthread ...]

No database. Printed: requests/s, the workers' and locust's CPU per request (ms), the load average.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY_BYTES = 3000  # about a case detail's JSON answer

APP = f"""
BODY = b'{{"detail": "' + b"x" * {BODY_BYTES - 14} + b'"}}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""

LOCUSTFILE = """
from locust import FastHttpUser, constant, task


class Trivial(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("/api/v1/cases/1/", headers={"Authorization": "Token 0123456789abcdef"})
"""


def worker_cpu(pids: list[str]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--worker-class")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--keepalive", type=int)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gunicorn_overhead_"))
    (work / "trivial_app.py").write_text(APP, encoding="utf-8")
    (work / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "trivial_app:application",
        "--config",
        str(ROOT / "config" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(work / "gunicorn.log"),
        "--max-requests",
        "0",
    ]
    for flag, value in (("--worker-class", args.worker_class), ("--threads", args.threads)):
        if value:
            command += [flag, str(value)]
    if args.keepalive is not None:
        command += ["--keep-alive", str(args.keepalive)]
    server = subprocess.Popen(command, cwd=work)
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # Every worker forked (the first answer comes from the first one up), so all their CPU counts.
        pids: list[str] = []
        for _ in range(50):
            time.sleep(0.2)
            found = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            if found and found == pids:
                break
            pids = found
        load = os.getloadavg()[0]
        before, children = worker_cpu(pids), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(work / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(work / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        spent = worker_cpu(pids) - before
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.terminate()
        server.wait()
    with open(work / "run_stats.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    requests = max(int(row["Request Count"]), 1)
    locust_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(
        json.dumps(
            {
                "worker_class": args.worker_class or "config",
                "workers": len(pids),
                "requests": requests,
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "cpu_ms_per_request": {
                    "gunicorn": round(1000 * spent / requests, 3),
                    "locust": round(1000 * locust_cpu / requests, 3),
                },
                "load_before": load,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

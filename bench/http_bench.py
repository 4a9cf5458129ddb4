"""HTTP load benchmark: gunicorn with production settings on PostgreSQL, driven by locust (closed loop,
headless, bounded in time) and bench/openloop.py (open loop). Not part of the unit suite.

    # unattended, all five scenarios (about 10 minutes), bench/HTTP_RESULTS.md written at the end:
    DATABASE_URL=postgres://.../tiepdan_x .venv/bin/python bench/http_bench.py run --label branch

    # one sitting, main's code against this checkout's (shorter runs, some scenarios):
    git archive main | tar -x -C /tmp/main-code
    DATABASE_URL=... .venv/bin/python bench/http_bench.py run --code /tmp/main-code --commit main \\
        --label main --out var/http_main.json --duration 20 --open-duration 15 --no-report
    DATABASE_URL=... .venv/bin/python bench/http_bench.py run --label branch --out var/http_branch.json \\
        --duration 20 --open-duration 15 --compare var/http_main.json

`run` serves the code in --code (default: this checkout) with gunicorn and `config.settings.prod` with a
random SECRET_KEY (DEBUG off; SECURE_COOKIES=0 because the benchmark talks plain HTTP to 127.0.0.1), and
the interpreter of this checkout's .venv. gunicorn takes the checkout's own `config/gunicorn.conf.py`
(what production runs) when it has one, else 4 sync workers (the setting of issue 14's figures);
--workers, --worker-class and --threads override it. Before loading it builds or refreshes the report
summaries (as beat does every few minutes in production), creates API tokens for the users it acts as
(a province monitor, the heads of the units whose cases it moves) and warms every endpoint up, then for
each scenario:

- closed loop, locust (bench/locustfile.py): USERS clients (20) for DURATION seconds (60), each sending
  its next request as soon as the previous answer arrives: throughput, p50, p95, errors;
- open loop, bench/openloop.py: each rate of --rate (RATES: 20 and 50 requests/s; the highest is judged)
  for OPEN_DURATION seconds, requests sent at the times of a seeded Poisson schedule whatever the
  answers, latency counted from each request's scheduled send time: p50/p95/p99 and the achieved rate.
  `--open-client locust` runs the previous harness instead (one locust user per request a second, with
  `constant_throughput(1)`), which sends its requests in bursts (bench/HTTP_RESULTS.md says why and
  what it did to the figures).

Scenarios (--scenarios picks some): case detail (random cases of the province), case list and
`?overdue=true` (first page), all as the province monitor; transitions (`submit_for_approval` /
`return_for_revision` by the unit's head, back and forth on cases under verification: each client owns
its cases); resolution rates of the province by level for the current year. The figures go to --out
(JSON) and, unless --no-report, bench/HTTP_RESULTS.md is written from this run and the --compare runs
(`report` writes it from saved runs). The database must hold synthetic data (manage.py
generate_synthetic --units 300 --cases 250000 ...).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

USERS = 20
DURATION = 60
RATES = [20, 50]  # open-loop requests/s offered; the highest is judged against issue 14's p95 targets
OPEN_DURATION = 30
LEGACY_WORKERS = 4  # sync workers, for a checkout without config/gunicorn.conf.py (issue 14's figures)
PER_USER = 4  # transition cases each client owns
RESULTS = ROOT / "bench" / "HTTP_RESULTS.md"

SCENARIOS = {  # name: (locust user class, open-loop p95 target in ms)
    "case detail": ("CaseDetail", 100),
    "case list": ("CaseList", 100),
    "overdue list": ("OverdueList", 200),
    "transitions": ("Transition", 100),
    "resolution rates": ("ProvinceReport", 200),
}
# The figures of issue 14 ("today", same machine, 20 clients, 60 s); the case list had none.
ISSUE_TODAY = {"case detail": 70.0, "overdue list": 21.7, "transitions": 44.6, "resolution rates": 15.6}
THROUGHPUT_TARGET = 3.0
# The code issue 14 measured ("today"): main before the first of its work was merged. Served again in
# the sitting (bench/README.md), it is the baseline the machine's speed on the day does not move.
ISSUE_CODE = "0f5b029"


# --- The plan: who acts on what ---------------------------------------------------------------------


def setup_django():
    import django

    django.setup()


def monitor_membership():
    from casework.choices import Role
    from casework.models import Membership

    return (
        Membership.objects.filter(role=Role.MONITOR, unit__parent__isnull=True, user__is_active=True)
        .select_related("unit", "user")
        .order_by("unit_id")
        .first()
    )


def transition_cases(count: int) -> list[dict]:
    """`count` first-round complaints under verification or awaiting approval at units with an active
    head, with a token for that head and the case's current version: the least moved first (lowest
    version), so that each run moves cases no earlier run has moved. A closed-loop run moves each of
    its cases some 90 times; when every run reused the same cases, later runs on one database were
    slower than the first (session 10: 140.9, then 108.6 and 113.6 requests/s) and runs did not compare."""
    from api.authentication import issue_token
    from casework.choices import OUTCOMES_BY_KIND, CaseKind, CaseState, Role
    from casework.models import Case, Membership

    heads: dict[int, object] = {}
    for m in (
        Membership.objects.filter(role=Role.UNIT_HEAD, user__is_active=True, unit__code__startswith="syn-")
        .select_related("user")
        .order_by("id")
    ):
        heads.setdefault(m.unit_id, m.user)
    cases = list(
        Case.objects.filter(
            kind=CaseKind.COMPLAINT,
            round=1,  # a second round needs a dialogue before the submission
            state__in=[CaseState.VERIFYING, CaseState.AWAITING_APPROVAL],
            awaiting_citizen_since__isnull=True,
            unit_id__in=list(heads),
        )
        .order_by("version", "id")
        .values("id", "unit_id", "state", "version")[:count]
    )
    if len(cases) < count:
        raise SystemExit(f"Only {len(cases)} complaints under verification with a unit head; need {count}.")
    tokens = {unit: issue_token(user).key for unit, user in heads.items()}
    outcome = OUTCOMES_BY_KIND[CaseKind.COMPLAINT][0]
    return [
        {
            "id": c["id"],
            "state": c["state"],
            "version": c["version"],
            "token": tokens[c["unit_id"]],
            "outcome": outcome,
        }
        for c in cases
    ]


def refresh_summaries() -> dict:
    """The report summaries up to date, as beat keeps them in production (every few minutes): a full
    build when they were never built (the synthetic generator does not), else the changed units."""
    from django.db import connection

    from casework.models import ReportSummaryState
    from casework.reports import summary

    if ReportSummaryState._meta.db_table not in connection.introspection.table_names():
        return {"full": None, "seconds": 0.0}  # the database is migrated for code before the summaries
    started = time.monotonic()
    result = summary.refresh(full=summary.as_of() is None)
    return {"full": result.full, "seconds": round(time.monotonic() - started, 1)}


def write_plan(path: Path, count: int) -> dict:
    from django.utils import timezone

    from api.authentication import issue_token
    from casework.models import Case

    monitor = monitor_membership()
    ids = list(
        Case.objects.filter(unit__path__startswith=monitor.unit.path)
        .order_by("?")
        .values_list("pk", flat=True)[:2000]
    )
    plan = {
        "monitor": monitor.user.get_username(),
        "province": monitor.unit.name,
        "province_cases": Case.objects.filter(unit__path__startswith=monitor.unit.path).count(),
        "monitor_token": issue_token(monitor.user).key,
        "detail_ids": ids,
        "report_url": (
            f"/api/v1/reports/resolution-rates/?period={timezone.localdate().year}&within={monitor.unit_id}"
        ),
        "transition_cases_per_user": PER_USER,
        "transition_cases": transition_cases(count),
    }
    path.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def fresh_transition_cases(path: Path) -> dict:
    """Give the plan fresh transition cases (the least moved) for the next run; their versions."""
    plan = json.loads(path.read_text(encoding="utf-8"))
    plan["transition_cases"] = transition_cases(len(plan["transition_cases"]))
    path.write_text(json.dumps(plan), encoding="utf-8")
    versions = [c["version"] for c in plan["transition_cases"]]
    return {"first_version": min(versions), "last_version": max(versions)}


# --- The server -------------------------------------------------------------------------------------


def gunicorn_command(code: Path, port: int, var_dir: Path, args) -> list[str]:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application"]
    conf = code / "config" / "gunicorn.conf.py"
    if conf.exists():
        command += ["--config", str(conf)]
    else:  # main before config/gunicorn.conf.py: what issue 14 measured
        command += ["--workers", str(LEGACY_WORKERS), "--timeout", "120"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.worker_class:
        command += ["--worker-class", args.worker_class]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.keepalive is not None:
        command += ["--keep-alive", str(args.keepalive)]
    return [
        *command,
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(var_dir / "gunicorn.log"),
        "--access-logfile",
        "/dev/null",  # the benchmark reads nothing from it
        "--max-requests",
        "0",  # no worker restarts in the middle of a measurement
    ]


def start_server(command: list[str], code: Path, var_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",  # plain HTTP to 127.0.0.1: no HTTPS redirect
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(var_dir),
    }
    return subprocess.Popen(command, cwd=code, env=env)


def server_setup(server: subprocess.Popen, command: list[str], code: Path) -> dict:
    """What gunicorn runs: its worker processes, their class, threads and keep-alive (the config file's
    values under this environment, then the command line's)."""
    conf: dict = {"workers": 1, "worker_class": "sync", "threads": 1, "keepalive": 2}
    if "--config" in command:
        namespace: dict = {"__file__": command[command.index("--config") + 1]}
        exec(Path(namespace["__file__"]).read_text(encoding="utf-8"), namespace)
        conf.update({k: namespace[k] for k in conf if k in namespace})
    for flag, key in (
        ("--workers", "workers"),
        ("--worker-class", "worker_class"),
        ("--threads", "threads"),
        ("--keep-alive", "keepalive"),
    ):
        if flag in command:
            value = command[len(command) - 1 - command[::-1].index(flag) + 1]
            conf[key] = value if key == "worker_class" else int(value)
    if conf["worker_class"] == "sync":
        conf["threads"], conf["keepalive"] = 1, 0  # the sync worker closes every connection
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    return {**conf, "config_file": "--config" in command, "pids": workers}


def call(base: str, url: str, token: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        base + url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_ready(base: str, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            if call(base, "/api/v1/me/", token) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 120 s")


def warm_up(base: str, plan: dict) -> None:
    """Each worker loads its code, calendar and connections before anything is timed."""
    token = plan["monitor_token"]
    for i in range(16):
        for url in (
            f"/api/v1/cases/{plan['detail_ids'][i]}/",
            "/api/v1/cases/",
            "/api/v1/cases/?overdue=true",
            plan["report_url"],
        ):
            status = call(base, url, token)
            if status != 200:
                raise SystemExit(f"warm-up: {url} answered {status}")


# --- Locust -----------------------------------------------------------------------------------------


def cpu_seconds(server_pids: dict) -> dict:
    """CPU time so far of the gunicorn workers and of the PostgreSQL backends serving this database,
    per process (a backend may start or end between two readings)."""
    tick = os.sysconf("SC_CLK_TCK")

    def per_pid(pids: list[str]) -> dict[str, float]:
        seconds = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended meanwhile
            seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
        return seconds

    backends = subprocess.run(
        ["pgrep", "-f", f"postgres: .* {server_pids['database']} "], capture_output=True, text=True
    ).stdout.split()
    return {"gunicorn": per_pid(server_pids["workers"]), "postgres": per_pid(backends)}


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> float:
    """CPU seconds between two readings of the processes alive at the second (a new one from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def settle(server_pids: dict, limit: float = 180.0) -> float:
    """Waits until the gunicorn workers are idle (under 5 % of a core over half a second) and returns
    the seconds waited. An overloaded open loop leaves requests queued in the listen backlog after the
    client gave up on them, and the sync workers still serve them: without this the next measurement
    would pay for them (session 8: a closed loop of transitions at 0.3 requests/s after the overdue
    list's open loop at 50)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = cpu_seconds(server_pids)["gunicorn"]
        time.sleep(0.5)
        if cpu_spent(before, cpu_seconds(server_pids)["gunicorn"]) < 0.025:
            break
    return round(time.monotonic() - started, 1)


def locust(
    base: str,
    plan_path: Path,
    user_class: str,
    users: int,
    seconds: int,
    mode: str,
    out: Path,
    server_pids: dict,
) -> dict:
    prefix = out / f"{user_class}-{mode}"
    env = {**os.environ, "HTTP_BENCH_PLAN": str(plan_path), "HTTP_BENCH_MODE": mode}
    load_before = os.getloadavg()
    cpu_before = cpu_seconds(server_pids)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            user_class,
        ],
        env=env,
        check=False,  # locust exits 1 when a request failed; the failures are in the figures
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}.log", "w", encoding="utf-8"),  # noqa: SIM115 (closed with the process)
    )
    cpu_after = cpu_seconds(server_pids)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    requests = max(int(row["Request Count"]), 1)
    locust_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return {
        # CPU per request (ms): what the load of the other jobs on the machine does not change much.
        "cpu_ms": {
            "gunicorn": round(1000 * cpu_spent(cpu_before["gunicorn"], cpu_after["gunicorn"]) / requests, 2),
            "postgres": round(1000 * cpu_spent(cpu_before["postgres"], cpu_after["postgres"]) / requests, 2),
            "locust": round(1000 * locust_cpu / requests, 2),
        },
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "load_before": load_before[0],
        "load_after": os.getloadavg()[0],
    }


def open_loop(
    base: str,
    plan_path: Path,
    scenario: str,
    rate: float,
    seconds: int,
    out: Path,
    server_pids: dict,
    args,
) -> dict:
    """The open loop by bench/openloop.py (its own process): requests at the seeded arrival times of
    --schedule, latency from each request's scheduled send time."""
    prefix = out / f"{SCENARIOS[scenario][0]}-open-{rate:g}.json"
    load_before = os.getloadavg()
    cpu_before = cpu_seconds(server_pids)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "openloop.py"),
            "--base",
            base,
            "--plan",
            str(plan_path),
            "--scenario",
            scenario,
            "--rate",
            str(rate),
            "--duration",
            str(seconds),
            "--schedule",
            args.schedule,
            "--seed",
            str(args.seed),
            "--out",
            str(prefix),
        ],
        check=True,
    )
    cpu_after = cpu_seconds(server_pids)
    figures = json.loads(prefix.read_text(encoding="utf-8"))
    answered = max(figures["requests"], 1)
    return {
        **figures,
        "client": "openloop",
        "cpu_ms": {
            "gunicorn": round(1000 * cpu_spent(cpu_before["gunicorn"], cpu_after["gunicorn"]) / answered, 2),
            "postgres": round(1000 * cpu_spent(cpu_before["postgres"], cpu_after["postgres"]) / answered, 2),
            "client": figures["client_cpu_ms"],
        },
        "load_before": load_before[0],
        "load_after": os.getloadavg()[0],
    }


def machine() -> dict:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version(), current_setting('random_page_cost'), current_setting('jit'), "
            "current_setting('shared_buffers'), current_setting('max_connections')"
        )
        version, rpc, jit, buffers, conns = cursor.fetchone()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "postgres": version.split(" on ")[0],
        "pg_settings": (
            f"random_page_cost {rpc}, jit {jit}, shared_buffers {buffers}, max_connections {conns}"
        ),
    }


def run(args) -> int:
    setup_django()
    from django.db import connection

    from casework.models import Case

    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    begun = time.monotonic()
    code = Path(args.code).resolve()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.commit], capture_output=True, text=True
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="http-bench-"))
    plan_path = work / "plan.json"
    load_at_start = os.getloadavg()[0]
    summaries = refresh_summaries()
    plan = write_plan(plan_path, max(args.users, *args.rate) * PER_USER)
    result = {
        "label": args.label,
        "code": str(code),
        "commit": commit,
        "cases": Case.objects.count(),
        "province": plan["province"],
        "province_cases": plan["province_cases"],
        "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_at_start": load_at_start,
        "summaries": summaries,
        "users": args.users,
        "duration": args.duration,
        "rate": max(args.rate),
        "rates": args.rate,
        "open_duration": args.open_duration,
        "open_client": args.open_client,
        "schedule": args.schedule,
        "seed": args.seed,
        "scenarios": {},
    }
    database = connection.settings_dict["NAME"]
    connection.close()  # not held open through the runs
    base = f"http://127.0.0.1:{args.port}"
    command = gunicorn_command(code, args.port, work, args)
    server = start_server(command, code, work)
    try:
        wait_ready(base, plan["monitor_token"], server)
        warm_up(base, plan)
        setup = server_setup(server, command, code)
        result["gunicorn"] = {k: v for k, v in setup.items() if k != "pids"}
        print(
            f"{args.label}: {result['cases']:,} cases; gunicorn {setup['workers']} × {setup['worker_class']}"
            f" (threads {setup['threads']}); summaries {summaries}; load {load_at_start:.1f}",
            flush=True,
        )
        pids = {"workers": setup["pids"], "database": database}
        for name in args.scenarios:
            user_class = SCENARIOS[name][0]
            figures = {}
            # "open" is the judged rate (the highest); the others are "open@<rate>".
            runs = [("closed", args.users, args.duration)] * bool(args.duration) + [
                ("open" if rate == max(args.rate) else f"open@{rate:g}", rate, args.open_duration)
                for rate in sorted(args.rate)
                if args.open_duration
            ]
            for mode, users, seconds in runs:
                settled = settle(pids)
                fresh = fresh_transition_cases(plan_path) if name == "transitions" else None
                connection.close()
                if mode == "closed" or args.open_client == "locust":
                    figures[mode] = locust(
                        base, plan_path, user_class, int(users), seconds, mode.split("@")[0], work, pids
                    )
                else:
                    figures[mode] = open_loop(base, plan_path, name, users, seconds, work, pids, args)
                f = figures[mode]
                f["settled_s"] = settled
                if fresh:
                    f["transition_case_versions"] = fresh
                cpu = f["cpu_ms"]
                print(
                    f"{args.label:7} {name:17} {mode:8} {f['rps']:7.1f} req/s  p50 {f['p50']:6.0f} ms  "
                    f"p95 {f['p95']:6.0f} ms  p99 {f['p99']:6.0f} ms  "
                    f"errors {f['failures']}/{f['requests']}  "
                    f"cpu/req gunicorn {cpu['gunicorn']:.1f} pg {cpu['postgres']:.1f} "
                    f"client {cpu.get('client', cpu.get('locust')):.1f} ms  load {f['load_before']:.1f}",
                    flush=True,
                )
            result["scenarios"][name] = figures
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["minutes"] = round((time.monotonic() - begun) / 60, 1)
    out = Path(args.out or ROOT / "var" / f"http_{args.label}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"{out} ({result['minutes']} min)")
    if not args.no_report:
        runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare] + [result]
        write_report(runs, args.note)
    return 0


# --- The report -------------------------------------------------------------------------------------


def _ms(figure: float) -> str:
    return f"{figure:.0f}"


def _settings_line(run: dict) -> str:
    g = run.get("gunicorn", {})
    if not g:
        return f"gunicorn, {LEGACY_WORKERS} sync workers"
    threads = (
        f", {g['threads']} threads each, keep-alive {g['keepalive']} s" if g["worker_class"] != "sync" else ""
    )
    source = "config/gunicorn.conf.py" if g.get("config_file") else "command line"
    return f"gunicorn ({source}): {g['workers']} {g['worker_class']} workers{threads}"


def _run_cells(f: dict | None, p99: bool = False) -> str:
    """One run's cells of a scenario's row: req/s, p50 / p95 (/ p99), errors, CPU per request (the
    load generator's: locust's or bench/openloop.py's), load."""
    if f is None:
        return " — | — | — | — | — |"
    cpu = f.get("cpu_ms", {})
    generator = "client" if "client" in cpu else "locust"
    cpu_text = " / ".join(f"{cpu[k]:.1f}" for k in ("gunicorn", "postgres", generator)) if cpu else "—"
    tail = f" / {_ms(f['p99'])}" if p99 else ""
    return (
        f" {f['rps']:.1f} | {_ms(f['p50'])} / {_ms(f['p95'])}{tail} | {f['failures']} | {cpu_text} "
        f"| {f['load_before']:.1f} |"
    )


def _open_client(run: dict) -> str:
    if run.get("open_client", "locust") == "locust":
        return "locust `constant_throughput(1)` users"
    return f"bench/openloop.py ({run.get('schedule', 'poisson')} arrivals, seed {run.get('seed', 1)})"


def _open_loop_text(run: dict) -> str:
    if run.get("open_client", "locust") == "locust":
        return (
            f"Open loop: {run['rate']} locust clients each sending one request a second (locust's "
            f"`constant_throughput(1)`) for {run['open_duration']} s: an offered rate of {run['rate']} "
            "requests/s while answers take under a second, in bursts (below)."
        )
    rates = " and ".join(f"{r:g}" for r in sorted(run.get("rates", [run["rate"]])))
    return (
        f"Open loop: bench/openloop.py, {rates} requests/s offered for {run['open_duration']} s each, at "
        f"the arrival times of a seeded {run.get('schedule', 'poisson')} schedule whatever the answers "
        "(a pool of threads, never fewer free than requests due; urllib3's persistent connections where "
        "the server keeps them); latency from each request's scheduled send time, so a late send counts "
        "(no coordinated omission); an unanswered request is an error with its time so far; the achieved "
        "rate is the answers over the time from the first scheduled send to the last answer."
    )


def write_report(runs: list[dict], notes: list[str]) -> None:
    """bench/HTTP_RESULTS.md: the last run judged against the targets, earlier runs of the sitting beside
    it for comparison."""
    new, earlier = runs[-1], runs[:-1]
    # A run records `git rev-parse --short`, which grows past seven digits as the repository does.
    baseline = next((r for r in earlier if r["commit"].startswith(ISSUE_CODE)), None)
    m = new["machine"]
    loads = [new["load_at_start"]] + [
        f[mode]["load_before"] for r in runs for f in r["scenarios"].values() for mode in f
    ]
    lines = [
        "# HTTP under load",
        "",
        f"`bench/http_bench.py` on {new['cases']:,} synthetic cases (`generate_synthetic --units 300 --cases "
        f"250000 --years 5 --seed 1`); the province monitor of {new['province']} "
        f"({new['province_cases']:,} cases). {m['cpu']}, {m['cores']} cores; load average "
        f"{min(loads):.1f}–{max(loads):.1f} at the starts (each run's below). The server, PostgreSQL and "
        "the load generator share the machine's cores; on a machine loaded by other jobs the absolute "
        "figures move with them and only the ratio between runs of one sitting, and the CPU per request, "
        "can be trusted.",
        "",
        f"{m['postgres']} ({m['pg_settings']}). `config.settings.prod` (DEBUG off, a random SECRET_KEY, "
        "SECURE_COOKIES=0 for plain HTTP on 127.0.0.1), report summaries built or refreshed before the "
        "run (beat keeps them so in production). Closed loop: locust (FastHttpUser, keep-alive), "
        f"headless, {new['users']} clients for {new['duration']} s per scenario. {_open_loop_text(new)} "
        "CPU per request: the gunicorn workers' and the PostgreSQL backends' CPU time over the requests "
        "answered, and the load generator's (locust: its process; openloop: `time.process_time()` over "
        "the run). PostgreSQL's misses backends that ended during the run, e.g. connections replaced "
        "after CONN_MAX_AGE: a lower bound.",
        "",
        "Runs:",
        "",
    ]
    for r in runs:
        lines.append(
            f"- **{r['label']}** ({r['commit']}, started {r['started']}, load average "
            f"{r.get('load_at_start', 0):.1f}, {r.get('minutes', '?')} min): {_settings_line(r)}; "
            f"open loop by {_open_client(r)}"
        )
    lines += [
        "",
        "## Closed loop (throughput)",
        "",
        f'Target: ≥ {THROUGHPUT_TARGET:.0f}× the figure of issue 14 ("today": gunicorn, 4 sync workers, '
        "20 clients, 60 s, 250k cases), 0 errors. The case list has no figure in the issue."
        + (
            f" Where the issue's code ({ISSUE_CODE}) ran in the same sitting, ≥ {THROUGHPUT_TARGET:.0f}× "
            "its figure too (the case list: that figure only)."
            if baseline
            else ""
        ),
        "",
    ]
    header = "| scenario | issue's today req/s |"
    rule = "|---|---|"
    for r in runs:
        header += f" {r['label']} req/s | p50 / p95 ms | errors | CPU ms/req gunicorn / pg / locust | load |"
        rule += "---|---|---|---|---|"
    if earlier:
        header += f" {new['label']} / {earlier[0]['label']} |"
        rule += "---|"
    header += " / issue's today | target met |"
    rule += "---|---|"
    lines += [header, rule]
    for name in new["scenarios"]:
        if "closed" not in new["scenarios"][name]:
            continue
        today = ISSUE_TODAY.get(name)
        line = f"| {name} | {today if today else '—'} |"
        line += "".join(_run_cells(r["scenarios"].get(name, {}).get("closed")) for r in runs)
        n = new["scenarios"][name]["closed"]
        if earlier:
            b = earlier[0]["scenarios"].get(name, {}).get("closed")
            line += f" {n['rps'] / b['rps']:.2f}× |" if b and b["rps"] else " — |"
        same_sitting = baseline and baseline["scenarios"].get(name, {}).get("closed")
        if today or same_sitting:
            met = n["failures"] == 0 and all(
                n["rps"] >= THROUGHPUT_TARGET * figure
                for figure in (today, same_sitting and same_sitting["rps"])
                if figure
            )
            ratio = f"{n['rps'] / today:.2f}×" if today else "—"
            line += f" {ratio} | {'yes' if met else 'no'} |"
        else:
            line += " — | no figure in the issue |"
        lines.append(line)
    for rate in sorted(new.get("rates", [new["rate"]]), reverse=True):
        mode = "open" if rate == new["rate"] else f"open@{rate:g}"
        judged = mode == "open"
        lines += [
            "",
            f"## Open loop ({rate:g} requests/s offered)",
            "",
            "Target: p95 ≤ 100 ms for detail, list and transitions, ≤ 200 ms for the overdue list and the "
            "report, 0 errors, and the offered rate achieved (at least 95 %)."
            if judged
            else f"No target at this rate: the latency at {rate / new['rate']:.0%} of the judged rate.",
            "",
        ]
        header, rule = ("| scenario | target p95 ms |", "|---|---|") if judged else ("| scenario |", "|---|")
        for r in runs:
            header += (
                f" {r['label']} achieved req/s | p50 / p95 / p99 ms | errors "
                "| CPU ms/req gunicorn / pg / client | load |"
            )
            rule += "---|---|---|---|---|"
        lines += [header + (" target met |" if judged else ""), rule + ("---|" if judged else "")]
        for name in new["scenarios"]:
            if mode not in new["scenarios"][name]:
                continue
            target = SCENARIOS[name][1]
            line = f"| {name} | {target} |" if judged else f"| {name} |"
            line += "".join(_run_cells(r["scenarios"].get(name, {}).get(mode), p99=True) for r in runs)
            if judged:
                n = new["scenarios"][name][mode]
                met = n["p95"] <= target and n["failures"] == 0 and n["rps"] >= 0.95 * rate
                line += f" {'yes' if met else 'no'} |"
            lines.append(line)
    for note in notes:
        lines += ["", note]
    lines.append("")
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))


def report(args) -> int:
    write_report([json.loads(Path(p).read_text(encoding="utf-8")) for p in args.runs], args.note)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="Serve one checkout and load it; figures to --out, then the report.")
    r.add_argument("--code", default=str(ROOT), help="The checkout to serve (default: this one).")
    r.add_argument("--commit", default="HEAD", help="What --code holds, for the report (a git revision).")
    r.add_argument("--label", required=True)
    r.add_argument("--out", help="The run's figures (JSON); default var/http_<label>.json.")
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--users", type=int, default=USERS, help="Closed-loop clients.")
    r.add_argument("--duration", type=int, default=DURATION, help="Closed-loop seconds (0: none).")
    r.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=RATES,
        help="Open-loop requests/s offered (several: one run each; the highest is judged).",
    )
    r.add_argument(
        "--open-client",
        choices=("arrivals", "locust"),
        default="arrivals",
        help="arrivals: bench/openloop.py (default); locust: constant_throughput users (the old harness).",
    )
    r.add_argument("--schedule", choices=("poisson", "uniform", "burst"), default="poisson")
    r.add_argument("--seed", type=int, default=1, help="The open loop's schedule and case draws.")
    r.add_argument("--open-duration", type=int, default=OPEN_DURATION, help="Open-loop seconds (0: none).")
    r.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    r.add_argument("--workers", type=int, help="gunicorn worker processes (default: the config's).")
    r.add_argument("--worker-class", help="gunicorn worker class, e.g. sync or gthread.")
    r.add_argument("--threads", type=int, help="Threads per gthread worker.")
    r.add_argument("--keepalive", type=int, help="gunicorn --keep-alive seconds (gthread).")
    r.add_argument("--compare", nargs="*", default=[], help="Earlier runs (JSON) to show beside this one.")
    r.add_argument("--no-report", action="store_true", help="Do not write bench/HTTP_RESULTS.md.")
    r.add_argument("--note", action="append", default=[], help="A paragraph to append to the report.")
    p = sub.add_parser("report", help="Write bench/HTTP_RESULTS.md from saved runs (the last is judged).")
    p.add_argument("runs", nargs="+")
    p.add_argument("--note", action="append", default=[], help="A paragraph to append.")
    args = parser.parse_args()
    return run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    sys.exit(main())

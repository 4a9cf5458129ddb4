"""HTTP load benchmark: gunicorn with production settings on PostgreSQL, driven by locust (headless,
bounded in time). Not part of the unit suite.

    # one sitting: main's code first, then the branch's, same database, same machine
    git archive main | tar -x -C /tmp/main-code
    DATABASE_URL=postgres://.../tiepdan_x .venv/bin/python bench/http_bench.py run \\
        --code /tmp/main-code --label main --out var/http_main.json
    DATABASE_URL=postgres://.../tiepdan_x .venv/bin/python bench/http_bench.py run \\
        --label branch --out var/http_branch.json
    .venv/bin/python bench/http_bench.py report var/http_main.json var/http_branch.json

`run` serves the code in --code (default: this checkout) with `gunicorn config.wsgi:application`,
4 sync workers, `config.settings.prod` with a random SECRET_KEY (DEBUG off; SECURE_COOKIES=0 because
the benchmark talks plain HTTP to 127.0.0.1), and the interpreter of this checkout's .venv. It creates
API tokens for the users it acts as (a province monitor, the heads of the units whose cases it moves),
warms every endpoint up, then for each scenario runs locust (bench/locustfile.py):

- closed loop: USERS clients (20) for DURATION seconds (60), each sending its next request as soon as
  the previous answer arrives: throughput, p50, p95, errors;
- open loop: RATE clients (50) each sending one request per second for OPEN_DURATION seconds: an
  offered rate of RATE requests/s whatever the answers, p50/p95 and the achieved rate.

Scenarios: case detail (random cases of the province), case list and `?overdue=true` (first page), all
as the province monitor; transitions (`submit_for_approval` / `return_for_revision` by the unit's head,
back and forth on cases under verification: each client owns its cases); resolution rates of the
province by level for the current year. `report` writes bench/HTTP_RESULTS.md from two runs.
The database must hold synthetic data (manage.py generate_synthetic --units 300 --cases 250000 ...).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
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
RATE = 50
OPEN_DURATION = 30
WORKERS = 4
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
    head, with a token for that head and the case's current version."""
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
        .order_by("id")
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


def refresh_versions(path: Path) -> None:
    """The transition cases' current state and version (the previous run moved them)."""
    from casework.models import Case

    plan = json.loads(path.read_text(encoding="utf-8"))
    now = {
        c["id"]: c
        for c in Case.objects.filter(pk__in=[c["id"] for c in plan["transition_cases"]]).values(
            "id", "state", "version"
        )
    }
    for case in plan["transition_cases"]:
        case["state"], case["version"] = now[case["id"]]["state"], now[case["id"]]["version"]
    path.write_text(json.dumps(plan), encoding="utf-8")


# --- The server -------------------------------------------------------------------------------------


def start_server(code: Path, port: int, var_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_COOKIES": "0",  # plain HTTP to 127.0.0.1: no HTTPS redirect
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(var_dir),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--error-logfile",
            str(var_dir / "gunicorn.log"),
        ],
        cwd=code,
        env=env,
    )
    return server


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
    for i in range(2 * WORKERS):
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


def locust(
    base: str, plan_path: Path, user_class: str, users: int, seconds: int, mode: str, out: Path
) -> dict:
    prefix = out / f"{user_class}-{mode}"
    env = {**os.environ, "HTTP_BENCH_PLAN": str(plan_path), "HTTP_BENCH_MODE": mode}
    load_before = os.getloadavg()
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
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
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
    code = Path(args.code).resolve()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.commit], capture_output=True, text=True
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="http-bench-"))
    plan_path = work / "plan.json"
    plan = write_plan(plan_path, max(args.users, args.rate) * PER_USER)
    connection.close()  # not held open through the runs
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(code, args.port, work)
    result = {
        "label": args.label,
        "code": str(code),
        "commit": commit,
        "cases": Case.objects.count(),
        "province": plan["province"],
        "province_cases": plan["province_cases"],
        "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "users": args.users,
        "duration": args.duration,
        "rate": args.rate,
        "open_duration": args.open_duration,
        "scenarios": {},
    }
    connection.close()
    try:
        wait_ready(base, plan["monitor_token"], server)
        warm_up(base, plan)
        for name in args.scenarios:
            user_class = SCENARIOS[name][0]
            figures = {}
            for mode, users, seconds in (
                ("closed", args.users, args.duration),
                ("open", args.rate, args.open_duration),
            ):
                refresh_versions(plan_path)
                connection.close()
                figures[mode] = locust(base, plan_path, user_class, users, seconds, mode, work)
                f = figures[mode]
                print(
                    f"{args.label:7} {name:17} {mode:6} {f['rps']:7.1f} req/s  p50 {f['p50']:6.0f} ms  "
                    f"p95 {f['p95']:6.0f} ms  errors {f['failures']}/{f['requests']}  "
                    f"load {f['load_before']:.1f}",
                    flush=True,
                )
            result["scenarios"][name] = figures
    finally:
        server.terminate()
        server.wait(timeout=30)
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


# --- The report -------------------------------------------------------------------------------------


def report(args) -> int:
    base, new = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (args.before, args.after))
    m = new["machine"]
    loads = [f[mode]["load_before"] for r in (base, new) for f in r["scenarios"].values() for mode in f]
    lines = [
        "# HTTP under load",
        "",
        f"`bench/http_bench.py` on {new['cases']:,} synthetic cases (`generate_synthetic --units 300 --cases "
        f"250000 --years 5 --seed 1`); the province monitor of {new['province']} "
        f"({new['province_cases']:,} cases). {m['cpu']}, {m['cores']} cores, **shared with 7 other agents' "
        f"jobs** (load average {min(loads):.1f}–{max(loads):.1f} at the start of the runs): the server, "
        "PostgreSQL and the load generator run on the same 2 cores, so the absolute figures move with the "
        "other jobs; the ratio between the two runs of one sitting is the figure to trust.",
        "",
        f"{m['postgres']} ({m['pg_settings']}). gunicorn, {WORKERS} sync workers, "
        "`config.settings.prod` (DEBUG off, a random SECRET_KEY, SECURE_COOKIES=0 for plain HTTP on "
        "127.0.0.1), locust "
        f"(FastHttpUser), headless. Closed loop: {new['users']} clients for {new['duration']} s per "
        f"scenario. Open loop: {new['rate']} clients each sending one request a second (locust's "
        f"`constant_throughput(1)`) for {new['open_duration']} s: an offered rate of {new['rate']} "
        "requests/s (it stays open only while answers take under a second; the achieved rate shows it).",
        "",
        f"Runs: **{base['label']}** ({base['commit']}, started {base['started']}) then **{new['label']}** "
        f"({new['commit']}, started {new['started']}).",
        "",
        "## Closed loop (throughput)",
        "",
        f'Target: ≥ {THROUGHPUT_TARGET:.0f}× the figure of issue 14 ("today"), 0 errors.',
        "",
        f"| scenario | issue's today req/s | {base['label']} req/s | p50 / p95 ms | errors "
        f"| {new['label']} req/s | p50 / p95 ms | errors | {new['label']} / {base['label']} "
        "| / issue's today | target met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in new["scenarios"]:
        b, n = base["scenarios"][name]["closed"], new["scenarios"][name]["closed"]
        today = ISSUE_TODAY.get(name)
        reference = today if today else b["rps"]
        met = n["rps"] >= THROUGHPUT_TARGET * reference and n["failures"] == 0
        versus_today = f"{n['rps'] / today:.2f}×" if today else "—"
        lines.append(
            f"| {name} | {today if today else '—'} | {b['rps']:.1f} | {b['p50']:.0f} / {b['p95']:.0f} "
            f"| {b['failures']} | {n['rps']:.1f} | {n['p50']:.0f} / {n['p95']:.0f} | {n['failures']} "
            f"| {n['rps'] / b['rps']:.2f}× | {versus_today} "
            f"| {'yes' if met else 'no'} |"
        )
    lines += [
        "",
        "The case list has no figure in the issue; its row compares with this sitting's first run.",
        "",
        f"## Open loop ({new['rate']} requests/s offered)",
        "",
        "Target: p95 ≤ 100 ms for detail, list and transitions, ≤ 200 ms for the overdue list and the "
        "report.",
        "",
        f"| scenario | target p95 ms | {base['label']} achieved req/s | p50 / p95 ms | errors "
        f"| {new['label']} achieved req/s | p50 / p95 ms | errors | target met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in new["scenarios"]:
        b, n = base["scenarios"][name]["open"], new["scenarios"][name]["open"]
        target = SCENARIOS[name][1]
        met = n["p95"] <= target and n["failures"] == 0 and n["rps"] >= 0.95 * new["rate"]
        lines.append(
            f"| {name} | {target} | {b['rps']:.1f} | {b['p50']:.0f} / {b['p95']:.0f} | {b['failures']} "
            f"| {n['rps']:.1f} | {n['p50']:.0f} / {n['p95']:.0f} | {n['failures']} "
            f"| {'yes' if met else 'no'} |"
        )
    for note in args.note:
        lines += ["", note]
    lines.append("")
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(RESULTS.read_text(encoding="utf-8"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="Serve one checkout and load it; figures to --out (JSON).")
    r.add_argument("--code", default=str(ROOT), help="The checkout to serve (default: this one).")
    r.add_argument("--commit", default="HEAD", help="What --code holds, for the report (a git revision).")
    r.add_argument("--label", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--users", type=int, default=USERS)
    r.add_argument("--duration", type=int, default=DURATION)
    r.add_argument("--rate", type=int, default=RATE)
    r.add_argument("--open-duration", type=int, default=OPEN_DURATION)
    r.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    p = sub.add_parser("report", help="Write bench/HTTP_RESULTS.md from two runs of one sitting.")
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--note", action="append", default=[], help="A paragraph to append.")
    args = parser.parse_args()
    return run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    sys.exit(main())

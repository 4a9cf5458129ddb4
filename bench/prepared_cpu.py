"""Python CPU and PostgreSQL backend CPU per request, with the hot statements as server-side prepared
statements and without (casework.prepared.prepared_statements, settings.PREPARED_STATEMENTS), in one
process, alternating round by round.

    DATABASE_URL=postgres://.../tiepdan_x .venv/bin/python bench/prepared_cpu.py [--rounds 9]

The requests are bench/wsgi_cpu.py's (the case detail as a province monitor, and unit heads moving their
complaints between `verifying` and `awaiting_approval`), given in-process to the WSGI application with
production settings: one database connection, hence one backend, whose CPU time is read from
/proc/<pid>/schedstat (nanoseconds on the CPU; same machine as the server only) before and after each
round. `--modes client` on a checkout without the setting measures that code as it is (the setting is
then ignored), for a comparison with another version in the same sitting. Printed: per scenario and
mode, the median over rounds of the Python CPU (time.process_time), the backend's CPU and the wall time
per request, and the statements the backend prepared (pg_prepared_statements, with their generic and
custom plans).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DB_CONN_MAX_AGE", "86400")  # one backend for the whole run

import wsgi_cpu  # (sets the environment for production settings)


def backend_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def per_statement(plan: dict, pid: int, rounds: int, calls: int) -> dict:
    """The backend's CPU per execution of each hot statement alone, outside a transaction: sent with
    its parameters bound on the client (parsed, analysed and planned every time) and as a prepared
    statement (casework.prepared.run_prepared), alternating round by round; the median over rounds."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from api.authentication import _MEMBERSHIPS_OF_TOKEN, _TOKEN_WITH_USER
    from api.views import _CASE, _related_statements
    from casework import prepared
    from notifications.wakeup import _CLAIM_SQL
    from workflows.service import _LOCK_CASE

    key, pk = plan["monitor_token"], plan["detail_ids"][0]
    statements = {
        "token with its user": _TOKEN_WITH_USER.statement(key),
        "memberships of the token's user": _MEMBERSHIPS_OF_TOKEN.statement(key),
        "case (detail)": _CASE.statement(pk),
        **dict(zip(("people", "clocks", "ledgers"), _related_statements([pk]), strict=True)),
        "case row lock (SELECT ... FOR UPDATE, autocommit)": _LOCK_CASE.statement(pk),
    }
    texts = {name: (s.compiled.sql, s.params, True) for name, s in statements.items()}
    # The relay claim finds no row to take (no such id): the statement's own cost.
    texts["relay claim (UPDATE, no row)"] = (_CLAIM_SQL, [timezone.now(), -1], False)
    times: dict[str, dict[str, list[float]]] = {name: {"client": [], "prepared": []} for name in texts}
    for _ in range(rounds):
        for name, (sql, params, rows) in texts.items():
            for mode in ("client", "prepared"):
                settings.PREPARED_STATEMENTS = mode == "prepared"  # off: the connection's own cursor
                before = backend_ns(pid)
                for _ in range(calls):
                    prepared.run_prepared(connection, sql, params, rows=rows)
                times[name][mode].append((backend_ns(pid) - before) / 1e6 / calls)
    modes = ("client", "prepared")
    return {name: [round(statistics.median(t[m]), 3) for m in modes] for name, t in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=200, help="Requests per round, scenario and mode.")
    parser.add_argument("--cases", type=int, default=80, help="Transition cases (and detail ids: 10x).")
    parser.add_argument("--modes", default="client,prepared")
    parser.add_argument("--out", help="Write the figures (JSON) here.")
    args = parser.parse_args()
    modes = args.modes.split(",")

    import http_bench
    from django.conf import settings
    from django.db import connection

    from config.wsgi import application

    http_bench.refresh_summaries()
    plan = http_bench.write_plan(Path(os.environ["VAR_DIR"]) / "plan.json", args.cases)
    plan["detail_ids"] = plan["detail_ids"][: 10 * args.cases]
    run = wsgi_cpu.scenarios(wsgi_cpu.Client(application), plan)
    # The connection made with the setting on (casework.prepared.generic_plans runs at connect).
    settings.PREPARED_STATEMENTS = True
    connection.ensure_connection()
    for mode in modes:
        settings.PREPARED_STATEMENTS = mode == "prepared"
        for _ in range(len(plan["detail_ids"])):
            run["detail"]()
        for _ in range(2 * len(plan["transition_cases"])):
            run["transition"]()
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid

    figures = {(name, mode): {"cpu": [], "pg": [], "wall": []} for name in run for mode in modes}
    for _ in range(args.rounds):
        for name, call in run.items():
            for mode in modes:
                settings.PREPARED_STATEMENTS = mode == "prepared"
                pg, cpu, wall = backend_ns(pid), time.process_time(), time.perf_counter()
                for _ in range(args.requests):
                    call()
                f = figures[name, mode]
                f["wall"].append(1000 * (time.perf_counter() - wall) / args.requests)
                f["cpu"].append(1000 * (time.process_time() - cpu) / args.requests)
                f["pg"].append((backend_ns(pid) - pg) / 1e6 / args.requests)
                if connection.connection.info.backend_pid != pid:
                    raise SystemExit("The connection was replaced during the run.")
    result = {
        f"{name} {mode}": {key: round(statistics.median(values), 3) for key, values in f.items()}
        for (name, mode), f in figures.items()
    }
    if "prepared" in modes and "client" in modes:
        result["backend CPU per statement, ms (client-bound, prepared)"] = per_statement(
            plan, pid, args.rounds, args.requests
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans, left(statement, 70) FROM pg_prepared_statements")
        result["prepared statements (generic plans, custom plans, text)"] = cursor.fetchall()
    print(json.dumps(result, indent=1, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

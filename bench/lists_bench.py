"""Case lists, the overdue list, case detail and the deadline scan beside their hand-written SQL.

Not part of the unit suite. The API is called in-process through DRF's APIClient (middleware,
authentication, filters, pagination, serialization and JSON rendering: everything but the network) as
a province monitor and as a commune handler; in the same run, the same rows are fetched by hand-written
SQL (the same statements a careful programmer would write, through a plain cursor). API and SQL are
timed alternately, RUNS times each after a warm-up, so both see the same machine load; the ratio of
medians is the figure (target ≤ 2×).

The scan is timed at two data sizes (this database and each --scan-database), inside a transaction
rolled back after each run so every run does the same work: the alert part against its hand-written
select, and closing the lapsed appeal windows in batches against one perform_action per case.
Results go to bench/LISTS_RESULTS.md.

    DATABASE_URL=postgres://.../tiepdan_perf_lists .venv/bin/python bench/lists_bench.py \\
        --scan-database postgres://.../tiepdan_perf_lists_big
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from casework.choices import STAFF_DEADLINES, TERMINAL_STATES, Action, Role  # noqa: E402
from casework.models import Case, Deadline, Membership  # noqa: E402
from casework.rules.calendar import WorkingCalendar  # noqa: E402
from workflows import scan  # noqa: E402
from workflows.batch import close_cases  # noqa: E402
from workflows.errors import WorkflowError  # noqa: E402
from workflows.service import perform_action  # noqa: E402

# Query logging (DEBUG) would be timed with the API and not with the SQL.
settings.DEBUG = False

RUNS = 9
PAGES = 5
TARGET = 2.0
RESULTS = ROOT / "bench" / "LISTS_RESULTS.md"


def paired(api, raw) -> tuple[float, float, float]:
    """Median seconds of `api` and `raw`, timed alternately after one warm-up each, and the median
    CPU seconds of this process during `api` (Python's share, which the machine's load does not
    inflate the way it does wall time)."""
    api()
    raw()
    api_times, raw_times, api_cpu = [], [], []
    for _ in range(RUNS):
        for fn, times in ((api, api_times), (raw, raw_times)):
            started, cpu = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - started)
            if fn is api:
                api_cpu.append(time.process_time() - cpu)
    return statistics.median(api_times), statistics.median(raw_times), statistics.median(api_cpu)


# --- Who ----------------------------------------------------------------------------------------


def people():
    monitor = (
        Membership.objects.filter(role=Role.MONITOR, unit__parent__isnull=True)
        .select_related("unit", "user")
        .order_by("unit_id")
        .first()
    )
    busiest = (
        Case.objects.filter(unit__path__startswith=monitor.unit.path, unit__depth__gt=0)
        .exclude(state__in=TERMINAL_STATES)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    handler = (
        Membership.objects.filter(role=Role.HANDLER, unit_id=busiest["unit"])
        .select_related("unit", "user")
        .first()
    )
    return {"province monitor": monitor, "commune handler": handler}


# --- Hand-written SQL -----------------------------------------------------------------------------

CASE_COLUMNS = """c.id, c.unit_id, c.year, c.sequence, c.reference, c.kind, c.round, c.channel, c.received_at,
    c.summary, c.respondent_unit_id, c.respondent, c.decision_known_at, c.limitation_excuse,
    c.several_locations, c.is_group, c.first_round_case_id, c.transferred_from_id, c.registered_by_id,
    c.handler_id, c.state, c.suspended_from, c.reason_code, c.guidance, c.outcome, c.outcome_summary,
    c.claim_differs, c.decision_number, c.accepted_at, c.decided_at, c.published_at, c.closed_at,
    c.awaiting_citizen_since, c.intake_flags, c.withdrawal_coerced, c.version, c.created_at, c.updated_at,
    u.id, u.code, u.name, u.level_id, u.parent_id, u.path, u.depth, u.is_remote, u.head_id, u.address,
    u.email, u.is_active"""


# --raw-batched: the hand-written side sends a page's related statements in one round trip too (as
# the API does on PostgreSQL since session 9), the ledgers read by the cases' ids through their clocks.
RAW_BATCHED = False


def raw_related_batched(cursor, user_id: int, ids: list[int]) -> None:
    statements = [
        (
            """SELECT m.*, u.*, l.* FROM casework_membership m JOIN casework_unit u ON u.id = m.unit_id
               JOIN casework_unitlevel l ON l.id = u.level_id WHERE m.user_id = %s""",
            [user_id],
        ),
        (
            """SELECT cp.*, p.* FROM casework_caseparty cp JOIN casework_party p ON p.id = cp.party_id
               WHERE cp.case_id = ANY(%s) ORDER BY cp.id""",
            [ids],
        ),
        ("SELECT * FROM casework_deadline WHERE case_id = ANY(%s) ORDER BY id", [ids]),
        (
            """SELECT e.* FROM casework_deadlineentry e JOIN casework_deadline d ON d.id = e.deadline_id
               WHERE d.case_id = ANY(%s) ORDER BY e.id""",
            [ids],
        ),
        (
            """SELECT id, transferred_from_id FROM casework_case
               WHERE transferred_from_id = ANY(%s) ORDER BY id""",
            [ids],
        ),
        (
            """SELECT id, first_round_case_id FROM casework_case
               WHERE first_round_case_id = ANY(%s) ORDER BY id""",
            [ids],
        ),
        (
            """SELECT dc.case_id, d.* FROM casework_dialogue d
               JOIN casework_dialogue_cases dc ON dc.dialogue_id = d.id WHERE dc.case_id = ANY(%s)""",
            [ids],
        ),
        ("SELECT * FROM casework_calendarday", []),
    ]
    cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
    raw = cursor.cursor
    raw.fetchall()
    while raw.nextset():
        raw.fetchall()


def raw_related(cursor, user_id: int, ids: list[int]) -> None:
    """What one page of cases needs besides the cases: the reader's memberships, the cases' people,
    clocks and their ledgers, linked cases, dialogues, and the calendar."""
    if RAW_BATCHED:
        raw_related_batched(cursor, user_id, ids)
        return
    cursor.execute(
        """SELECT m.*, u.*, l.* FROM casework_membership m JOIN casework_unit u ON u.id = m.unit_id
           JOIN casework_unitlevel l ON l.id = u.level_id WHERE m.user_id = %s""",
        [user_id],
    )
    cursor.fetchall()
    cursor.execute(
        """SELECT cp.*, p.* FROM casework_caseparty cp JOIN casework_party p ON p.id = cp.party_id
           WHERE cp.case_id = ANY(%s) ORDER BY cp.id""",
        [ids],
    )
    cursor.fetchall()
    cursor.execute("SELECT * FROM casework_deadline WHERE case_id = ANY(%s) ORDER BY id", [ids])
    deadlines = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT * FROM casework_deadlineentry WHERE deadline_id = ANY(%s) ORDER BY id", [deadlines]
    )
    cursor.fetchall()
    cursor.execute(
        "SELECT id, transferred_from_id FROM casework_case WHERE transferred_from_id = ANY(%s) ORDER BY id",
        [ids],
    )
    cursor.fetchall()
    cursor.execute(
        "SELECT id, first_round_case_id FROM casework_case WHERE first_round_case_id = ANY(%s) ORDER BY id",
        [ids],
    )
    cursor.fetchall()
    cursor.execute(
        """SELECT dc.case_id, d.* FROM casework_dialogue d
           JOIN casework_dialogue_cases dc ON dc.dialogue_id = d.id WHERE dc.case_id = ANY(%s)""",
        [ids],
    )
    cursor.fetchall()
    cursor.execute("SELECT * FROM casework_calendarday")
    cursor.fetchall()


NEXT_DUE = """COALESCE((SELECT d.due_date FROM casework_deadline d WHERE d.case_id = c.id
    AND d.status = 'running' AND d.due_date IS NOT NULL ORDER BY d.due_date LIMIT 1), '9999-12-31') AS due"""


def raw_pages(user_id: int, path: str, *, overdue: bool, pages: int = PAGES) -> int:
    """`pages` pages of 25 cases newest first (keyset), each with what its rows need."""
    today = timezone.localdate()
    where = "u.path LIKE %s"
    params: list = [path + "%"]
    if overdue:
        where += """ AND c.id = ANY(ARRAY(SELECT case_id FROM casework_deadline
                     WHERE status = 'running' AND due_date < %s))"""
        params.append(today)
    fetched, last = 0, None
    with connection.cursor() as cursor:
        for _page in range(pages):
            keyset = " AND (c.received_at, c.id) < (%s, %s)" if last else ""
            cursor.execute(
                f"""SELECT {CASE_COLUMNS}, {NEXT_DUE}
                    FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
                    WHERE {where}{keyset} ORDER BY c.received_at DESC, c.id DESC LIMIT 26""",
                params + (list(last) if last else []),
            )
            rows = cursor.fetchall()[:25]
            if not rows:
                break
            raw_related(cursor, user_id, [r[0] for r in rows])
            fetched += len(rows)
            last = (rows[-1][8], rows[-1][0])
            if len(rows) < 25:
                break
    return fetched


def raw_detail(user_id: int, path: str, case_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {CASE_COLUMNS}, {NEXT_DUE}
                FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
                WHERE u.path LIKE %s AND c.id = %s""",
            [path + "%", case_id],
        )
        cursor.fetchall()
        raw_related(cursor, user_id, [case_id])


# --- Through the API ------------------------------------------------------------------------------


def api_pages(client: APIClient, url: str, pages: int = PAGES) -> int:
    fetched = 0
    for _page in range(pages):
        body = client.get(url).json()
        fetched += len(body["results"])
        if not body["next"]:
            break
        url = body["next"].split("testserver", 1)[-1].split("127.0.0.1", 1)[-1]
    return fetched


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def lists_and_detail(who: dict) -> list[dict]:
    rows = []
    for label, membership in who.items():
        user, path = membership.user, membership.unit.path
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.force_authenticate(user)
        open_case = (
            Case.objects.filter(unit__path__startswith=path, deadlines__status="running")
            .order_by("-id")
            .values_list("pk", flat=True)
            .first()
        )
        checks = [
            (
                f"case list, {PAGES} pages",
                lambda c=client: api_pages(c, "/api/v1/cases/"),
                lambda u=user.pk, p=path: raw_pages(u, p, overdue=False),
            ),
            (
                f"overdue list (`?overdue=true`), up to {PAGES} pages",
                lambda c=client: api_pages(c, "/api/v1/cases/?overdue=true"),
                lambda u=user.pk, p=path: raw_pages(u, p, overdue=True),
            ),
            (
                "case detail",
                lambda c=client, pk=open_case: c.get(f"/api/v1/cases/{pk}/").json(),
                lambda u=user.pk, p=path, pk=open_case: raw_detail(u, p, pk),
            ),
        ]
        for name, api, raw in checks:
            count = api() if "list" in name else 1
            api_s, raw_s, cpu_s = paired(api, raw)
            row = {
                "who": label,
                "what": name,
                "rows": count,
                "queries": queries_of(api),
                "api_ms": api_s * 1000,
                "sql_ms": raw_s * 1000,
                "ratio": api_s / raw_s,
                "cpu_ms": cpu_s * 1000,
            }
            rows.append(row)
            print(
                f"{label:17} {name:42} {count:4} rows  api {row['api_ms']:7.1f} ms"
                f"  sql {row['sql_ms']:6.1f} ms"
                f"  ×{row['ratio']:.2f}  cpu {row['cpu_ms']:6.1f} ms  ({row['queries']} queries)"
            )
    return rows


# --- The scan (one database per process) ----------------------------------------------------------


def rolled_back(fn):
    """Run fn in a transaction that is rolled back, so every run starts from the same data."""

    def run():
        with transaction.atomic():
            value = fn()
            transaction.set_rollback(True)
        return value

    return run


def median_of(fn) -> float:
    fn()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_watch_select(today: date, horizon: date) -> int:
    """The scan's select by hand: running staff clocks due by the horizon, each with its case's
    reference and unit (a nested loop on the case's primary key, forced by LATERAL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT d.id, d.case_id, d.kind, d.due_date, d.reminder_working_days, d.basis,
                      c.reference, c.unit_id
                 FROM (SELECT * FROM casework_deadline WHERE status = 'running' AND due_date <= %s
                        AND kind = ANY(%s)) d
                 CROSS JOIN LATERAL (SELECT reference, unit_id FROM casework_case WHERE id = d.case_id) c
                ORDER BY d.due_date, d.id""",
            [horizon, list(STAFF_DEADLINES)],
        )
        return len(cursor.fetchall())


def joined_select(horizon: date) -> int:
    """The select as the scan wrote it before (clocks joined to their case in one ORM query)."""
    qs = scan.running_due_by(horizon).filter(kind__in=STAFF_DEADLINES).select_related("case")
    return len(list(qs.order_by("due_date", "id")))


def per_case_close(closings) -> int:
    closed = 0
    for closing in closings:
        try:
            version = Case.objects.values_list("version", flat=True).get(pk=closing.case_id)
            perform_action(
                case_id=closing.case_id,
                action=Action.CLOSE,
                actor=None,
                version=version,
                effective_date=closing.effective_date,
                note=closing.note,
            )
            closed += 1
        except WorkflowError:
            pass
    return closed


def scan_figures() -> dict:
    today = timezone.localdate()
    calendar = WorkingCalendar.load()
    horizon = scan.add_working_days(calendar, today, scan.max_reminder_days())
    clocks = scan.staff_clocks_to_watch(today, calendar)
    plan = clocks.explain()
    closings = scan.lapsed_appeal_windows(today)
    result = rolled_back(scan.scan_deadlines)()
    figures = {
        "database": connection.settings_dict["NAME"],
        "cases": Case.objects.count(),
        "closed_cases": Case.objects.filter(state__in=TERMINAL_STATES).count(),
        "running_clocks": Deadline.objects.filter(status="running").count(),
        "examined": result.examined,
        "alerts": result.alerts,
        "lapsed_windows": len(closings),
        "closed": result.closed,
        "select_uses_case_seq_scan": "Seq Scan on casework_case" in plan,
        "scan_ms": median_of(rolled_back(scan.scan_deadlines)) * 1000,
        "select_ms": median_of(lambda: list(scan.with_cases(scan.staff_clocks_to_watch(today, calendar))))
        * 1000,
        "raw_select_ms": median_of(lambda: raw_watch_select(today, horizon)) * 1000,
        "joined_select_ms": median_of(lambda: joined_select(horizon)) * 1000,
        "batch_close_ms": median_of(rolled_back(lambda: close_cases(closings))) * 1000,
        "per_case_close_ms": median_of(rolled_back(lambda: per_case_close(closings))) * 1000,
    }
    figures["alert_part_ms"] = figures["scan_ms"] - figures["batch_close_ms"]
    return figures


def scans(urls: list[str]) -> list[dict]:
    found = [scan_figures()]
    for url in urls:
        env = {**os.environ, "DATABASE_URL": url}
        out = subprocess.run(
            [sys.executable, __file__, "--scan-only"], env=env, check=True, capture_output=True, text=True
        ).stdout
        found.append(json.loads(out.strip().splitlines()[-1]))
    for f in found:
        print(
            f"scan {f['database']}: {f['cases']:,} cases ({f['closed_cases']:,} closed), "
            f"{f['examined']} clocks "
            f"examined: scan {f['scan_ms']:.1f} ms, select {f['select_ms']:.1f} ms "
            f"(raw {f['raw_select_ms']:.1f}, "
            f"joined {f['joined_select_ms']:.1f}), close {f['lapsed_windows']}: "
            f"batch {f['batch_close_ms']:.1f} ms,"
            f" per case {f['per_case_close_ms']:.1f} ms"
        )
    return found


# --- Report ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('random_page_cost'), current_setting('jit')")
        version, rpc, jit = cursor.fetchone()
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores (load average {load:.1f} at the start: the machine is shared); "
        f"{version.split(' on ')[0]}, random_page_cost {rpc}, jit {jit}; Django settings "
        f"`{os.environ['DJANGO_SETTINGS_MODULE']}` with DEBUG off"
    )


def write(rows: list[dict], scan_rows: list[dict], header: str) -> None:
    lines = [
        "# Lists, detail and the deadline scan beside their SQL",
        "",
        header,
        "",
        f"Medians of {RUNS} runs after a warm-up, API and hand-written SQL timed alternately in the same run "
        f"(`bench/lists_bench.py`). The API is called in-process through DRF's APIClient (no network). "
        f"*API CPU*: this process's CPU time during the API calls (time.process_time), which the "
        f"machine's load inflates less than wall time. "
        f"Target: API ≤ {TARGET:.0f}× its SQL.",
        "",
        "| who | what | rows | queries | API ms | SQL ms | API / SQL | API CPU ms |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {r['who']} | {r['what']} | {r['rows']} | {r['queries']} | {r['api_ms']:.1f} "
            f"| {r['sql_ms']:.1f} "
            f"| {r['ratio']:.2f}× | {r['cpu_ms']:.1f} |"
            for r in rows
        ),
        "",
        "## Deadline scan at two data sizes",
        "",
        "Each run inside a transaction rolled back afterwards. *select*: the clocks to watch with their "
        "cases "
        "as the scan reads them; *raw select*: the same by hand; *joined select*: the select as it was "
        "before "
        "(clocks joined to cases in one query). *close*: the lapsed appeal windows, in batches "
        "(`workflows.batch`) and, for comparison, one `perform_action` per case.",
        "",
        "| database | cases | closed | running clocks | examined | alerts | scan ms | alert part ms "
        "| select ms | raw select ms | joined select ms | case seq scan | windows | batch close ms "
        "| per-case close ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {f['database']} | {f['cases']:,} | {f['closed_cases']:,} | {f['running_clocks']:,} "
            f"| {f['examined']} "
            f"| {f['alerts']} | {f['scan_ms']:.1f} | {f['alert_part_ms']:.1f} | {f['select_ms']:.1f} "
            f"| {f['raw_select_ms']:.1f} | {f['joined_select_ms']:.1f} "
            f"| {'yes' if f['select_uses_case_seq_scan'] else 'no'} | {f['lapsed_windows']} "
            f"| {f['batch_close_ms']:.1f} | {f['per_case_close_ms']:.1f} |"
            for f in scan_rows
        ),
        "",
    ]
    RESULTS.write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scan-database", action="append", default=[], help="A second database for the scan."
    )
    parser.add_argument("--scan-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--lists-only", action="store_true", help="Lists and detail only, printed as JSON; no scan, no file."
    )
    parser.add_argument(
        "--raw-batched",
        action="store_true",
        help="The hand-written side sends a page's related statements in one round trip.",
    )
    args = parser.parse_args()
    global RAW_BATCHED
    RAW_BATCHED = args.raw_batched
    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    if args.scan_only:
        print(json.dumps(scan_figures()))
        return 0
    if not Case.objects.filter(unit__code__startswith="syn-").exists():
        print("No synthetic data: run manage.py generate_synthetic first.", file=sys.stderr)
        return 2
    header = (
        f"{Case.objects.count():,} synthetic cases, {timezone.localdate():%Y-%m-%d}, "
        f"{timezone.now():%H:%M}; {machine()}."
    )
    rows = lists_and_detail(people())
    if args.lists_only:
        print(json.dumps(rows))
        return 0
    scan_rows = scans(args.scan_database)
    write(rows, scan_rows, header)
    flat = len(scan_rows) < 2 or not any(f["select_uses_case_seq_scan"] for f in scan_rows)
    return 0 if flat and all(r["ratio"] <= TARGET for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

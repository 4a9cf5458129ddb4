"""Server time of the staff workspace's pages (not part of the unit suite).

Each page is requested in-process through Django's test client as a signed-in user (middleware, view,
queries and template: everything but the network), one warm-up and then the best and the median of
RUNS. The two lists the issue sets a target for on a large database — the handler's worklist and the
monitor's overdue board — are also timed as hand-written SQL doing the same work in the same run, so
the ORM's overhead is visible. Results go to bench/WORKSPACE_RESULTS.md.

    make demo && .venv/bin/python bench/workspace_bench.py                       # demo data, SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/workspace_bench.py        # synthetic data

Targets: every page ≤ 150 ms on the demo data; the worklist and the board ≤ 300 ms for a province on
1,000,000 synthetic cases.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from casework.choices import STAFF_DEADLINES, TERMINAL_STATES, DeadlineStatus, Role  # noqa: E402
from casework.models import Case, Membership  # noqa: E402

RUNS = 7
RESULTS = ROOT / "bench" / "WORKSPACE_RESULTS.md"
DEMO_TARGET, LARGE_TARGET = 0.150, 0.300


def timed(fn) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def people() -> dict[str, object]:
    """Who to sign in as: the demo logins, or on synthetic data the busiest staff of one province."""
    users = get_user_model().objects
    if users.filter(username="handler").exists():
        return {login: users.get(username=login) for login in ("reception", "handler", "head", "monitor")}
    monitor = (
        Membership.objects.filter(role=Role.MONITOR, unit__parent__isnull=True).select_related("unit").first()
    )
    province = monitor.unit.path

    def at_province(role: str):
        # The province office's own staff (the synthetic tree gives every unit its staff).
        members = Membership.objects.filter(role=role, unit__path__startswith=province).select_related("user")
        return (members.filter(unit=monitor.unit).first() or members.order_by("unit__depth").first()).user

    handler = (
        Case.objects.filter(unit__path__startswith=province, handler__isnull=False)
        .exclude(state__in=TERMINAL_STATES)
        .values("handler")
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .first()
    )
    return {
        "reception": at_province(Role.RECEPTION_OFFICER),
        "handler": users.get(pk=handler["handler"]),
        "head": at_province(Role.UNIT_HEAD),
        "monitor": monitor.user,
    }


def raw_worklist(user_id: int, today: date) -> list:
    """The handler's worklist as one hand-written query: open cases, nearest running staff deadline."""
    kinds = ", ".join(f"'{k}'" for k in STAFF_DEADLINES)
    terminal = ", ".join(f"'{s}'" for s in TERMINAL_STATES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.reference, c.kind, c.state, c.summary, u.name,
                   (SELECT MIN(d.due_date) FROM casework_deadline d
                     WHERE d.case_id = c.id AND d.status = %s AND d.kind IN ({kinds})) AS next_due
              FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
             WHERE c.handler_id = %s AND c.state NOT IN ({terminal})
             ORDER BY next_due, c.received_at, c.id LIMIT 15""",
            [DeadlineStatus.RUNNING, user_id],
        )
        return cursor.fetchall()


def raw_board(path: str, today: date) -> list:
    """The first page of the overdue board as one hand-written query, with its total: the overdue clocks
    through the partial index of running clocks, then their cases by key (joined the other way round,
    PostgreSQL hash-joins every case of the province to find a few hundred clocks)."""
    kinds = ", ".join(f"'{k}'" for k in STAFF_DEADLINES)
    overdue = f"SELECT id FROM casework_deadline WHERE status = %s AND due_date < %s AND kind IN ({kinds})"
    # PostgreSQL: an init-plan run once (casework.selectors.PkInSet); elsewhere a plain IN.
    in_overdue = f"= ANY(ARRAY({overdue}))" if connection.vendor == "postgresql" else f"IN ({overdue})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.case_id, c.reference, c.kind, c.state, u.name, d.kind, d.due_date,
                   h.first_name, h.last_name
              FROM casework_deadline d
              JOIN casework_case c ON c.id = d.case_id
              JOIN casework_unit u ON u.id = c.unit_id
              LEFT JOIN auth_user h ON h.id = c.handler_id
             WHERE d.id {in_overdue} AND u.path LIKE %s
             ORDER BY d.due_date, d.case_id, d.kind LIMIT 50""",
            [DeadlineStatus.RUNNING, today, path + "%"],
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"""SELECT COUNT(*) FROM casework_deadline d JOIN casework_case c ON c.id = d.case_id
                JOIN casework_unit u ON u.id = c.unit_id
                WHERE d.id {in_overdue} AND u.path LIKE %s""",
            [DeadlineStatus.RUNNING, today, path + "%"],
        )
        return rows + cursor.fetchall()


def main() -> int:
    if not Case.objects.exists():
        print("No cases: load the demo (make demo) or generate synthetic data first.", file=sys.stderr)
        return 2
    today = timezone.localdate()
    who = people()
    large = Case.objects.count() > 100_000
    target = LARGE_TARGET if large else DEMO_TARGET
    a_case = Case.objects.filter(handler=who["handler"]).order_by("-id").first() or Case.objects.first()
    pages = [
        ("reception", "home", "/"),
        ("reception", "desk", "/desk/"),
        ("handler", "home (worklist)", "/"),
        ("handler", "case page", f"/cases/{a_case.pk}/"),
        ("handler", "notifications", "/notifications/"),
        ("handler", "search by name", "/search/?q=nguyen+van"),
        ("head", "home (approvals)", "/"),
        ("monitor", "home", "/"),
        ("monitor", "overdue board", "/board/"),
    ]
    rows = []
    for login, name, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(who[login])
        status = client.get(url).status_code
        best, median = timed(lambda c=client, u=url: c.get(u))
        rows.append((login, name, url, status, best, median))
        print(f"{login:10} {name:18} {status} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms")
    monitor_path = Membership.objects.filter(user=who["monitor"], role=Role.MONITOR).first().unit.path
    raw = [
        ("handler's worklist, hand-written SQL", timed(lambda: raw_worklist(who["handler"].pk, today))),
        ("overdue board page + total, hand-written SQL", timed(lambda: raw_board(monitor_path, today))),
    ]
    for name, (best, median) in raw:
        print(f"{name:48} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms")
    write(rows, raw, target, large)
    return 0 if all(r[3] == 200 and r[5] <= target for r in rows) else 1


SECTIONS = {False: "## Demo data", True: "## Large database"}


def write(rows, raw, target: float, large: bool) -> None:
    """Write this run's section (demo data or large database) and keep the other one as it was."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    settings_note = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version'), current_setting('random_page_cost')")
            version, page_cost = cursor.fetchone()
        settings_note = f" PostgreSQL {version}, random_page_cost {page_cost}."
    section = [
        SECTIONS[large],
        "",
        f"{connection.vendor}, {Case.objects.count():,} cases; {cpu}, {os.cpu_count()} cores; "
        f"{timezone.now():%Y-%m-%d %H:%M}; best and median of {RUNS} requests after a warm-up, "
        f"in-process (no network). Target: median ≤ {target * 1000:.0f} ms"
        + (" (large database)." if large else " (demo data).")
        + settings_note,
        "",
        "| who | page | status | best ms | median ms |",
        "|---|---|---|---|---|",
        *(f"| {w} | {n} (`{u}`) | {s} | {b * 1000:.1f} | {m * 1000:.1f} |" for w, n, u, s, b, m in rows),
        "",
        "Baselines in the same run (the same data fetched by hand-written SQL, no rendering):",
        "",
        *(f"- {name}: best {b * 1000:.1f} ms, median {m * 1000:.1f} ms" for name, (b, m) in raw),
        "",
    ]
    kept = {}
    if RESULTS.exists():
        heading = None
        for line in RESULTS.read_text().splitlines():
            if line in SECTIONS.values():
                heading = line
                kept[heading] = []
            if heading is not None:
                kept[heading].append(line)
    kept[SECTIONS[large]] = section
    lines = ["# Workspace page timings", ""]
    for heading in SECTIONS.values():
        if heading in kept:
            lines += [*kept[heading]]
            if lines[-1] != "":
                lines.append("")
    RESULTS.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

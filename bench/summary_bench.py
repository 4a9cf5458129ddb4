"""Benchmark of the report summaries (casework.reports.summary) on PostgreSQL (not part of the unit suite).

Times, in the same run, each report from the summaries beside the same report from the case table
(`source="cases"`, the query the summaries replace): the national resolution rates (group_by=level)
and a province's (group_by=unit), and the admin dashboard of the province with the most cases
rendered in-process for a monitor of that province, once with the summaries and once without them (the
state row's `as_of` cleared for that run, so the dashboard reads the case table, then restored). One
warm-up, then the best and the median of 7. Each pair's results are compared (identical rows and
totals). Also: the full build (`--build`), an idle incremental refresh, and an incremental refresh
after 500 cases of 100 units changed. Writes bench/SUMMARY_RESULTS.md.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_h14sum \
        .venv/bin/python bench/summary_bench.py --build

Targets (issue 14): national resolution rates ≤ 50 ms, a province dashboard ≤ 300 ms at 1,000,000 cases.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from run_bench import machine  # noqa: E402

from casework import reports  # noqa: E402
from casework.choices import Role  # noqa: E402
from casework.models import (  # noqa: E402
    Case,
    Membership,
    ReportIrregularCase,
    ReportOverdueSpell,
    ReportOverdueSummary,
    ReportSummary,
    ReportSummaryState,
    Unit,
)
from casework.reports import summary  # noqa: E402

RUNS = 7
AS_OF_LINE = re.compile(r'\s*<p class="help figures-as-of">.*?</p>')
RESULTS = ROOT / "bench" / "SUMMARY_RESULTS.md"
NATIONAL_TARGET, DASHBOARD_TARGET = 0.050, 0.300


def server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (None unless the server runs on
    this machine and its /proc is readable): on a shared machine CPU time, unlike wall time, does not
    grow with the other processes' load."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, tuple[float | None, float]] = {}  # name -> (server, Python) CPU ms per run


def timed(fn, runs: int = RUNS, name: str | None = None) -> tuple[float, float, object]:
    result = fn()  # warm-up, and the result to compare
    times = []
    server, python = server_cpu(), time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    if name is not None:
        after = server_cpu()
        CPU[name] = (
            None if server is None or after is None else (after - server) * 1000 / runs,
            (time.process_time() - python) * 1000 / runs,
        )
    return min(times), statistics.median(times), result


def comparable(report: reports.Report) -> dict:
    data = report.as_dict()
    data.pop("figures_as_of", None)
    return data


def same_page(a: str, b: str) -> bool:
    def norm(html: str) -> str:
        html = re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]*"', "", AS_OF_LINE.sub("", html)
        )  # masked anew
        return re.sub(r"\s+", " ", html)

    return norm(a) == norm(b)


def without_summaries(fn):
    """Run `fn` with the summaries switched off (as before their first build), then switch them back."""
    as_of = summary.as_of()
    ReportSummaryState.objects.filter(pk=1).update(as_of=None)
    try:
        return fn()
    finally:
        ReportSummaryState.objects.filter(pk=1).update(as_of=as_of)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="Time a full build of the summaries first.")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    cases = Case.objects.count()
    notes = []
    if args.build or summary.as_of() is None:
        started, server, python = time.perf_counter(), server_cpu(), time.process_time()
        summary.refresh(full=True)
        build, server_after = time.perf_counter() - started, server_cpu()
        used = "" if server is None or server_after is None else f"server CPU {server_after - server:.1f} s, "
        notes.append(
            f"Full build of the summaries from {cases:,} cases: {build:.1f} s wall ({used}"
            f"Python CPU {time.process_time() - python:.1f} s)."
        )
        print(notes[-1])
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE casework_reportsummary, casework_reportoverduesummary, casework_reportirregularcase,"
            " casework_reportoverduespell"
        )
    sizes = {
        "ReportSummary rows (unit grain)": ReportSummary.objects.filter(
            unit__isnull=False, subtree=False
        ).count(),
        "ReportSummary rows (national, per level)": ReportSummary.objects.filter(unit__isnull=True).count(),
        "ReportOverdueSummary rows (unit grain)": ReportOverdueSummary.objects.filter(
            unit__isnull=False, subtree=False
        ).count(),
        "ReportOverdueSummary rows (national)": ReportOverdueSummary.objects.filter(
            unit__isnull=True
        ).count(),
        "Subtree rows of top-level units (ReportSummary / ReportOverdueSummary / ReportOverdueSpell)": (
            f"{ReportSummary.objects.filter(subtree=True).count():,} / "
            f"{ReportOverdueSummary.objects.filter(subtree=True).count():,} / "
            f"{ReportOverdueSpell.objects.filter(subtree=True).count():,}"
        ),
        "ReportOverdueSpell rows (unit grain / national)": (
            f"{ReportOverdueSpell.objects.filter(unit__isnull=False, subtree=False).count():,} / "
            f"{ReportOverdueSpell.objects.filter(unit__isnull=True).count():,}"
        ),
        "Irregular cases (counted from the case table)": ReportIrregularCase.objects.count(),
    }

    today = timezone.localdate()
    year = today.year - 1 if today < date(today.year, 12, 15) else today.year
    reporting_year = reports.cutoff_months(year, 12)
    this_year = reports.calendar_months(today.year, 12)
    province = (
        Unit.objects.filter(parent__isnull=True, code__startswith="syn-")
        .annotate(n=Count("children__cases"))
        .order_by("-n")
        .first()
    )
    subtree_cases = Case.objects.filter(unit__path__startswith=province.path).count()
    everything = reports.Scope.all()
    rows = []

    def pair(name: str, target: float | None, fast, slow, same=None) -> None:
        fast_best, fast_median, fast_result = timed(fast, name=name)
        slow_best, slow_median, slow_result = timed(slow)
        ok = (same or (lambda a, b: comparable(a) == comparable(b)))(fast_result, slow_result)
        met = "" if target is None else ("yes" if fast_median <= target else "**no**")
        rows.append((name, fast_best, fast_median, slow_best, slow_median, ok, target, met))
        print(
            f"  {name}: summaries {fast_best * 1000:.1f} / {fast_median * 1000:.1f} ms, case table "
            f"{slow_best * 1000:.1f} / {slow_median * 1000:.1f} ms (best / median), same result: {ok}"
        )

    for period, label in (
        (reporting_year, "last reporting year 15/12–14/12"),
        (this_year, "this calendar year"),
    ):
        for compare in (False, True):
            pair(
                f"National resolution rates, group_by=level, {label}, compare={compare}",
                NATIONAL_TARGET,
                lambda p=period, c=compare: reports.resolution_rates(
                    period=p, scope=everything, group_by="level", compare=c, source="summary"
                ),
                lambda p=period, c=compare: reports.resolution_rates(
                    period=p, scope=everything, group_by="level", compare=c, source="cases"
                ),
            )
    pair(
        f"Province resolution rates ({province.code}), group_by=unit, last reporting year, compare=True",
        None,
        lambda: reports.resolution_rates(
            period=reporting_year, scope=everything, group_by="unit", within=province, source="summary"
        ),
        lambda: reports.resolution_rates(
            period=reporting_year, scope=everything, group_by="unit", within=province, source="cases"
        ),
    )

    # The admin dashboard of the province, in-process, as a monitor of that province.
    monitor, _created = User.objects.get_or_create(
        username="summary-bench-monitor", defaults={"is_staff": True, "first_name": "Bench"}
    )
    Membership.objects.get_or_create(user=monitor, unit=province, role=Role.MONITOR)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(monitor)
    url = reverse("monitor-dashboard")

    def dashboard(query: dict):
        def get():
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            return response.content.decode()

        return get

    for query, label in (
        ({}, "default view (this calendar year)"),
        ({"period_kind": "year", "year": year, "cutoff": "on"}, "last reporting year 15/12–14/12"),
    ):
        get = dashboard(query)
        pair(
            f"Province dashboard ({province.code}, {subtree_cases:,} cases), {label}",
            DASHBOARD_TARGET,
            get,
            lambda g=get: without_summaries(g),
            # The same page but for the summaries' "figures as of" line.
            lambda a, b: same_page(a, b) and AS_OF_LINE.search(a) is not None,
        )

    # Refresh costs: nothing changed; then 500 cases of 100 units touched (as transitions would).
    started = time.perf_counter()
    idle_result = summary.refresh()
    idle = time.perf_counter() - started
    ahead = Case.objects.filter(updated_at__gt=timezone.now())
    notes.append(
        f"Incremental refresh with no change since the last one: {idle * 1000:.0f} ms "
        f"({idle_result.units} units rebuilt: those changed within {summary.OVERLAP} before the build; "
        f"the {ahead.count():,} cases of {ahead.values('unit_id').distinct().count():,} units that the "
        "generator wrote with a change time later than now are left to the refresh after it)."
    )
    print(notes[-1])
    units = list(Unit.objects.filter(cases__isnull=False).distinct().values_list("pk", flat=True)[:100])
    touched = []
    for unit in units:
        touched += list(Case.objects.filter(unit_id=unit).values_list("pk", flat=True)[:5])
    Case.objects.filter(pk__in=touched).update(updated_at=timezone.now())
    started = time.perf_counter()
    result = summary.refresh()
    notes.append(
        f"Incremental refresh after {len(touched)} cases of {len(units)} units changed: "
        f"{time.perf_counter() - started:.1f} s ({result.units} units rebuilt)."
    )
    print(notes[-1])
    ok = all(r[5] for r in rows) and all(r[7] != "**no**" for r in rows)
    write(machine(), cases, province, subtree_cases, rows, sizes, notes)
    return 0 if ok else 1


def write(info, cases, province, subtree_cases, rows, sizes, notes) -> None:
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    lines = [
        "# Report summaries benchmark",
        "",
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh) by `bench/summary_bench.py` on "
        f"{cases:,} synthetic cases (`manage.py generate_synthetic --units 1000 --years 5 --seed 1`, "
        "`--cases` as counted); "
        f"the province is {province.code} ({subtree_cases:,} cases in its subtree). Each line: one warm-up, "
        f"then best and median of {RUNS}, the summaries beside the case-table query they replace, same run, "
        'same connection; "same" = identical rows and totals. Targets (issue 14): national resolution rates '
        "≤ 50 ms, province dashboard ≤ 300 ms (median). CPU: per run, averaged over the timed runs, of the "
        "PostgreSQL backend (from /proc, 10 ms ticks) and of this Python process; on a loaded shared "
        "machine these, not the wall times, are comparable between runs.",
        "",
        "| Report | Summaries best (ms) | median | CPU server + Python (ms) | Case table best (ms) | median "
        "| Same | Target met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, fb, fm, sb, sm, ok, _target, met in rows:
        server, python = CPU.get(name, (None, 0.0))
        cpu = f"{'?' if server is None else f'{server:.1f}'} + {python:.1f}"
        lines.append(
            f"| {name} | {ms(fb)} | {ms(fm)} | {cpu} | {ms(sb)} | {ms(sm)} | {'yes' if ok else '**no**'} "
            f"| {met} |"
        )
    lines += ["", "## Summaries", ""]
    lines += [f"- {k}: {v:,}" if isinstance(v, int) else f"- {k}: {v}" for k, v in sizes.items()]
    lines += [f"- {n}" for n in notes]
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    lines += [f"- Database: {settings.DATABASES['default']['NAME']}", ""]
    # A hand-kept "## History" section (earlier runs, other sizes) survives the rewrite.
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    history = previous[previous.index("\n## History\n") :] if "\n## History\n" in previous else ""
    RESULTS.write_text("\n".join(lines) + history)
    print(f"Written to {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())

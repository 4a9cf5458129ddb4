"""Benchmark of the Circular 01/2024 statistics forms on PostgreSQL (not part of the unit suite).

For the province with the most cases and the reporting year (15/12 of the year before – 14/12), each
form (casework.reports.statistics_form, a row per unit of the province plus totals) is timed beside
its own SQL statements executed raw in the same run (the database's share of the time), and 01/XLD's
"to process" and "processed" totals beside a hand-written SQL count. One warm-up, then the best of 5.
Target: ≤ 2 s a form on 1,000,000 cases. The results go to bench/STATISTICS_RESULTS.md.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/<db> .venv/bin/python bench/statistics_bench.py
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from casework import reports  # noqa: E402
from casework.models import Case, Unit  # noqa: E402

RUNS = 5
TARGET_SECONDS = 2.0
RESULTS = ROOT / "bench" / "STATISTICS_RESULTS.md"

XLD_SQL = """
SELECT count(*) FILTER (WHERE c.received_at >= %(f)s OR p.completed_on IS NULL OR p.completed_on >= %(f)s),
       count(*) FILTER (WHERE p.status = 'met' AND p.completed_on <= %(t)s)
FROM casework_case c
JOIN casework_unit u ON u.id = c.unit_id
LEFT JOIN casework_deadline p ON p.case_id = c.id AND p.kind = 'processing'
WHERE u.path LIKE %(path)s AND c.received_at <= %(t)s
  AND (c.received_at >= %(f)s OR p.completed_on IS NULL OR p.completed_on >= %(f)s)
"""


def best_of(fn, runs: int = RUNS) -> tuple[float, object]:
    result = fn()  # warm-up
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="Reporting year (default: the latest with cases).")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("PostgreSQL only (set DATABASE_URL).")
        return 2
    top = (
        Case.objects.filter(unit__path__regex=r"^/[^/]+/")
        .values("unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_root: dict[str, int] = {}
    for row in top:
        root = "/" + row["unit__path"].split("/")[1] + "/"
        per_root[root] = per_root.get(root, 0) + row["n"]
    root_path = max(per_root, key=per_root.get)
    province = Unit.objects.get(path=root_path)
    year = args.year or Case.objects.order_by("-received_at").values_list("received_at", flat=True)[0].year
    period = reports.cutoff_months(year, 12)
    scope = reports.Scope.all()
    total_cases = Case.objects.count()
    lines = []
    failed = False
    for code in reports.FORM_CODES:

        def orm(code=code):
            return reports.statistics_form(form=code, period=period, scope=scope, within=province)

        with CaptureQueriesContext(connection) as captured:
            orm()
        statements = [q["sql"] for q in captured.captured_queries]

        def raw(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        orm_s, report = best_of(orm)
        raw_s, _ = best_of(raw)
        ok = orm_s <= TARGET_SECONDS
        failed |= not ok
        lines.append(
            f"| {report.extra['number']} | {len(report.rows)} | {len(statements)} | {orm_s * 1000:.0f} ms "
            f"| {raw_s * 1000:.0f} ms | {'yes' if ok else 'NO'} |"
        )
        print(lines[-1], flush=True)
        if code == "01-xld":
            params = {"f": period.date_from, "t": period.date_to, "path": province.path + "%"}

            def hand(params=params):
                with connection.cursor() as cursor:
                    cursor.execute(XLD_SQL, params)
                    return cursor.fetchone()

            hand_s, (to_process, processed) = best_of(hand)
            totals = report.totals["cells"]
            same = (to_process, processed) == (totals["to_process"], totals["processed"])
            failed |= not same
            xld_line = (
                f"01/XLD totals by hand-written SQL: to process {to_process}, processed {processed} "
                f"in {hand_s * 1000:.0f} ms; the form: {totals['to_process']}, {totals['processed']} "
                f"({'same' if same else 'DIFFERENT'})."
            )
            print(xld_line, flush=True)

    text = [
        "# Statistics forms of Circular 01/2024: benchmark",
        "",
        f"`bench/statistics_bench.py`, PostgreSQL {connection.cursor().connection.info.server_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs (shared). Database: {total_cases} cases. "
        f"Province: {province.name} ({province.path}), {per_root[root_path]} cases in its subtree; "
        f"period {period.date_from:%d/%m/%Y} – {period.date_to:%d/%m/%Y}. Best of {RUNS} after a warm-up.",
        "",
        "| form | rows | statements | statistics_form | its SQL raw | ≤ 2 s |",
        "|---|---|---|---|---|---|",
        *lines,
        "",
        xld_line,
        "",
    ]
    RESULTS.write_text("\n".join(text), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

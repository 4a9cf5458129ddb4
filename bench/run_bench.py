"""Benchmark of the monitoring reports on PostgreSQL (not part of the unit suite).

Each report query is timed through the ORM selector (casework.reports) beside the same query written
as raw SQL, in the same run: one warm-up, then the best of 5. The results and the machine are written
to bench/RESULTS.md.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_bench .venv/bin/python bench/run_bench.py

The database must hold synthetic data (manage.py generate_synthetic). The report indexes
(bench/indexes.sql, the same as casework migration 0004) are dropped for a baseline run, then
recreated.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from casework import reports  # noqa: E402
from casework.models import Case, Unit  # noqa: E402

RUNS = 5
TARGET_RATIO = 1.5
TARGET_SECONDS = 1.0
INDEXES = ROOT / "bench" / "indexes.sql"
RESULTS = ROOT / "bench" / "RESULTS.md"
# Server defaults first; then session settings suited to an SSD and to short analytic queries
# (random_page_cost 4 assumes spinning disks; JIT compilation costs more than it saves here).
CONFIGURATIONS = [
    # (label, with the report indexes, session settings)
    ("Without the report indexes, server defaults", False, []),
    ("With the report indexes, server defaults", True, []),
    (
        "With the report indexes, session settings random_page_cost = 1.1, jit = off",
        True,
        ["SET random_page_cost = 1.1", "SET jit = off"],
    ),
]


# --- The same queries in raw SQL ------------------------------------------------------------------

RESOLUTION_SQL = """
WITH flags AS (
    SELECT {key} AS key,
           c.kind,
           c.received_at BETWEEN %(f)s AND %(t)s AS received,
           c.accepted_at < %(f)s AS before,
           c.accepted_at <= %(t)s
             AND c.state <> 'transferred'
             AND (c.decided_at IS NULL OR c.decided_at >= %(f)s)
             AND (c.closed_at IS NULL OR c.closed_at >= %(f)s)
             AND (r.completed_on IS NULL OR r.completed_on >= %(f)s) AS ic,
           c.decided_at BETWEEN %(f)s AND %(t)s AS decided,
           c.state = 'withdrawn' AND c.accepted_at IS NOT NULL
             AND c.closed_at BETWEEN %(f)s AND %(t)s AS withdrawn,
           r.status = 'met' AND r.completed_on <= r.due_date AS met_in_time,
           r.due_date IS NULL OR c.closed_at <= r.due_date AS withdrawn_in_time,
           (c.decided_at IS NULL OR c.decided_at > %(t)s)
             AND (c.state <> 'withdrawn' OR c.closed_at IS NULL OR c.closed_at > %(t)s) AS open_at_end,
           r.due_date < %(asof)s AS past_due
      FROM casework_case c
      JOIN casework_unit u ON u.id = c.unit_id
      JOIN casework_unitlevel l ON l.id = u.level_id
      LEFT JOIN casework_deadline r ON r.case_id = c.id AND r.kind = 'resolution'
     WHERE {where}
)
SELECT key, kind,
       COUNT(*) FILTER (WHERE received) AS received,
       COUNT(*) FILTER (WHERE ic AND before) AS carried_over,
       COUNT(*) FILTER (WHERE ic AND NOT before) AS newly_accepted,
       COUNT(*) FILTER (WHERE ic) AS in_competence,
       COUNT(*) FILTER (WHERE ic AND (decided OR withdrawn)) AS resolved,
       COUNT(*) FILTER (WHERE ic AND ((decided AND met_in_time) OR (withdrawn AND withdrawn_in_time)))
         AS resolved_on_time,
       COUNT(*) FILTER (WHERE ic AND open_at_end AND past_due) AS overdue
  FROM flags
 WHERE received OR ic
 GROUP BY key, kind
"""

LEVEL_KEY = "l.authority_level"
# The direct child of the anchor (or the anchor itself), from the materialized path.
CHILD_KEY = "substr(u.path, 1, %(plen)s + strpos(substr(u.path, %(plen)s + 1), '/'))"

OVERDUE_SQL = """
SELECT d.case_id, c.reference, c.kind, c.state, c.unit_id, u.code, u.name, l.authority_level,
       d.kind, d.due_date, h.username, h.first_name, h.last_name, hd.username, hd.first_name, hd.last_name
  FROM casework_deadline d
  JOIN casework_case c ON c.id = d.case_id
  JOIN casework_unit u ON u.id = c.unit_id
  JOIN casework_unitlevel l ON l.id = u.level_id
  LEFT JOIN auth_user h ON h.id = c.handler_id
  LEFT JOIN auth_user hd ON hd.id = u.head_id
 WHERE d.status = 'running' AND d.due_date < %(asof)s
   AND d.kind IN ('processing', 'acceptance', 'resolution')
 ORDER BY d.due_date, d.case_id, d.kind
"""


def raw(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def best_of(fn, runs: int = RUNS) -> tuple[float, object]:
    result = fn()  # warm-up (and the result to compare)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), result


# --- Machine ------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu, cores = "unknown", os.cpu_count()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    return {
        "CPU": cpu,
        "Cores": str(cores),
        "RAM": ram,
        "PostgreSQL": version + " (" + ", ".join(f"{k}={v}" for k, v in settings.items()) + ")",
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "Load average (1, 5, 15 min) when the run ended": load,
    }


# --- Run ------------------------------------------------------------------------------------------


def index_statements() -> list[str]:
    text = "\n".join(line for line in INDEXES.read_text().splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def drop_indexes() -> None:
    with connection.cursor() as cursor:
        for statement in index_statements():
            name = statement.split("EXISTS", 1)[1].split()[0]
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes() -> list[str]:
    statements = index_statements()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("ANALYZE casework_case")
        cursor.execute("ANALYZE casework_deadline")
        cursor.execute("ANALYZE casework_unit")
    return [
        " ".join(line.strip() for line in s.splitlines() if not line.strip().startswith("--"))
        for s in statements
    ]


def orm_rows(report: reports.Report) -> set[tuple]:
    metrics = reports.RESOLUTION_COUNTS
    return {(r.get("unit_code") or r["level"], r["kind"], *(r[m] for m in metrics)) for r in report.rows}


def raw_rows(rows: list[tuple], codes: dict[str, str] | None = None) -> set[tuple]:
    return {((codes or {}).get(r[0], r[0]), *r[1:]) for r in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--generation-output", type=Path, help="Output of generate_synthetic, quoted in RESULTS.md."
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    cases = Case.objects.count()
    if cases < 1000:
        print("No data: run manage.py generate_synthetic first.", file=sys.stderr)
        return 2
    indexes = create_indexes()  # also refreshes the planner statistics
    today = timezone.localdate()
    year = today.year - 1 if today < date(today.year, 12, 15) else today.year
    period = reports.cutoff_months(year, 12)  # the last complete reporting year (15/12 – 14/12)
    province = (
        Unit.objects.filter(parent__isnull=True, code__startswith="syn-")
        .annotate(n=Count("children__cases"))
        .order_by("-n")
        .first()
    )
    subtree_cases = Case.objects.filter(unit__path__startswith=province.path).count()
    everything = reports.Scope.all()
    params = {"f": period.date_from, "t": period.date_to, "asof": min(period.date_to, today)}
    children = {u.path: u.code for u in Unit.objects.filter(path__startswith=province.path)}

    def suite() -> list[tuple]:
        benchmarks = []

        def compare(name: str, orm_fn, raw_fn, same) -> None:
            orm_time, orm_result = best_of(orm_fn)
            raw_time, raw_result = best_of(raw_fn)
            ok = same(orm_result, raw_result)
            benchmarks.append((name, orm_time, raw_time, ok))
            print(
                f"  {name}: ORM {orm_time * 1000:.0f} ms, raw SQL {raw_time * 1000:.0f} ms, same result: {ok}"
            )

        compare(
            f"Resolution rates, province-year ({province.code}), group_by=unit (a row per child subtree)",
            lambda: reports.resolution_rates(
                period=period,
                scope=everything,
                group_by="unit",
                within=province,
                compare=False,
                source="cases",  # the case-table query (bench/summary_bench.py times the summaries)
            ),
            lambda: raw(
                RESOLUTION_SQL.format(key=CHILD_KEY, where="u.path LIKE %(prefix)s"),
                {**params, "prefix": province.path + "%", "plen": len(province.path)},
            ),
            lambda o, r: orm_rows(o) == raw_rows(r, children),
        )
        compare(
            "Resolution rates, national roll-up, group_by=level",
            lambda: reports.resolution_rates(
                period=period, scope=everything, group_by="level", compare=False, source="cases"
            ),
            lambda: raw(RESOLUTION_SQL.format(key=LEVEL_KEY, where="TRUE"), params),
            lambda o, r: orm_rows(o) == raw_rows(r),
        )
        compare(
            f"Overdue scan (running deadlines due before {today}, joined to case, unit, handler, head)",
            orm_overdue,
            lambda: raw(OVERDUE_SQL, {"asof": today}),
            lambda o, r: [tuple(x) for x in o] == [tuple(x) for x in r],
        )
        return benchmarks

    def orm_overdue():
        qs = reports.overdue_queryset(scope=everything, as_of=today).order_by("due_date", "case_id", "kind")
        return list(qs.values_list(*reports.OVERDUE_FIELDS))

    runs = []
    for label, with_indexes, statements in CONFIGURATIONS:
        print(label)
        if with_indexes:
            create_indexes()
        else:
            drop_indexes()
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        runs.append((label, suite()))
        with connection.cursor() as cursor:
            cursor.execute("RESET ALL")
    overdue_rows = len(orm_overdue())

    generation = args.generation_output.read_text().strip() if args.generation_output else ""
    write_results(machine(), cases, subtree_cases, province, period, indexes, runs, overdue_rows, generation)
    failed = [
        b
        for _label, benchmarks in runs
        for b in benchmarks
        if not (b[3] and b[1] <= TARGET_SECONDS and b[1] <= TARGET_RATIO * b[2])
    ]
    return 1 if failed else 0


def write_results(
    info, cases, subtree_cases, province, period, indexes, runs, overdue_rows, generation
) -> None:
    lines = [
        "# Report benchmark",
        "",
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh) by `bench/run_bench.py` on "
        "synthetic data (`manage.py generate_synthetic`). Each query: one warm-up run, then the best of "
        f"{RUNS}; ORM = the casework.reports selector (query, fetch and row building), raw SQL = the same "
        "query hand-written, executed and fetched through the same connection. Target: ORM within "
        f"{TARGET_RATIO}x of raw SQL and under {TARGET_SECONDS:.0f} s.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Data",
        "",
        f"- {cases:,} cases in all; the province benchmarked ({province.code}) holds {subtree_cases:,} "
        "in its subtree.",
        f"- Reporting year {period.date_from:%d/%m/%Y} – {period.date_to:%d/%m/%Y} "
        "(Circular 01/2024 cut-off).",
        f"- Overdue scan returned {overdue_rows:,} rows.",
        "",
        *(["Generated with:", "", "```", generation, "```", ""] if generation else []),
        "## Results",
        "",
    ]
    for label, benchmarks in runs:
        lines += [
            f"### {label}",
            "",
            "| Query | ORM (ms) | Raw SQL (ms) | Ratio | Same result | Target met |",
            "|---|---:|---:|---:|:---:|:---:|",
        ]
        for name, orm_time, raw_time, ok in benchmarks:
            met = ok and orm_time <= TARGET_SECONDS and orm_time <= TARGET_RATIO * raw_time
            lines.append(
                f"| {name} | {orm_time * 1000:.0f} | {raw_time * 1000:.0f} | {orm_time / raw_time:.2f} | "
                f"{'yes' if ok else 'NO'} | {'yes' if met else 'NO'} |"
            )
        lines.append("")
    lines += [
        "## Notes",
        "",
        "- The ORM and the raw SQL run the same plan: the selector's cost over hand-written SQL is query "
        "compilation and building the row dictionaries.",
        "- `case_report_idx` holds every case column the resolution and outcome reports read, so a "
        "province is read unit by unit from the index alone (and, with random_page_cost = 1.1, the "
        "national roll-up scans the index instead of the table); `deadline_resolution_idx` makes the "
        "join to the resolution clock index-only.",
        "- The machine is a shared 2-core VM: between runs the same query varies by about ±30 %; the ORM / "
        "raw SQL ratio of a run is the stable figure.",
        "- The overdue scan reads the existing partial index on running deadlines; with the default "
        "`random_page_cost = 4` (spinning disks) the planner overestimates the overdue rows and hash-joins "
        "all cases, with `1.1` (SSD) it looks the cases up by key.",
        "- Recommended for the database: `random_page_cost = 1.1` on SSD storage and `jit = off` (JIT "
        "compilation costs the report queries more than it saves).",
        "",
    ]
    lines += ["## Report indexes (casework/migrations/0004_report_indexes.py)", "", "```sql"]
    lines += [f"{s};" for s in indexes]
    lines += ["```", ""]
    RESULTS.write_text("\n".join(lines))
    print(f"Written to {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())

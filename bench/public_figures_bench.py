"""Benchmark of the public figures of a province on PostgreSQL (not part of the unit suite).

For the province with the most cases and the year of the latest case (1 January to that case's day),
times, best of 5 after a warm-up:
* the citizens' page `/cong-dan/so-lieu/<code>/` (its figures computed, the cache cleared first) rendered
  in-process (Django's test client: URL
  routing, middleware, the two report queries, the template), as a visitor with no session;
* the same page with its figures from the cache (what the next visitors within
  PUBLIC_FIGURES_CACHE_SECONDS get);
* `GET /api/v1/public/statistics/` the same way (cold);
* `casework.reports.public_figures` alone, from the report summaries (whole half-months from the
  summaries, the days the period cuts from the case table) and, for comparison in the same run, from
  the case table alone (`source="cases"`, what the page did before the summaries answered any period);
* the page's own SQL statements executed raw in the same run (the database's share), and the
  case-table variant's statements raw;
* a hand-written SQL count of the province's received / resolved / satisfied totals, checked against
  the page's totals.
The report summaries must have been built (`manage.py refresh_report_summaries --full`); the two
sources must give the same figures, for the period and for one cutting a half-month at both ends.
The synthetic generator writes no ratings: a quarter of the decided and closed cases get one, inside
a transaction rolled back at the end. Target: the page ≤ 200 ms on 1,000,000 cases. The results go
to bench/PUBLIC_FIGURES_RESULTS.md.

    DATABASE_URL=postgres://tiepdan:tiepdan@127.0.0.1:5432/<db> .venv/bin/python bench/public_figures_bench.py
"""

from __future__ import annotations

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

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from casework import reports  # noqa: E402
from casework.models import Case, ServiceRating, Unit  # noqa: E402
from casework.selectors import day_bounds  # noqa: E402

RUNS = 5
TARGET_MS = 200
RESULTS = ROOT / "bench" / "PUBLIC_FIGURES_RESULTS.md"

# A quarter of the decided and closed cases rated, picked and varied by a hash of the case id: the
# generator gives each province every n-th id, so `id % 4` would pick whole provinces (or none of one).
RATINGS_SQL = """
INSERT INTO casework_servicerating
    (case_id, satisfaction, timeliness, contacts, staff_attitude, answer_clarity, comment, rated_at)
SELECT c.id,
       (ARRAY['very_satisfied', 'satisfied', 'not_satisfied'])[1 + mod(abs(hashint8(c.id)), 3)],
       (ARRAY['early', 'on_time', 'late'])[1 + mod(abs(hashint8(c.id + 1)), 3)],
       1 + mod(abs(hashint8(c.id + 2)), 4), 'good', 'fair', '',
       (COALESCE(c.closed_at, c.decided_at) + interval '2 days')::timestamptz
FROM casework_case c
WHERE c.state IN ('decided', 'closed') AND mod(abs(hashint8(c.id)), 4) = 0
"""

# The province's totals by hand: received in the period, resolved in it (decided, or withdrawn after
# acceptance), and the ratings given in it with their satisfied share.
HAND_SQL = """
SELECT
  (SELECT count(*) FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
    WHERE u.path LIKE %(path)s AND c.received_at BETWEEN %(f)s AND %(t)s),
  (SELECT count(*) FROM casework_case c JOIN casework_unit u ON u.id = c.unit_id
    WHERE u.path LIKE %(path)s AND c.state <> 'transferred' AND c.accepted_at <= %(t)s
      AND ((c.decided_at BETWEEN %(f)s AND %(t)s)
           OR (c.state = 'withdrawn' AND c.accepted_at IS NOT NULL AND c.closed_at BETWEEN %(f)s AND %(t)s))),
  (SELECT count(*) FROM casework_servicerating r JOIN casework_case c ON c.id = r.case_id
    JOIN casework_unit u ON u.id = c.unit_id
    WHERE u.path LIKE %(path)s AND r.rated_at >= %(lo)s AND r.rated_at < %(hi)s),
  (SELECT count(*) FROM casework_servicerating r JOIN casework_case c ON c.id = r.case_id
    JOIN casework_unit u ON u.id = c.unit_id
    WHERE u.path LIKE %(path)s AND r.rated_at >= %(lo)s AND r.rated_at < %(hi)s
      AND r.satisfaction IN ('very_satisfied', 'satisfied'))
"""


def best_of(fn, runs: int = RUNS) -> tuple[float, object]:
    result = fn()  # warm-up
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def biggest_province() -> tuple[Unit, int]:
    per_root: dict[str, int] = {}
    rows = Case.objects.values("unit__path").annotate(n=Count("pk")).order_by()
    for row in rows:
        root = "/" + row["unit__path"].split("/")[1] + "/"
        per_root[root] = per_root.get(root, 0) + row["n"]
    root = max(per_root, key=per_root.get)
    return Unit.objects.get(path=root), per_root[root]


def main() -> int:
    if connection.vendor != "postgresql":
        print("PostgreSQL only (set DATABASE_URL).")
        return 2
    load_before = f"{os.getloadavg()[0]:.2f}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    province, in_subtree = biggest_province()
    last = Case.objects.order_by("-received_at").values_list("received_at", flat=True)[0]
    period = reports.custom_period(date(last.year, 1, 1), last)
    total_cases = Case.objects.count()
    page_url = f"/cong-dan/so-lieu/{province.code}/"
    query = {"date_from": period.date_from.isoformat(), "date_to": period.date_to.isoformat()}
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    lines, failed = [], False
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(RATINGS_SQL)
            cursor.execute("ANALYZE casework_servicerating")
        ratings = ServiceRating.objects.count()

        def page():
            cache.clear()  # cold: the figures computed for this request (the cache is measured apart)
            response = client.get(page_url, query)
            assert response.status_code == 200, response.status_code
            return response

        def warm_page():
            response = client.get(page_url, query)
            assert response.status_code == 200, response.status_code
            return response

        def api():
            cache.clear()
            response = client.get("/api/v1/public/statistics/", {"unit": province.pk, **query})
            assert response.status_code == 200, response.status_code
            return response.json()

        def selector():
            return reports.public_figures(unit=province, period=period)

        def from_cases():
            return reports.public_figures(unit=province, period=period, source="cases")

        cut = reports.custom_period(period.date_from.replace(day=10), period.date_to)

        with CaptureQueriesContext(connection) as captured:
            page()
        statements = [q["sql"] for q in captured.captured_queries]

        with CaptureQueriesContext(connection) as captured:
            from_cases()
        case_statements = [q["sql"] for q in captured.captured_queries]

        def raw(sqls=statements):
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    cursor.fetchall()

        def raw_cases():
            raw(case_statements)

        lo, hi = day_bounds(period.date_from, period.date_to)
        params = {"path": province.path + "%", "f": period.date_from, "t": period.date_to, "lo": lo, "hi": hi}

        def hand():
            with connection.cursor() as cursor:
                cursor.execute(HAND_SQL, params)
                return cursor.fetchone()

        page_ms, response = best_of(page)
        warm_ms, _warm = best_of(warm_page)
        api_ms, body = best_of(api)
        sel_ms, figures = best_of(selector)
        cases_ms, figures_from_cases = best_of(from_cases)
        raw_ms, _ = best_of(raw)
        raw_cases_ms, _ = best_of(raw_cases)
        as_of = figures.pop("figures_as_of")
        figures_from_cases.pop("figures_as_of")
        cut_same = {**reports.public_figures(unit=province, period=cut), "figures_as_of": None} == (
            reports.public_figures(unit=province, period=cut, source="cases")
        )
        sources_same = figures == figures_from_cases and cut_same and as_of is not None
        hand_ms, (received, resolved, rated, satisfied) = best_of(hand)
        totals = figures["totals"]
        same = (
            (received, resolved, rated, satisfied)
            == (
                totals["received"],
                totals["resolved"],
                totals["ratings"],
                totals["very_satisfied"] + totals["satisfied"],
            )
            and body["totals"]["resolved"] == totals["resolved"]
            and f"{totals['resolved']}/{totals['in_competence']}" in response.content.decode()
        )
        failed |= not same or not sources_same or page_ms > TARGET_MS
        phrase = totals["phrases"]["resolved"]
        transaction.set_rollback(True)

    def within(ms: float) -> str:
        return "yes" if ms <= TARGET_MS else "NO"

    lines = [
        f"| the page `{page_url}` (in-process, rendered) | {page_ms:.0f} ms | {within(page_ms)} |",
        f"| the same page, figures from the cache (PUBLIC_FIGURES_CACHE_SECONDS) | {warm_ms:.0f} ms | "
        f"{within(warm_ms)} |",
        f"| `GET /api/v1/public/statistics/` | {api_ms:.0f} ms | {within(api_ms)} |",
        f"| `casework.reports.public_figures` (summaries + the cut days from the cases) | {sel_ms:.0f} ms"
        " | |",
        f"| the same from the case table alone (before) | {cases_ms:.0f} ms | |",
        f"| the page's {len(statements)} SQL statements, raw | {raw_ms:.0f} ms | |",
        f"| the case-table variant's {len(case_statements)} SQL statements, raw (before) | "
        f"{raw_cases_ms:.0f} ms | |",
        f"| hand-written SQL totals (received, resolved, ratings) | {hand_ms:.0f} ms | |",
    ]
    text = [
        "# Public figures of a province: benchmark",
        "",
        f"`bench/public_figures_bench.py`, PostgreSQL {connection.cursor().connection.info.server_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs). Database: {total_cases:,} "
        f"cases; {ratings:,} ratings added for the run (a quarter of the decided and closed cases) and "
        f"rolled back. Province: {province.name} ({province.path}), {in_subtree:,} cases in its subtree; "
        f"period {period.date_from:%d/%m/%Y} – {period.date_to:%d/%m/%Y}. Best of {RUNS} after a warm-up. "
        f"Load average before the run {load_before}, after {os.getloadavg()[0]:.2f}. Settings: "
        f"{os.environ.get('DJANGO_SETTINGS_MODULE')}, DEBUG={settings.DEBUG}, cache "
        f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, PUBLIC_FIGURES_CACHE_SECONDS="
        f"{settings.PUBLIC_FIGURES_CACHE_SECONDS}. Report summaries as of {as_of:%H:%M %d/%m/%Y}.",
        "",
        f"| what | time | ≤ {TARGET_MS} ms |",
        "|---|---:|---|",
        *lines,
        "",
        f"Totals: received {received:,}, resolved {resolved:,} ({phrase}), ratings {rated:,}, satisfied "
        f"{satisfied:,} — the page, the API and the hand-written SQL {'agree' if same else 'DISAGREE'}; "
        f"the summaries and the case table give {'the same' if sources_same else 'DIFFERENT'} figures "
        f"(this period and {cut.date_from:%d/%m/%Y} – {cut.date_to:%d/%m/%Y}).",
        "",
    ]
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text("\n".join(text) + ("\n" + previous if previous else ""), encoding="utf-8")
    print("\n".join(text))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

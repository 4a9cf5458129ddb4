"""Report summaries: the resolution report from a few thousand counted rows instead of every case.

A case's contribution to `resolution.py`'s figures for a period [f, t] depends on where a handful of its
dates fall relative to f and t. For a *regular* case (below) each figure splits into counts of one date
each, so per unit, case kind and half-month (`bucket`: 1st–14th, 15th–month end) the summary stores:

* ``received``: cases received (every case, transferred ones included);
* ``accepted``: accepted, not transferred; ``ended``: the day such a case ended (the earliest of
  decision, closure and resolution clock stop); ``resolved`` / ``resolved_on_time``: the day it was
  resolved (decision, or withdrawal after acceptance) and whether on time.

and then ``in_competence = accepted(≤ t) − ended(< f)``, ``carried_over = accepted(< f) − ended(< f)``,
``newly_accepted = accepted(f..t)``, ``resolved = resolved(f..t)``. ``overdue`` (resolution clock past due
as of L = min(t, today), not resolved by t, still in competence) needs two dates: `ReportOverdueSummary`
counts the cases per first overdue day (due date + 1) and the half-month where they stop counting
(resolved: overdue until then; ended without resolution: in competence while f ≤ end; open: for ever).
The first overdue day is kept by the day from the half-month of the build on, since "today" is not a
half-month boundary; an earlier one as its half-month's first day (fewer rows), which is exact for
"on or before L" whenever L is a half-month's last day or in the current half-month.

A case is regular when its dates follow the workflow: accepted on or before it ended and before its
resolution clock fell due, resolved (if at all) on the day it ended, never both decided and withdrawn.
Other cases (a first-round complaint decided after its clock was cancelled, say) are listed in
`ReportIrregularCase` and counted by the case-table query itself, so the results are identical to
`resolution.py` for any period.

Every count is "cases whose date D is before a cut day": the period's first day f and the day after its
last, t + 1 (and, for overdue, L + 1 on the first overdue day). The half-months wholly before a cut
come from the summaries; when a cut falls inside a half-month, its days before the cut come from the
case table — the few cases with a date in that window (`_cut_counts`; for overdue, the clocks falling
due in L's half-month when L is inside a past half-month, and the cases resolved or ended in the
half-month of t + 1 or f). Calendar months, quarters and years and the 15th-to-14th periods of
Circular 01/2024 cut no half-month, even while they run (overdue as of today is exact); any other
period (the citizens' "1 January to today") reads at most a few half-months of cases.

`ReportOverdueSpell` serves the overdue trend (`overdue.overdue_trend`): per unit, the spells during
which a case had an audited clock past due and not stopped, a case's overlapping clocks merged into one
spell, so any day's count is a sum over the spells covering it.

Besides the unit rows and the national rows (per authority level, no unit), each table has `subtree`
rows: per top-level unit, its whole subtree summed per level. A report reads the national rows when it
covers everything per level, the subtree rows when it covers whole top-level units per level (a
province monitor's dashboard), and otherwise the unit rows of its units, by a list of their ids (as do
the case-table windows above).

Every table is built set-based (INSERT … SELECT … GROUP BY from the cases joined to their clocks; the
same statements restricted to the changed units for a refresh), on PostgreSQL and SQLite alike.

The summaries are refreshed, not maintained by each transition (which would add statements to every
transition): `refresh()` rebuilds the rows of the units whose cases changed (`Case.updated_at`, up to
the refresh's start) since the last run, from a Celery beat task every few minutes
(REPORT_SUMMARY_REFRESH_MINUTES) and on demand (`manage.py refresh_report_summaries`). Reports computed
from them carry `figures_as_of`, shown on the pages. Moving a unit to another authority level or parent
needs `refresh(full=True)`.
"""

from __future__ import annotations

import calendar as pycalendar
import functools
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..choices import STAFF_DEADLINES, CaseState, DeadlineKind, DeadlineStatus
from ..models import (
    Case,
    Deadline,
    ReportIrregularCase,
    ReportOverdueSpell,
    ReportOverdueSummary,
    ReportSummary,
    ReportSummaryState,
    Unit,
    UnitLevel,
)
from .compiled import compiled_rows
from .periods import Period
from .scope import GROUP_BY_LEVEL, Grouping

# A transaction that set `updated_at` before a refresh started may commit after it: look back this far.
OVERLAP = timedelta(minutes=10)
MAIN_COUNTS = ("received", "accepted", "ended", "resolved", "resolved_on_time")


def bucket(day: date) -> int:
    return day.year * 24 + (day.month - 1) * 2 + (1 if day.day >= 15 else 0)


def bucket_start(b: int) -> date:
    year, rest = divmod(b, 24)
    month, half = divmod(rest, 2)
    return date(year, month + 1, 15 if half else 1)


def answers(period: Period) -> bool:
    """Whether the period is made of whole half-months (the summaries' grain)."""
    f, t = period.date_from, period.date_to
    return f.day in (1, 15) and (t.day == 14 or t.day == pycalendar.monthrange(t.year, t.month)[1])


# --- Building -------------------------------------------------------------------------------------
#
# Set-based: three INSERT … SELECT … GROUP BY statements over the cases joined to their resolution
# clock (the main counts, the overdue rows, the irregular cases), then the national roll-up from the
# unit rows. The same statements serve the full build and the refresh of changed units (a WHERE on
# the unit). Only the date arithmetic differs between PostgreSQL and SQLite (dates are ISO text there).


def _bucket_sql(vendor: str, day: str) -> str:
    """`bucket()` in SQL for a date expression (date_part: float, cheaper than EXTRACT's numeric)."""
    if vendor == "sqlite":
        return (
            f"(CAST(substr({day}, 1, 4) AS INTEGER) * 24 + (CAST(substr({day}, 6, 2) AS INTEGER) - 1) * 2"
            f" + (CASE WHEN CAST(substr({day}, 9, 2) AS INTEGER) >= 15 THEN 1 ELSE 0 END))"
        )
    return (
        f"(CAST(date_part('year', {day}) AS INTEGER) * 24 + (CAST(date_part('month', {day}) AS INTEGER) - 1)"
        f" * 2 + (CASE WHEN date_part('day', {day}) >= 15 THEN 1 ELSE 0 END))"
    )


def _next_day_sql(vendor: str, day: str) -> str:
    return f"date({day}, '+1 day')" if vendor == "sqlite" else f"({day} + 1)"


def _month_start_sql(vendor: str, day: str) -> str:
    if vendor == "sqlite":
        return f"date({day}, 'start of month')"
    return f"CAST(date_trunc('month', {day}) AS DATE)"


def _month_end_sql(vendor: str, day: str) -> str:
    if vendor == "sqlite":
        return f"date({day}, 'start of month', '+1 month', '-1 day')"
    return f"CAST(date_trunc('month', {day}) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)"


def _bucket_start_sql(vendor: str, day: str) -> str:
    """`bucket_start(bucket(day))` in SQL: the 1st or the 15th of the day's month."""
    if vendor == "sqlite":
        return (
            f"date({day}, 'start of month', CASE WHEN CAST(substr({day}, 9, 2) AS INTEGER) >= 15"
            " THEN '+14 days' ELSE '+0 days' END)"
        )
    return (
        f"(CAST(date_trunc('month', {day}) AS DATE) + CASE WHEN date_part('day', {day}) >= 15"
        " THEN 14 ELSE 0 END)"
    )


def _earlier(a: str, b: str) -> str:
    """The earlier of two nullable dates (NULL only when both are): LEAST ignores NULLs on PostgreSQL
    only, so spelled out."""
    return f"(CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL OR {a} <= {b} THEN {a} ELSE {b} END)"


def _per_case_sql(vendor: str, units: set[int] | None) -> tuple[str, list[Any]]:
    """`WITH r AS (...)`: one row per case with the dates the summaries count (see the module doc):
    `fin` (the day it ended), `res` (the day it was resolved), `cand` (accepted, not transferred),
    `regular` (a candidate whose dates decompose), `on_time`, the half-months (`b_*`) of receipt,
    acceptance, end and resolution, and the first overdue day (due date + 1; see the last parameter)."""
    b = lambda day: _bucket_sql(vendor, day)  # noqa: E731
    first = _next_day_sql(vendor, "e.due")
    case, deadline = Case._meta.db_table, Deadline._meta.db_table
    where = ""
    if units is not None:
        where = f"WHERE c.unit_id IN ({', '.join(str(int(u)) for u in sorted(units))})"
    fin = _earlier(_earlier("decd", "closed"), "stopped")
    res = "(CASE WHEN decd IS NOT NULL THEN decd WHEN state = %s THEN closed END)"
    regular = (
        "(cand AND (fin IS NULL OR acc <= fin) AND (res IS NULL OR res = fin)"
        " AND NOT (decd IS NOT NULL AND state = %s AND closed IS NOT NULL)"
        " AND (due IS NULL OR acc <= due))"
    )
    on_time = (
        "(CASE WHEN decd IS NOT NULL THEN (CASE WHEN status = %s AND stopped IS NOT NULL AND due IS NOT NULL"
        " AND stopped <= due THEN 1 ELSE 0 END)"
        " WHEN due IS NULL OR closed <= due THEN 1 ELSE 0 END)"
    )
    sql = f"""WITH c AS (
        SELECT c.id, c.unit_id, c.kind, c.state, c.received_at AS rec, c.accepted_at AS acc,
               c.decided_at AS decd, c.closed_at AS closed, d.due_date AS due, d.status AS status,
               d.completed_on AS stopped,
               (c.accepted_at IS NOT NULL AND c.state <> %s) AS cand
        FROM {case} c LEFT JOIN {deadline} d ON d.case_id = c.id AND d.kind = %s
        {where}
    ), e AS (
        SELECT c.*, {fin} AS fin, {res} AS res FROM c
    ), r AS (
        SELECT e.id, e.unit_id, e.kind, e.due, e.fin, e.res, e.cand, {regular} AS regular,
               {on_time} AS on_time, {b("rec")} AS b_rec, {b("acc")} AS b_acc, {b("fin")} AS b_fin,
               {b("res")} AS b_res,
               CASE WHEN {first} < %s THEN {_bucket_start_sql(vendor, first)} ELSE {first} END
                   AS first_overdue
        FROM e
    )"""
    params = [
        CaseState.TRANSFERRED,
        DeadlineKind.RESOLUTION,
        CaseState.WITHDRAWN,
        CaseState.WITHDRAWN,
        DeadlineStatus.MET,
        # A first overdue day before the current half-month is kept as its half-month's first day
        # (fewer rows): exact for "on or before the end of a half-month, or a day of the current one";
        # a report as of a day inside an earlier half-month reads that half-month's clocks from the
        # case table (resolution_rows).
        bucket_start(bucket(timezone.localdate())),
    ]
    return sql, params


def _rebuild(units: set[int] | None) -> None:
    vendor = connection.vendor
    main_t, overdue_t = ReportSummary._meta.db_table, ReportOverdueSummary._meta.db_table
    irregular_t, spell_t = ReportIrregularCase._meta.db_table, ReportOverdueSpell._meta.db_table
    unit_t, level_t = Unit._meta.db_table, UnitLevel._meta.db_table
    with_r, params = _per_case_sql(vendor, units)
    # Per unit rows first, their level joined to the grouped rows (a few per unit, not per case).
    level_join = f"JOIN {unit_t} u ON u.id = x.unit_id JOIN {level_t} l ON l.id = u.level_id"
    if units is None:
        for model in (ReportSummary, ReportOverdueSummary, ReportIrregularCase, ReportOverdueSpell):
            model.objects.all().delete()
        levels = set(UnitLevel.objects.values_list("authority_level", flat=True))
    else:
        for model in (ReportSummary, ReportOverdueSummary, ReportOverdueSpell):
            model.objects.filter(unit_id__in=units, subtree=False).delete()
        ReportIrregularCase.objects.filter(unit_id__in=units).delete()
        levels = set(Unit.objects.filter(pk__in=units).values_list("level__authority_level", flat=True))
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # The per-case rows and the groups of a full build (a few hundred MB at 10M cases) hashed in
            # memory rather than sorted on disk; this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        # Each case: received in its receipt's half-month; a regular one also accepted, ended and
        # resolved (on time or not) in the half-months of those days.
        cursor.execute(
            f"""INSERT INTO {main_t} (unit_id, subtree, level, kind, bucket, {", ".join(MAIN_COUNTS)})
            {with_r}
            SELECT x.unit_id, FALSE, l.authority_level, x.kind, x.b, x.n_rec, x.n_acc, x.n_end, x.n_res,
                   x.n_on_time
            FROM (
                SELECT unit_id, kind, b, SUM(n_rec) AS n_rec, SUM(n_acc) AS n_acc, SUM(n_end) AS n_end,
                       SUM(n_res) AS n_res, SUM(n_on_time) AS n_on_time
                FROM (
                    SELECT unit_id, kind, b_rec AS b, 1 AS n_rec, 0 AS n_acc, 0 AS n_end, 0 AS n_res,
                           0 AS n_on_time FROM r
                    UNION ALL SELECT unit_id, kind, b_acc, 0, 1, 0, 0, 0 FROM r WHERE regular
                    UNION ALL SELECT unit_id, kind, b_fin, 0, 0, 1, 0, 0 FROM r
                        WHERE regular AND fin IS NOT NULL
                    UNION ALL SELECT unit_id, kind, b_res, 0, 0, 0, 1, on_time FROM r
                        WHERE regular AND res IS NOT NULL
                ) y GROUP BY unit_id, kind, b
            ) x {level_join}""",
            params,
        )
        # Regular cases with a due date: from the half-month of the first overdue day until they are
        # resolved late (resolved on time: never overdue), end unresolved, or for ever while open.
        cursor.execute(
            f"""INSERT INTO {overdue_t} (unit_id, subtree, level, kind, overdue_from, stop_kind, stop, cases)
            {with_r}
            SELECT x.unit_id, FALSE, l.authority_level, x.kind, x.o, x.sk, x.s, x.n
            FROM (
                SELECT unit_id, kind, o, sk, s, COUNT(*) AS n FROM (
                    SELECT unit_id, kind, first_overdue AS o,
                           CASE WHEN res IS NOT NULL THEN %s WHEN fin IS NULL THEN %s ELSE %s END AS sk,
                           CASE WHEN res IS NOT NULL THEN b_res WHEN fin IS NULL THEN NULL ELSE b_fin END AS s
                    FROM r WHERE regular AND due IS NOT NULL AND (res IS NULL OR res > due)
                ) y GROUP BY unit_id, kind, o, sk, s
            ) x {level_join}""",
            [*params, ReportOverdueSummary.RESOLVED, ReportOverdueSummary.OPEN, ReportOverdueSummary.ENDED],
        )
        cursor.execute(
            f"INSERT INTO {irregular_t} (case_id, unit_id) {with_r} SELECT id, unit_id FROM r"
            " WHERE cand AND NOT regular",
            params,
        )
        _insert_spells(cursor, units, level_join)
        # Subtree rows: the unit rows under each touched top-level unit summed again.
        _insert_subtrees(cursor, _roots(units))
        # National rows: the unit rows of each touched level summed again.
        if levels:
            marks = ", ".join(["%s"] * len(levels))
            cursor.execute(f"DELETE FROM {main_t} WHERE unit_id IS NULL AND level IN ({marks})", [*levels])
            cursor.execute(
                f"""INSERT INTO {main_t} (unit_id, subtree, level, kind, bucket, {", ".join(MAIN_COUNTS)})
                SELECT NULL, FALSE, level, kind, bucket, {", ".join(f"SUM({m})" for m in MAIN_COUNTS)}
                FROM {main_t} WHERE unit_id IS NOT NULL AND NOT subtree AND level IN ({marks})
                GROUP BY level, kind, bucket""",
                [*levels],
            )
            cursor.execute(f"DELETE FROM {overdue_t} WHERE unit_id IS NULL AND level IN ({marks})", [*levels])
            cursor.execute(
                f"""INSERT INTO {overdue_t}
                    (unit_id, subtree, level, kind, overdue_from, stop_kind, stop, cases)
                SELECT NULL, FALSE, level, kind, overdue_from, stop_kind, stop, SUM(cases)
                FROM {overdue_t} WHERE unit_id IS NOT NULL AND NOT subtree AND level IN ({marks})
                GROUP BY level, kind, overdue_from, stop_kind, stop""",
                [*levels],
            )
            cursor.execute(f"DELETE FROM {spell_t} WHERE unit_id IS NULL AND level IN ({marks})", [*levels])
            cursor.execute(
                f"""INSERT INTO {spell_t} (unit_id, subtree, level, first_day, stop_day, cases)
                SELECT NULL, FALSE, level, first_day, stop_day, SUM(cases)
                FROM {spell_t} WHERE unit_id IS NOT NULL AND NOT subtree AND level IN ({marks})
                GROUP BY level, first_day, stop_day""",
                [*levels],
            )


def _roots(units: set[int] | None) -> set[int] | None:
    """The top-level units above `units` (all when None)."""
    if units is None:
        return None
    paths = Unit.objects.filter(pk__in=units).values_list("path", flat=True)
    tops = {"/" + p.split("/")[1] + "/" for p in paths if p.count("/") >= 2}
    return set(Unit.objects.filter(path__in=tops).values_list("pk", flat=True))


def _insert_subtrees(cursor, roots: set[int] | None) -> None:
    """Each top-level unit's rows (`subtree`): the unit rows of its subtree summed, per level."""
    unit_t = Unit._meta.db_table
    only = ""
    if roots is not None:
        if not roots:
            return
        only = f"AND t.id IN ({', '.join(str(int(r)) for r in sorted(roots))})"
    # unit -> its top-level unit, from the paths (a top-level unit's path is a prefix of its subtree's).
    tops = f"""(SELECT u.id AS unit_id, t.id AS top_id FROM {unit_t} u
        JOIN {unit_t} t ON t.parent_id IS NULL AND u.path LIKE t.path || '%' {only})"""
    tables = (
        (ReportSummary, ["level", "kind", "bucket"], [f"SUM({m})" for m in MAIN_COUNTS], list(MAIN_COUNTS)),
        (
            ReportOverdueSummary,
            ["level", "kind", "overdue_from", "stop_kind", "stop"],
            ["SUM(cases)"],
            ["cases"],
        ),
        (ReportOverdueSpell, ["level", "first_day", "stop_day"], ["SUM(cases)"], ["cases"]),
    )
    for model, keys, sums, counts in tables:
        table = model._meta.db_table
        where = "" if roots is None else f"AND unit_id IN ({', '.join(str(int(r)) for r in sorted(roots))})"
        cursor.execute(f"DELETE FROM {table} WHERE subtree {where}")
        cursor.execute(
            f"""INSERT INTO {table} (unit_id, subtree, {", ".join(keys)}, {", ".join(counts)})
            SELECT tops.top_id, TRUE, {", ".join(f"s.{k}" for k in keys)}, {", ".join(sums)}
            FROM {table} s JOIN {tops} tops ON tops.unit_id = s.unit_id
            WHERE NOT s.subtree
            GROUP BY tops.top_id, {", ".join(f"s.{k}" for k in keys)}"""
        )


# A clock that has not stopped stops "never": a date past every real one, so spells can be merged
# with MAX() and stored back as NULL.
NEVER = date(9999, 12, 31)


def _insert_spells(cursor, units: set[int] | None, level_join: str) -> None:
    """`ReportOverdueSpell` rows of `units` (all when None): each audited clock with a due date is
    overdue on [due + 1, completed_on) (for ever while it runs); a case's overlapping spells are merged
    (gaps and islands: a spell starts an island unless an earlier one of the case reaches past its
    start), then counted per unit and (first day, stop day).

    The trend asks about month ends and about a day of the current month (today): a first day or stop
    day before the current month is kept as its month's last (first day) or first (stop day) day, which
    counts the same at those points; spells that then cover no month end go (fewer rows)."""
    vendor = connection.vendor
    this_month = timezone.localdate().replace(day=1)
    case, deadline, spell_t = Case._meta.db_table, Deadline._meta.db_table, ReportOverdueSpell._meta.db_table
    where = ""
    if units is not None:
        where = f"AND c.unit_id IN ({', '.join(str(int(u)) for u in sorted(units))})"
    kinds = ", ".join(["%s"] * len(STAFF_DEADLINES))
    cursor.execute(
        f"""INSERT INTO {spell_t} (unit_id, subtree, level, first_day, stop_day, cases)
        WITH clock AS (
            SELECT d.case_id, c.unit_id, {_next_day_sql(vendor, "d.due_date")} AS a,
                   COALESCE(d.completed_on, %s) AS b
            FROM {deadline} d JOIN {case} c ON c.id = d.case_id
            WHERE d.kind IN ({kinds}) AND d.due_date IS NOT NULL {where}
        ), spell AS (
            SELECT clock.*, MAX(b) OVER (PARTITION BY case_id ORDER BY a, b
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM clock WHERE a < b
        ), numbered AS (
            SELECT spell.*, SUM(CASE WHEN reach IS NULL OR reach < a THEN 1 ELSE 0 END)
                            OVER (PARTITION BY case_id ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS island
            FROM spell
        ), merged AS (
            SELECT unit_id, MIN(a) AS a, MAX(b) AS b FROM numbered GROUP BY case_id, unit_id, island
        ), coarse AS (
            SELECT unit_id, CASE WHEN a < %s THEN {_month_end_sql(vendor, "a")} ELSE a END AS a,
                   CASE WHEN b < %s THEN {_month_start_sql(vendor, "b")} ELSE b END AS b
            FROM merged
        )
        SELECT x.unit_id, FALSE, l.authority_level, x.a, NULLIF(x.b, %s), x.n
        FROM (SELECT unit_id, a, b, COUNT(*) AS n FROM coarse WHERE a < b GROUP BY unit_id, a, b) x
        {level_join}""",
        [NEVER, *STAFF_DEADLINES, this_month, this_month, NEVER],
    )


@dataclass
class RefreshResult:
    full: bool
    units: int
    as_of: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"full": self.full, "units": self.units, "as_of": self.as_of.isoformat()}


def refresh(*, full: bool = False) -> RefreshResult:
    """Bring the summaries up to now: the units whose cases changed since the last refresh (with
    OVERLAP), or everything on the first run / `full`. Runs under a lock on the state row, so two
    refreshes never interleave; readers see the old rows until it commits."""
    with transaction.atomic():
        state, _created = ReportSummaryState.objects.select_for_update().get_or_create(pk=1)
        started = timezone.now()
        full = full or state.as_of is None
        units = None
        if not full:
            # Up to now only: a change time ahead of the clock (imported or generated data) would
            # otherwise rebuild its unit on every run until then; one written during this run is
            # within the next run's window.
            units = set(
                Case.objects.filter(updated_at__gte=state.as_of - OVERLAP, updated_at__lte=started)
                .values_list("unit_id", flat=True)
                .distinct()
                .order_by()
            )
        if full or units:
            _rebuild(units)
        state.irregular_cases = ReportIrregularCase.objects.count()
        state.as_of, state.refreshed_at = started, timezone.now()
        state.save()
    return RefreshResult(full, len(units) if units is not None else Unit.objects.count(), started)


def as_of() -> datetime | None:
    """Until when the summaries count changes (None: never built, so reports use the case table)."""
    return state()[0]


def state() -> tuple[datetime | None, int]:
    """(as_of, number of irregular cases) in one read."""
    row = ReportSummaryState.objects.filter(pk=1).values_list("as_of", "irregular_cases").first()
    return row if row is not None else (None, 0)


def versioned_state() -> tuple[datetime | None, int, str | None]:
    """`state()` and the version of the summaries' rows, in one read: on PostgreSQL the transaction
    that last wrote the state row (its `xmin`), which every refresh rewrites in the transaction that
    rewrites the rows, and which no other transaction (a rolled-back one included) ever has; None on
    other databases (nothing is then reused, see `_summary_reads`)."""
    qs = ReportSummaryState.objects.filter(pk=1)
    if connections[qs.db].vendor != "postgresql":
        return (*state(), None)
    found = qs.annotate(version=RawSQL("xmin::text", ())).values_list("as_of", "irregular_cases", "version")
    row = found.first()
    return row if row is not None else (None, 0, None)


# The summary rows a report read, per summaries' version and request: the same for every request until
# the next refresh, so a worker builds and runs those queries once per refresh instead of on every
# request (building them costs more than the database's answer). Per process, a few hundred entries.
_READS: OrderedDict[tuple, tuple[list[dict], list[dict]]] = OrderedDict()
_READS_LOCK = threading.Lock()
_READS_MAX = 256


def _summary_reads(version: str | None, key: tuple, read) -> tuple[list[dict], list[dict]]:
    if version is None:
        return read()
    key = (version, *key)
    with _READS_LOCK:
        found = _READS.get(key)
        if found is not None:
            _READS.move_to_end(key)
            return found
    found = read()
    with _READS_LOCK:
        _READS[key] = found
        while len(_READS) > _READS_MAX:
            _READS.popitem(last=False)
    return found


def _grouping_identity(grouping: Grouping) -> tuple:
    """What the summary queries of a grouping depend on: its kind of key and the subtrees it covers."""
    within = grouping.within.path if grouping.within is not None else None
    return (grouping.by, within, grouping.scope.everything, grouping.scope.paths)


# --- Reading --------------------------------------------------------------------------------------


def _national(grouping: Grouping) -> bool:
    return grouping.by == GROUP_BY_LEVEL and grouping.within is None and grouping.scope.everything


def _top_paths(grouping: Grouping) -> list[str] | None:
    """The paths the report covers when they are all top-level units' (their `subtree` rows answer a
    report per level), else None."""
    if grouping.by != GROUP_BY_LEVEL:
        return None
    paths = [grouping.within.path] if grouping.within is not None else list(grouping.scope.paths)
    if grouping.within is None and grouping.scope.everything:
        return None
    return paths if paths and all(p.count("/") == 2 for p in paths) else None


def _scoped(model, grouping: Grouping, kind: str | None, ids: tuple[int, ...] | None = None) -> QuerySet:
    """`ids`: the grouping's unit ids when the caller has read them (`_scoped_ids`)."""
    tops = _top_paths(grouping)
    if _national(grouping):
        qs = model.objects.filter(unit__isnull=True)
    elif tops is not None:  # whole top-level units: their subtree rows, a few per level
        qs = model.objects.filter(subtree=True, unit__path__in=tops)
    else:  # the units' ids: their rows through the (unit, bucket) index, not a scan of every unit's
        units = Q(unit_id__in=list(ids)) if ids is not None else _unit_ids(grouping)
        qs = model.objects.filter(units, subtree=False)
    return qs.filter(kind=kind) if kind else qs


def _key(grouping: Grouping):
    return F("level") if grouping.by == GROUP_BY_LEVEL else grouping.key_expression("unit__")


def _starts_bucket(day: date) -> bool:
    return day.day in (1, 15)


def _window(cut: date) -> tuple[date, date]:
    """The days of `cut`'s half-month before it: [start of the half-month, cut)."""
    return bucket_start(bucket(cut)), cut


def _half_month(day: date) -> tuple[date, date]:
    """[start of `day`'s half-month, start of the next)."""
    b = bucket(day)
    return bucket_start(b), bucket_start(b + 1)


def _unit_ids(grouping: Grouping) -> Q:
    """The grouping's units as a list of ids: with the path test instead, the planner walks the units
    and repeats the date-index scans for each; with the ids it scans the date windows once."""
    return Q(unit_id__in=list(_unit_id_list(grouping)))


def _unit_id_list(grouping: Grouping) -> tuple[int, ...]:
    return tuple(Unit.objects.filter(grouping.filter_q("path")).values_list("pk", flat=True).order_by("pk"))


def _scoped_ids(grouping: Grouping, ids) -> tuple[int, ...] | None:
    """The unit ids `_scoped` filters on (None when it reads national or subtree rows): part of its
    compiled queries' key, since the SQL lists them."""
    return None if _national(grouping) or _top_paths(grouping) is not None else ids()


# The summaries' reading queries compiled once per shape (casework.reports.compiled).
_COMPILED: dict[tuple, tuple | None] = {}


def _cut_counts(
    cuts: list[date],
    ends: set[date],
    grouping: Grouping,
    kind: str | None,
    irregular: bool,
    ids: tuple[int, ...],
) -> list[dict]:
    """For each cut day c (not a half-month start), per (key, kind): the regular cases whose date of each
    summary count falls in c's half-month before c — the days the summaries cannot split. One query
    or two over the few cases with a date in those windows. "Ended" (which reads the resolution clock's
    stop too) only for the cuts in `ends` (a period's first day). `ids`: the grouping's unit ids."""
    if not cuts:
        return []
    shape = (_grouping_identity(grouping), kind, irregular, ids, tuple(c in ends for c in cuts))
    windows = [day for cut in cuts for day in _window(cut)]
    totals: dict[tuple, dict[str, int]] = {}
    # Two disjoint sets, each found by its indexes: a case date in a window (a bitmap OR over the
    # case table's date indexes), or else only the resolution clock's stop in one (the deadline index).
    for part in (0, 1) if ends.intersection(cuts) else (0,):
        names, build = _cut_counts_query(len(cuts), shape, grouping, part)
        alias = Case.objects.all().db
        for r in compiled_rows(_COMPILED, ("cut", part, *shape), alias, windows, build):
            row = totals.setdefault((r["key"], r["kind"]), {"key": r["key"], "kind": r["kind"]})
            for name in names:
                row[name] = row.get(name, 0) + r[name]
    return list(totals.values())


def _cut_counts_query(n: int, shape: tuple, grouping: Grouping, part: int):
    """`_cut_counts`' query for `n` cuts (its windows' days as the placeholders) and its count names."""
    _identity, kind, irregular, ids, ending = shape
    names = []
    for j in range(n):
        names += [f"received_{j}", f"accepted_{j}", f"resolved_{j}", f"resolved_on_time_{j}"]
        if ending[j]:
            names.append(f"ended_{j}")

    def build(days: list) -> QuerySet:
        acc_ok = Q(accepted_at__isnull=False) & ~Q(state=CaseState.TRANSFERRED)
        if irregular:
            acc_ok &= ~Q(pk__in=ReportIrregularCase.objects.values("case_id"))
        aggregates, anywhere, stopped = {}, Q(), Q()
        for j in range(n):
            lo, hi = days[2 * j], days[2 * j + 1]

            def within(field: str, lo=lo, hi=hi) -> Q:
                return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})

            ended = (
                (Q(decided_at__isnull=True) | Q(decided_at__gte=lo))
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
                & (Q(res__completed_on__isnull=True) | Q(res__completed_on__gte=lo))
                & (Q(decided_at__lt=hi) | Q(closed_at__lt=hi) | Q(res__completed_on__lt=hi))
            )
            decided = within("decided_at")
            withdrawn = Q(decided_at__isnull=True, state=CaseState.WITHDRAWN) & within("closed_at")
            on_time = (
                decided
                & Q(
                    res__status=DeadlineStatus.MET,
                    res__completed_on__isnull=False,
                    res__due_date__isnull=False,
                )
                & Q(res__completed_on__lte=F("res__due_date"))
            ) | (withdrawn & (Q(res__due_date__isnull=True) | Q(closed_at__lte=F("res__due_date"))))
            aggregates |= {
                f"received_{j}": Count("pk", filter=within("received_at")),
                f"accepted_{j}": Count("pk", filter=acc_ok & within("accepted_at")),
                f"resolved_{j}": Count("pk", filter=acc_ok & (decided | withdrawn)),
                f"resolved_on_time_{j}": Count("pk", filter=acc_ok & on_time),
            }
            anywhere |= (
                within("received_at") | within("accepted_at") | within("decided_at") | within("closed_at")
            )
            if ending[j]:
                aggregates[f"ended_{j}"] = Count("pk", filter=acc_ok & ended)
                stopped |= within("res__completed_on")
        base = Case.objects.annotate(
            res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
        ).filter(unit_id__in=list(ids))
        if kind:
            base = base.filter(kind=kind)
        qs = base.filter(anywhere) if part == 0 else base.filter(stopped).exclude(anywhere)
        return (
            qs.annotate(key=grouping.key_expression("unit__"))
            .values("key", "kind")
            .annotate(**aggregates)
            .order_by()
        )

    return names, build


def resolution_rows(
    *,
    periods: list[Period],
    grouping: Grouping,
    kind: str | None,
    today: date,
    irregular_cases: int = 1,
    version: str | None = None,
) -> list[list[dict[str, Any]]]:
    """For each period, the grouped rows of `resolution.resolution_queryset` (key, kind and
    RESOLUTION_COUNTS). Each count is "cases whose date D is before a cut day" (module doc); the
    half-months wholly before a cut come from the summaries (one query over the summary and one over
    the overdue summary serve every period), and the days of a half-month cut by a period's first day,
    by the day after its last, or (overdue only) by a past "as of" day, from the case table — the few
    cases with a date in those windows. Irregular cases come from the case-table query itself.

    `version` (`versioned_state()`): the summary rows read are reused by later calls with the same
    version and arguments (per process); the case-table parts are read on every call."""
    from .resolution import RESOLUTION_COUNTS, _compiled_rows

    merged: list[dict[tuple, dict[str, int]]] = [
        defaultdict(lambda: dict.fromkeys(RESOLUTION_COUNTS, 0)) for _p in periods
    ]
    # The cuts: the first day and the day after the last; a count "before c" is the summary's buckets
    # before c's half-month plus, when c does not start one, the case table's days of it before c.
    cuts = [(p.date_from, p.date_to + timedelta(days=1)) for p in periods]
    bounds = [(bucket(c1), bucket(c2)) for c1, c2 in cuts]
    # The grouping's unit ids, read once per call and only if a query lists them.
    ids = functools.cache(lambda: _unit_id_list(grouping))

    identity = _grouping_identity(grouping)

    def read_main() -> list[dict]:
        scoped_ids = _scoped_ids(grouping, ids)

        def build(p: list) -> QuerySet:
            aggregates: dict[str, Sum] = {}
            for i in range(len(bounds)):
                fb, tb = p[2 * i], p[2 * i + 1]
                upto, within, before = Q(bucket__lt=tb), Q(bucket__gte=fb, bucket__lt=tb), Q(bucket__lt=fb)
                aggregates |= {
                    f"received_{i}": Sum("received", filter=within),
                    f"accepted_{i}": Sum("accepted", filter=upto),
                    f"before_{i}": Sum("accepted", filter=before),
                    f"ended_{i}": Sum("ended", filter=before),
                    f"resolved_{i}": Sum("resolved", filter=within),
                    f"on_time_{i}": Sum("resolved_on_time", filter=within),
                }
            return (
                _scoped(ReportSummary, grouping, kind, scoped_ids)
                .filter(bucket__lt=p[-1])
                .annotate(key=_key(grouping))
                .values("key", "kind")
                .annotate(**aggregates)
                .order_by()
            )

        values = [*(b for pair in bounds for b in pair), max(tb for _fb, tb in bounds)]
        key = ("main", identity, kind, scoped_ids, len(bounds))
        return compiled_rows(_COMPILED, key, ReportSummary.objects.all().db, values, build)

    # Overdue as of L = min(t, today): a case counts when its first overdue day (due + 1) is at most L,
    # and it is still open, or resolved after t, or ended without resolution on or after f. The summary
    # counts the rows on the sure side of all three; the case table the cases with a date in a cut
    # half-month (the exact per-case condition). `overdue_from` is exact from the current half-month
    # on and its half-month's first day before it, so "≤ L" is exact unless L falls inside an earlier
    # half-month: then the summary counts the rows before L's half-month and the case table the clocks
    # falling due in it (`due_from`).
    def sure_from(cut: date) -> int:
        return bucket(cut) if _starts_bucket(cut) else bucket(cut) + 1

    current = bucket(today)
    lasts, due_from = [], []
    for period in periods:
        last = min(period.date_to, today)
        coarse = bucket(last) < current and not _starts_bucket(last + timedelta(days=1))
        due_from.append(bucket_start(bucket(last)) - timedelta(days=1) if coarse else None)
        lasts.append(last)

    def read_overdue() -> list[dict]:
        scoped_ids = _scoped_ids(grouping, ids)
        coarse = tuple(first_due is not None for first_due in due_from)

        def build(p: list) -> QuerySet:
            overdue_aggregates = {}
            for i in range(len(cuts)):
                day, resolved_from, ended_from = p[3 * i : 3 * i + 3]
                sure = Q(overdue_from__lt=day) if coarse[i] else Q(overdue_from__lte=day)
                overdue_aggregates[f"overdue_{i}"] = Sum(
                    "cases",
                    filter=sure
                    & (
                        Q(stop_kind=ReportOverdueSummary.OPEN)
                        | Q(stop_kind=ReportOverdueSummary.RESOLVED, stop__gte=resolved_from)
                        | Q(stop_kind=ReportOverdueSummary.ENDED, stop__gte=ended_from)
                    ),
                )
            return (
                _scoped(ReportOverdueSummary, grouping, kind, scoped_ids)
                .filter(overdue_from__lte=p[-1])
                .annotate(key=_key(grouping))
                .values("key", "kind")
                .annotate(**overdue_aggregates)
                .order_by()
            )

        values: list = []
        for (c1, c2), last, is_coarse in zip(cuts, lasts, coarse, strict=True):
            values += [bucket_start(bucket(last)) if is_coarse else last, sure_from(c2), sure_from(c1)]
        values.append(max(lasts))
        key = ("overdue", identity, kind, scoped_ids, coarse)
        return compiled_rows(_COMPILED, key, ReportOverdueSummary.objects.all().db, values, build)

    main, overdue = _summary_reads(
        version,
        ("resolution", _grouping_identity(grouping), kind, tuple(cuts), today),
        lambda: (read_main(), read_overdue()),
    )
    for r in main:
        for i, rows in enumerate(merged):
            row = rows[(r["key"], r["kind"])]
            accepted, before, ended = (r[f"{m}_{i}"] or 0 for m in ("accepted", "before", "ended"))
            row["received"] += r[f"received_{i}"] or 0
            row["carried_over"] += before - ended
            row["newly_accepted"] += accepted - before
            row["in_competence"] += accepted - ended
            row["resolved"] += r[f"resolved_{i}"] or 0
            row["resolved_on_time"] += r[f"on_time_{i}"] or 0

    # The cut half-months from the case table: "before f" counts subtract, "before t + 1" counts add.
    partial = sorted({c for pair in cuts for c in pair if not _starts_bucket(c)})
    if partial:
        index = {c: j for j, c in enumerate(partial)}
        starts = {c1 for c1, _c2 in cuts}
        for r in _cut_counts(partial, starts, grouping, kind, bool(irregular_cases), ids()):
            for (c1, c2), rows in zip(cuts, merged, strict=True):
                row = rows[(r["key"], r["kind"])]

                def at(metric: str, cut: date, r=r) -> int:
                    return r.get(f"{metric}_{index[cut]}", 0) if cut in index else 0

                before, ended, accepted = at("accepted", c1), at("ended", c1), at("accepted", c2)
                row["received"] += at("received", c2) - at("received", c1)
                row["carried_over"] += before - ended
                row["newly_accepted"] += accepted - before
                row["in_competence"] += accepted - ended
                row["resolved"] += at("resolved", c2) - at("resolved", c1)
                row["resolved_on_time"] += at("resolved_on_time", c2) - at("resolved_on_time", c1)

    for r in overdue:
        for i, rows in enumerate(merged):
            if r[f"overdue_{i}"]:
                rows[(r["key"], r["kind"])]["overdue"] += r[f"overdue_{i}"]
    for (c1, c2), period, rows, first_due in zip(cuts, periods, merged, due_from, strict=True):
        f, t = period.date_from, period.date_to
        # Disjoint zones, each a query its own index serves: the clocks falling due in a cut past
        # half-month (the resolution due-date index), then the cases resolved or ended in a cut
        # half-month whose clock did not fall due there (the case table's date indexes).
        by_due, resolved_cut, ended_cut = (
            first_due is not None,
            not _starts_bucket(c2),
            not _starts_bucket(c1),
        )
        zones = ([0] if by_due else []) + ([1] if resolved_cut or ended_cut else [])
        values = [f, t, min(t, timezone.localdate()), min(t, today)]
        if by_due:
            values.append(first_due)
        if resolved_cut:
            values += _half_month(c2)
        if ended_cut:
            values += _half_month(c1)
        for zone in zones:
            shape = ("edge", zone, identity, kind, bool(irregular_cases), by_due, resolved_cut, ended_cut)
            build = _edge_query(grouping, kind, bool(irregular_cases), ids(), zone, shape[5:])
            # The due zone reads no date zone's days.
            zone_values = values[: 4 + by_due] if zone == 0 else values
            for r in compiled_rows(_COMPILED, (*shape, ids()), Case.objects.all().db, zone_values, build):
                rows[(r["key"], r["kind"])]["overdue"] += r["n"]
        if irregular_cases:
            # Irregular cases: the case-table query itself (their receipt is already in the summary).
            alias = Case.objects.all().db
            for r in _compiled_rows(alias, period.date_from, period.date_to, grouping, kind, irregular=True):
                row = rows[(r["key"], r["kind"])]
                for metric in RESOLUTION_COUNTS:
                    if metric != "received":
                        row[metric] += r[metric] or 0
    return _present(merged)


def _edge_query(grouping: Grouping, kind: str | None, irregular: bool, ids: tuple, zone: int, cut: tuple):
    """`resolution_rows`' query of the overdue cases of a period's cut zone (0: clocks falling due in a
    past half-month cut by "as of"; 1: cases resolved or ended in a cut half-month, their clock not
    falling due there) with placeholders f, t, the aggregate's as-of day, as of, then the first due day
    (with `by_due`) and the cut half-months' days (zone 1 only)."""
    from .resolution import _resolution_aggregates

    by_due, resolved_cut, ended_cut = cut

    def build(p: list) -> QuerySet:
        f, t, counted_as_of, as_of, rest = p[0], p[1], p[2], p[3], p[4:]
        due_zone = Q()
        if by_due:
            due_zone, rest = Q(res__due_date__gte=rest[0]), rest[1:]
        date_zone = Q()
        if zone == 1 and resolved_cut:  # resolved in the half-month of t + 1
            (lo, hi), rest = rest[:2], rest[2:]
            date_zone |= Q(decided_at__gte=lo, decided_at__lt=hi) | Q(
                decided_at__isnull=True, state=CaseState.WITHDRAWN, closed_at__gte=lo, closed_at__lt=hi
            )
        if zone == 1 and ended_cut:  # ended in the half-month of f
            (lo, hi), rest = rest[:2], rest[2:]
            date_zone |= (
                Q(decided_at__gte=lo, decided_at__lt=hi)
                | Q(closed_at__gte=lo, closed_at__lt=hi)
                | Q(res__completed_on__gte=lo, res__completed_on__lt=hi)
            )
        zone_q = due_zone if zone == 0 else (date_zone & ~due_zone if by_due else date_zone)
        edge = Case.objects.annotate(
            res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
        ).filter(Q(unit_id__in=list(ids)), zone_q, res__due_date__lt=as_of)
        if irregular:
            edge = edge.exclude(pk__in=ReportIrregularCase.objects.values("case_id"))
        if kind:
            edge = edge.filter(kind=kind)
        overdue_count = _resolution_aggregates(f, t, counted_as_of)["overdue"]
        return (
            edge.annotate(key=grouping.key_expression("unit__"))
            .values("key", "kind")
            .annotate(n=overdue_count)
            .order_by()
        )

    return build


def _present(merged: list[dict[tuple, dict[str, int]]]) -> list[list[dict[str, Any]]]:
    # The case-table query has a row where some case was received or in competence.
    return [
        [
            {"key": key, "kind": k, **counts}
            for (key, k), counts in rows.items()
            if counts["received"] or counts["in_competence"]
        ]
        for rows in merged
    ]


def answers_trend(as_of: date) -> bool:
    """Whether the spells answer a trend up to `as_of` (month ends, then `as_of`): a month end, or a
    day of the current month or later (see `_insert_spells`)."""
    return as_of >= timezone.localdate().replace(day=1) or (as_of + timedelta(days=1)).day == 1


def overdue_trend_counts(*, points: list[date], grouping: Grouping) -> list[int]:
    """`overdue.overdue_trend`'s counts (cases overdue at the end of each day of `points`: month ends and
    a last day that `answers_trend`) from `ReportOverdueSpell`, in one aggregate query over the spells
    that can overlap the points."""
    counts = {
        f"p{i}": Sum("cases", filter=Q(first_day__lte=d) & (Q(stop_day__isnull=True) | Q(stop_day__gt=d)))
        for i, d in enumerate(points)
    }
    data = (
        _scoped(ReportOverdueSpell, grouping, None)
        .filter(first_day__lte=max(points))
        .filter(Q(stop_day__isnull=True) | Q(stop_day__gt=min(points)))
        .aggregate(**counts)
    )
    return [data[f"p{i}"] or 0 for i in range(len(points))]

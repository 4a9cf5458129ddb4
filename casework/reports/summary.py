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
as of min(t, today), not resolved by t, still in competence) needs two dates: `ReportOverdueSummary`
counts the cases per half-month of the first overdue day (due date + 1) and the half-month where they
stop counting (resolved: overdue until then; ended without resolution: in competence while f ≤ end;
open: for ever). The clocks falling due in the current half-month come from the case table (a small
index range), since "today" is not a half-month boundary.

A case is regular when its dates follow the workflow: accepted on or before it ended and before its
resolution clock fell due, resolved (if at all) on the day it ended, never both decided and withdrawn.
Other cases (a first-round complaint decided after its clock was cancelled, say) are listed in
`ReportIrregularCase` and counted by the case-table query itself, so the results are identical to
`resolution.py`. Every count is "cases whose date D is before a cut day" (the period's first day, the
day after its last, the day after today for overdue): the half-months wholly before the cut come from
the summaries, and when the cut falls inside a half-month, its days before the cut come from the case
table — the few cases with a date in that window. Calendar months, quarters and years and the
15th-to-14th periods of Circular 01/2024 cut no half-month (until today's); any other period (the
citizens' "1 January to today") reads at most two half-months of cases.

The summaries are refreshed, not maintained by each transition (which would add statements to every
transition): `refresh()` rebuilds the rows of the units whose cases changed (`Case.updated_at`) since
the last run, from a Celery beat task every few minutes (REPORT_SUMMARY_REFRESH_MINUTES) and on demand
(`manage.py refresh_report_summaries`). Reports computed from them carry `figures_as_of`, shown on
the pages. Moving a unit to another authority level needs `refresh(full=True)`.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.utils import timezone

from ..choices import CaseState, DeadlineKind, DeadlineStatus
from ..models import (
    Case,
    ReportIrregularCase,
    ReportOverdueSummary,
    ReportSummary,
    ReportSummaryState,
    Unit,
)
from .periods import Period
from .scope import GROUP_BY_LEVEL, Grouping

# A transaction that set `updated_at` before a refresh started may commit after it: look back this far.
OVERLAP = timedelta(minutes=10)
MAIN_COUNTS = ("received", "accepted", "ended", "resolved", "resolved_on_time")
BATCH = 5000


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


def _contributions(units: set[int] | None):
    """Per-case rows of the summaries for the cases of `units` (all cases when None)."""
    main: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(MAIN_COUNTS))
    overdue: dict[tuple, int] = defaultdict(int)
    irregular: list[ReportIrregularCase] = []
    cases = Case.objects.annotate(
        res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
    )
    if units is not None:
        cases = cases.filter(unit_id__in=units)
    rows = cases.values_list(
        "pk",
        "unit_id",
        "kind",
        "state",
        "received_at",
        "accepted_at",
        "decided_at",
        "closed_at",
        "res__due_date",
        "res__status",
        "res__completed_on",
    ).order_by()
    for pk, unit, kind, state, received, acc, dec, closed, due, status, stopped in rows.iterator(20000):
        main[(unit, kind, bucket(received))][0] += 1
        if acc is None or state == CaseState.TRANSFERRED:
            continue  # never in competence here
        withdrawn = state == CaseState.WITHDRAWN
        ends = [d for d in (dec, closed, stopped) if d is not None]
        end = min(ends) if ends else None
        resolved = dec if dec is not None else (closed if withdrawn else None)
        regular = (
            (end is None or acc <= end)
            and (resolved is None or resolved == end)
            and not (dec is not None and withdrawn and closed is not None)
            and (due is None or acc <= due)
        )
        if not regular:
            irregular.append(ReportIrregularCase(case_id=pk, unit_id=unit))
            continue
        main[(unit, kind, bucket(acc))][1] += 1
        if end is not None:
            main[(unit, kind, bucket(end))][2] += 1
        if resolved is not None:
            if dec is not None:
                on_time = (
                    status == DeadlineStatus.MET
                    and stopped is not None
                    and due is not None
                    and stopped <= due
                )
            else:
                on_time = due is None or closed <= due
            counts = main[(unit, kind, bucket(resolved))]
            counts[3] += 1
            counts[4] += 1 if on_time else 0
        if due is None:
            continue
        first_overdue = bucket(due + timedelta(days=1))
        if resolved is not None:
            if resolved > due:  # resolved on time: never overdue while in progress
                overdue[(unit, kind, first_overdue, ReportOverdueSummary.RESOLVED, bucket(resolved))] += 1
        elif end is None:
            overdue[(unit, kind, first_overdue, ReportOverdueSummary.OPEN, None)] += 1
        else:
            overdue[(unit, kind, first_overdue, ReportOverdueSummary.ENDED, bucket(end))] += 1
    return main, overdue, irregular


def _rebuild(units: set[int] | None) -> None:
    levels_of = dict(Unit.objects.values_list("pk", "level__authority_level"))
    main, overdue, irregular = _contributions(units)
    if units is None:
        for model in (ReportSummary, ReportOverdueSummary, ReportIrregularCase):
            model.objects.all().delete()
        levels = set(levels_of.values())
    else:
        for model in (ReportSummary, ReportOverdueSummary, ReportIrregularCase):
            model.objects.filter(unit_id__in=units).delete()
        levels = {levels_of[u] for u in units if u in levels_of}
    ReportSummary.objects.bulk_create(
        (
            ReportSummary(
                unit_id=u, level=levels_of[u], kind=k, bucket=b, **dict(zip(MAIN_COUNTS, c, strict=True))
            )
            for (u, k, b), c in main.items()
        ),
        batch_size=BATCH,
    )
    ReportOverdueSummary.objects.bulk_create(
        (
            ReportOverdueSummary(
                unit_id=u, level=levels_of[u], kind=k, overdue_from=o, stop_kind=sk, stop=s, cases=n
            )
            for (u, k, o, sk, s), n in overdue.items()
        ),
        batch_size=BATCH,
    )
    ReportIrregularCase.objects.bulk_create(irregular, batch_size=BATCH)
    # National rows: the unit rows of each touched level summed again.
    ReportSummary.objects.filter(unit__isnull=True, level__in=levels).delete()
    national = (
        ReportSummary.objects.filter(unit__isnull=False, level__in=levels)
        .values("level", "kind", "bucket")
        .annotate(**{f"n_{m}": Sum(m) for m in MAIN_COUNTS})
        .order_by()
    )
    ReportSummary.objects.bulk_create(
        (
            ReportSummary(
                level=r["level"], kind=r["kind"], bucket=r["bucket"], **{m: r[f"n_{m}"] for m in MAIN_COUNTS}
            )
            for r in national
        ),
        batch_size=BATCH,
    )
    ReportOverdueSummary.objects.filter(unit__isnull=True, level__in=levels).delete()
    national = (
        ReportOverdueSummary.objects.filter(unit__isnull=False, level__in=levels)
        .values("level", "kind", "overdue_from", "stop_kind", "stop")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    ReportOverdueSummary.objects.bulk_create(
        (
            ReportOverdueSummary(
                level=r["level"],
                kind=r["kind"],
                overdue_from=r["overdue_from"],
                stop_kind=r["stop_kind"],
                stop=r["stop"],
                cases=r["n"],
            )
            for r in national
        ),
        batch_size=BATCH,
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
            units = set(
                Case.objects.filter(updated_at__gte=state.as_of - OVERLAP)
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


# --- Reading --------------------------------------------------------------------------------------


def _national(grouping: Grouping) -> bool:
    return grouping.by == GROUP_BY_LEVEL and grouping.within is None and grouping.scope.everything


def _scoped(model, grouping: Grouping, kind: str | None) -> QuerySet:
    if _national(grouping):
        qs = model.objects.filter(unit__isnull=True)
    else:  # the units' ids: their rows through the (unit, bucket) index, not a scan of every unit's
        qs = model.objects.filter(_unit_ids(grouping))
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
    return Q(unit_id__in=list(Unit.objects.filter(grouping.filter_q("path")).values_list("pk", flat=True)))


def _cut_counts(
    cuts: list[date], ends: set[date], grouping: Grouping, kind: str | None, irregular: bool
) -> list[dict]:
    """For each cut day c (not a half-month start), per (key, kind): the regular cases whose date of each
    summary count falls in c's half-month before c — the days the summaries cannot split. One query
    or two over the few cases with a date in those windows. "Ended" (which reads the resolution clock's
    stop too) only for the cuts in `ends` (a period's first day)."""
    if not cuts:
        return []
    acc_ok = Q(accepted_at__isnull=False) & ~Q(state=CaseState.TRANSFERRED)
    if irregular:
        acc_ok &= ~Q(pk__in=ReportIrregularCase.objects.values("case_id"))
    aggregates, anywhere, stopped = {}, Q(), Q()
    for j, cut in enumerate(cuts):
        lo, hi = _window(cut)

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
            & Q(res__status=DeadlineStatus.MET, res__completed_on__isnull=False, res__due_date__isnull=False)
            & Q(res__completed_on__lte=F("res__due_date"))
        ) | (withdrawn & (Q(res__due_date__isnull=True) | Q(closed_at__lte=F("res__due_date"))))
        aggregates |= {
            f"received_{j}": Count("pk", filter=within("received_at")),
            f"accepted_{j}": Count("pk", filter=acc_ok & within("accepted_at")),
            f"resolved_{j}": Count("pk", filter=acc_ok & (decided | withdrawn)),
            f"resolved_on_time_{j}": Count("pk", filter=acc_ok & on_time),
        }
        anywhere |= within("received_at") | within("accepted_at") | within("decided_at") | within("closed_at")
        if cut in ends:
            aggregates[f"ended_{j}"] = Count("pk", filter=acc_ok & ended)
            stopped |= within("res__completed_on")
    base = Case.objects.annotate(
        res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
    ).filter(_unit_ids(grouping))
    if kind:
        base = base.filter(kind=kind)
    # Two disjoint sets, each found by its indexes: a case date in a window (a bitmap OR over the
    # case table's date indexes), or else only the resolution clock's stop in one (the deadline index).
    parts = [base.filter(anywhere)]
    if stopped:
        parts.append(base.filter(stopped).exclude(anywhere))
    totals: dict[tuple, dict[str, int]] = {}
    for qs in parts:
        grouped = qs.annotate(key=grouping.key_expression("unit__")).values("key", "kind")
        for r in grouped.annotate(**aggregates).order_by():
            row = totals.setdefault((r["key"], r["kind"]), {"key": r["key"], "kind": r["kind"]})
            for name in aggregates:
                row[name] = row.get(name, 0) + r[name]
    return list(totals.values())


def resolution_rows(
    *, periods: list[Period], grouping: Grouping, kind: str | None, today: date, irregular_cases: int = 1
) -> list[list[dict[str, Any]]]:
    """For each period, the grouped rows of `resolution.resolution_queryset` (key, kind and
    RESOLUTION_COUNTS). Each count is "cases whose date D is before a cut day" (module doc); the
    half-months wholly before a cut come from the summaries (one query over the summary and one over
    the overdue summary serve every period), and the days of a half-month cut by a period's first day,
    by the day after its last, or by today, from the case table — the few cases with a date in those
    windows. Irregular cases come from the case-table query itself."""
    from .resolution import RESOLUTION_COUNTS, _resolution_aggregates, resolution_queryset

    merged: list[dict[tuple, dict[str, int]]] = [
        defaultdict(lambda: dict.fromkeys(RESOLUTION_COUNTS, 0)) for _p in periods
    ]
    # The cuts: the first day and the day after the last; a count "before c" is the summary's buckets
    # before c's half-month plus, when c does not start one, the case table's days of it before c.
    cuts = [(p.date_from, p.date_to + timedelta(days=1)) for p in periods]
    bounds = [(bucket(c1), bucket(c2)) for c1, c2 in cuts]
    aggregates: dict[str, Sum] = {}
    for i, (fb, tb) in enumerate(bounds):
        upto, within, before = Q(bucket__lt=tb), Q(bucket__gte=fb, bucket__lt=tb), Q(bucket__lt=fb)
        aggregates |= {
            f"received_{i}": Sum("received", filter=within),
            f"accepted_{i}": Sum("accepted", filter=upto),
            f"before_{i}": Sum("accepted", filter=before),
            f"ended_{i}": Sum("ended", filter=before),
            f"resolved_{i}": Sum("resolved", filter=within),
            f"on_time_{i}": Sum("resolved_on_time", filter=within),
        }
    main = (
        _scoped(ReportSummary, grouping, kind)
        .filter(bucket__lt=max(tb for _fb, tb in bounds))
        .annotate(key=_key(grouping))
        .values("key", "kind")
        .annotate(**aggregates)
        .order_by()
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
        for r in _cut_counts(partial, starts, grouping, kind, bool(irregular_cases)):
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

    # Overdue as of L = min(t, today): a case counts when its first overdue day (due + 1) is at most L,
    # and it is still open, or resolved after t, or ended without resolution on or after f. The summary
    # counts the rows whose three half-months are on the sure side of L + 1, t + 1 and f; the case table
    # the cases with one of those dates in a cut half-month (the exact per-case condition).
    def sure_from(cut: date) -> int:
        return bucket(cut) if _starts_bucket(cut) else bucket(cut) + 1

    overdue_aggregates, lasts = {}, []
    for i, ((c1, c2), period) in enumerate(zip(cuts, periods, strict=True)):
        last = bucket(min(period.date_to, today) + timedelta(days=1))  # overdue_from < last
        lasts.append(last)
        overdue_aggregates[f"overdue_{i}"] = Sum(
            "cases",
            filter=Q(overdue_from__lt=last)
            & (
                Q(stop_kind=ReportOverdueSummary.OPEN)
                | Q(stop_kind=ReportOverdueSummary.RESOLVED, stop__gte=sure_from(c2))
                | Q(stop_kind=ReportOverdueSummary.ENDED, stop__gte=sure_from(c1))
            ),
        )
    overdue = (
        _scoped(ReportOverdueSummary, grouping, kind)
        .filter(overdue_from__lt=max(lasts))
        .annotate(key=_key(grouping))
        .values("key", "kind")
        .annotate(**overdue_aggregates)
        .order_by()
    )
    for r in overdue:
        for i, rows in enumerate(merged):
            if r[f"overdue_{i}"]:
                rows[(r["key"], r["kind"])]["overdue"] += r[f"overdue_{i}"]
    irregular = ReportIrregularCase.objects.values("case_id")
    for (c1, c2), period, rows in zip(cuts, periods, merged, strict=True):
        as_of = min(period.date_to, today)
        # Disjoint zones, each a query its own index serves: the clocks falling due in the cut
        # half-month (the resolution due-date index), then the cases resolved or ended in a cut
        # half-month whose clock did not fall due there (the case table's report index).
        due_zone = Q()
        if not _starts_bucket(as_of + timedelta(days=1)):
            due_zone = Q(
                res__due_date__gte=bucket_start(bucket(as_of + timedelta(days=1))) - timedelta(days=1)
            )
        date_zone = Q()
        if not _starts_bucket(c2):  # resolved in the half-month of t + 1
            lo, hi = _half_month(c2)
            date_zone |= Q(decided_at__gte=lo, decided_at__lt=hi) | Q(
                decided_at__isnull=True, state=CaseState.WITHDRAWN, closed_at__gte=lo, closed_at__lt=hi
            )
        if not _starts_bucket(c1):  # ended in the half-month of f
            lo, hi = _half_month(c1)
            date_zone |= (
                Q(decided_at__gte=lo, decided_at__lt=hi)
                | Q(closed_at__gte=lo, closed_at__lt=hi)
                | Q(res__completed_on__gte=lo, res__completed_on__lt=hi)
            )
        zones = [due_zone] if due_zone else []
        units = _unit_ids(grouping) if due_zone or date_zone else Q()
        if date_zone:
            zones.append(date_zone & ~due_zone if due_zone else date_zone)
        for zone in zones:
            edge = Case.objects.annotate(
                res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
            ).filter(units, zone, res__due_date__lt=as_of)
            if irregular_cases:
                edge = edge.exclude(pk__in=irregular)
            if kind:
                edge = edge.filter(kind=kind)
            overdue_count = _resolution_aggregates(period.date_from, period.date_to)["overdue"]
            for r in (
                edge.annotate(key=grouping.key_expression("unit__"))
                .values("key", "kind")
                .annotate(n=overdue_count)
                .order_by()
            ):
                rows[(r["key"], r["kind"])]["overdue"] += r["n"]
        if irregular_cases:
            # Irregular cases: the case-table query itself (their receipt is already in the summary).
            for r in resolution_queryset(period=period, grouping=grouping, kind=kind).filter(
                pk__in=irregular
            ):
                row = rows[(r["key"], r["kind"])]
                for metric in RESOLUTION_COUNTS:
                    if metric != "received":
                        row[metric] += r[metric] or 0

    # The case-table query has a row where some case was received or in competence.
    return [
        [
            {"key": key, "kind": k, **counts}
            for (key, k), counts in rows.items()
            if counts["received"] or counts["in_competence"]
        ]
        for rows in merged
    ]

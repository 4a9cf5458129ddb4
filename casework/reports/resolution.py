"""Resolution and on-time rates (DOMAIN.md §12), per group and case kind.

* ``received``: cases whose ``received_at`` lies in the period, at the unit (a letter transferred in
  is received again at the competent unit, as each unit's reception book shows).
* ``in_competence = carried_over + newly_accepted``. ``newly_accepted``: ``accepted_at`` in the
  period. ``carried_over``: accepted before ``date_from`` and not ended before it, where a case ends
  when its decision is issued (``decided_at``), when it is withdrawn or closed (``closed_at``), or
  when its resolution clock stops without a decision (a first-round complaint taken to the second
  round after its deadline lapsed: the resolution deadline is cancelled on that day). Only accepted
  cases count, so a transferred case (never accepted at the sender) is counted once, at the
  competent unit; ``state = transferred`` is excluded explicitly as well. A second-round complaint is
  a separate case at the higher unit; the first-round case is resolved when it is decided.
* ``resolved``: in-competence cases decided in the period, or withdrawn after acceptance in the
  period (``state = withdrawn``, ``closed_at`` in the period).
* ``resolved_on_time``: resolved cases resolved within their resolution deadline, lawful extensions
  included (``due_date`` already contains them): a decision whose resolution deadline was met
  (``status = met``) on or before ``due_date``; a withdrawal on or before ``due_date`` (or while the
  clock was stopped by a suspension, when no due date runs) — DOMAIN.md counts "resolved within the
  deadline", and a withdrawal in time is such a resolution.
* ``in_progress = in_competence - resolved``.
* ``overdue``: in-progress cases whose resolution ``due_date < date_to``, i.e. overdue as of
  ``date_to`` (as of today while the period has not ended). For a period ending today these are
  exactly the running clocks past due; for a past period a case decided after ``date_to`` still
  counts (it was overdue then), and a paused clock (suspension, waiting on the citizen) has no due
  date and never counts.
* ``resolution_rate = resolved / in_competence × 100``, ``on_time_rate = resolved_on_time / resolved
  × 100``, both rounded half-up to one decimal; ``None`` when the denominator is 0.
* With ``compare=True`` each row also carries ``previous_year`` (received, resolved, resolution rate
  of the same period a year earlier) and ``change`` (the differences; the rate in percentage points).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import CaseKind, CaseState, DeadlineKind, DeadlineStatus
from ..models import Case, ReportIrregularCase, Unit
from . import summary
from .compiled import compiled_rows
from .periods import Period, ReportError, rate
from .scope import GROUP_BY_LEVEL, Grouping, Report, Scope, _finish_rows, _row_key, _sum

RESOLUTION_COUNTS = (
    "received",
    "carried_over",
    "newly_accepted",
    "in_competence",
    "resolved",
    "resolved_on_time",
    "overdue",
)


def _in_competence(f: date, t: date) -> Q:
    """Accepted by `t` and not ended before `f` (see module doc); `res` is the resolution deadline."""
    return (
        Q(accepted_at__lte=t)
        & ~Q(state=CaseState.TRANSFERRED)
        & (Q(decided_at__isnull=True) | Q(decided_at__gte=f))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=f))
        & (Q(res__completed_on__isnull=True) | Q(res__completed_on__gte=f))
    )


def _decided_in(f: date, t: date) -> Q:
    return Q(decided_at__gte=f, decided_at__lte=t)


def _withdrawn_in(f: date, t: date) -> Q:
    return Q(state=CaseState.WITHDRAWN, accepted_at__isnull=False, closed_at__gte=f, closed_at__lte=t)


def _resolved(f: date, t: date) -> Q:
    return _in_competence(f, t) & (_decided_in(f, t) | _withdrawn_in(f, t))


def _resolution_aggregates(f: date, t: date, as_of: date | None = None) -> dict[str, Count]:
    """`as_of`: the day overdue is counted on; min(t, today) unless given."""
    ic = _in_competence(f, t)
    on_time = (
        _decided_in(f, t) & Q(res__status=DeadlineStatus.MET, res__completed_on__lte=F("res__due_date"))
    ) | (_withdrawn_in(f, t) & (Q(res__due_date__isnull=True) | Q(closed_at__lte=F("res__due_date"))))
    # Not resolved in the period, written positively (in-competence cases cannot end before f).
    in_progress = (Q(decided_at__isnull=True) | Q(decided_at__gt=t)) & (
        ~Q(state=CaseState.WITHDRAWN) | Q(closed_at__isnull=True) | Q(closed_at__gt=t)
    )
    return {
        "received": Count("pk", filter=Q(received_at__gte=f, received_at__lte=t)),
        "carried_over": Count("pk", filter=ic & Q(accepted_at__lt=f)),
        "newly_accepted": Count("pk", filter=ic & Q(accepted_at__gte=f)),
        "in_competence": Count("pk", filter=ic),
        "resolved": Count("pk", filter=ic & (_decided_in(f, t) | _withdrawn_in(f, t))),
        "resolved_on_time": Count("pk", filter=ic & on_time),
        # As of date_to, or today for a period that has not ended yet.
        "overdue": Count(
            "pk",
            filter=ic
            & in_progress
            & Q(res__due_date__lt=min(t, timezone.localdate()) if as_of is None else as_of),
        ),
    }


def resolution_queryset(
    *, period: Period, grouping: Grouping, kind: str | None = None, by_kind: bool = True
) -> QuerySet:
    """The single grouped aggregate query behind `resolution_rates` (exposed for the benchmark)."""
    return _resolution_queryset(period.date_from, period.date_to, None, grouping, kind, by_kind)


def _resolution_queryset(
    f: date, t: date, as_of: date | None, grouping: Grouping, kind: str | None, by_kind: bool
) -> QuerySet:
    qs = Case.objects.annotate(
        res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
    ).filter(grouping.filter_q("unit__path"))
    if kind:
        qs = qs.filter(kind=kind)
    # Only rows that can count: received in the period, or in competence during it.
    qs = qs.filter(Q(received_at__gte=f, received_at__lte=t) | _in_competence(f, t))
    group = ("key", "kind") if by_kind else ("key",)
    return (
        qs.annotate(key=grouping.key_expression("unit__"))
        .values(*group)
        .annotate(**_resolution_aggregates(f, t, as_of))
        .order_by()
    )


# `resolution_queryset`'s query compiled once per shape (database, grouping, kind) and run with the
# period's days in place (casework.reports.compiled): building its seven filtered counts costs Django
# several times what the database takes to answer them over a unit's cases.
_COMPILED: dict[tuple, tuple | None] = {}


def _compiled_rows(
    alias: str, f: date, t: date, grouping: Grouping, kind: str | None, irregular: bool = False
) -> list[dict]:
    """The rows of `resolution_queryset(period=[f, t], grouping, kind)`, read on database `alias`; with
    `irregular`, of the summaries' irregular cases only (casework.reports.summary)."""
    within = grouping.within.path if grouping.within is not None else None
    key = (grouping.by, within, grouping.scope.everything, grouping.scope.paths, kind, irregular)

    def build(days: list) -> QuerySet:
        qs = _resolution_queryset(days[0], days[1], days[2], grouping, kind, True)
        if irregular:
            qs = qs.filter(pk__in=ReportIrregularCase.objects.values("case_id"))
        return qs

    return compiled_rows(_COMPILED, key, alias, (f, t, min(t, timezone.localdate())), build)


def _with_resolution_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["in_progress"] = row["in_competence"] - row["resolved"]
    row["resolution_rate"] = rate(row["resolved"], row["in_competence"])
    row["on_time_rate"] = rate(row["resolved_on_time"], row["resolved"])
    return row


def _compare(row: dict[str, Any], previous: dict[str, Any] | None) -> None:
    prev = previous or {"received": 0, "resolved": 0, "in_competence": 0}
    prev_rate = rate(prev["resolved"], prev["in_competence"])
    row["previous_year"] = {
        "received": prev["received"],
        "resolved": prev["resolved"],
        "resolution_rate": prev_rate,
    }
    row["change"] = {
        "received": row["received"] - prev["received"],
        "resolved": row["resolved"] - prev["resolved"],
        "resolution_rate": (
            float(Decimal(str(row["resolution_rate"])) - Decimal(str(prev_rate)))
            if row["resolution_rate"] is not None and prev_rate is not None
            else None
        ),
    }


def _validate_kind(kind: str | None) -> None:
    if kind and kind not in CaseKind.values:
        raise ReportError("kind", _("Must be one of: %(c)s.") % {"c": ", ".join(CaseKind.values)})


SOURCE_AUTO, SOURCE_CASES, SOURCE_SUMMARY = "auto", "cases", "summary"


def resolution_rates(
    *,
    period: Period,
    scope: Scope,
    group_by: str = GROUP_BY_LEVEL,
    within: Unit | None = None,
    kind: str | None = None,
    compare: bool = True,
    source: str = SOURCE_AUTO,
) -> Report:
    """Received, in competence, resolved (on time), in progress and overdue, with the two rates, per
    group and case kind; totals over all rows.

    `source`: "auto" reads the report summaries (casework.reports.summary) when they have been built
    (any period: the whole half-months from the summaries, the days of a half-month the period cuts from
    the case table), otherwise the case table; "cases" always reads the case table; "summary" requires
    the summaries. From the summaries the report carries `figures_as_of` (the time up to which they
    count changes), None otherwise."""
    _validate_kind(kind)
    grouping = Grouping(group_by, scope, within)
    as_of, irregular_cases, version = summary.versioned_state() if source != SOURCE_CASES else (None, 0, None)
    use_summary = as_of is not None
    if source == SOURCE_SUMMARY and not use_summary:
        raise ReportError("period", _("The report summaries have not been built yet."))
    today = timezone.localdate()

    periods = [period, period.previous_year()] if compare else [period]
    if use_summary:  # every period in one pass over the summaries
        raws = summary.resolution_rows(
            periods=periods,
            grouping=grouping,
            kind=kind,
            today=today,
            irregular_cases=irregular_cases,
            version=version,
        )
    else:
        alias = Case.objects.all().db  # the replica when the report reads from it
        raws = [_compiled_rows(alias, p.date_from, p.date_to, grouping, kind) for p in periods]
    rows, *previous = (
        [_with_resolution_rates(r) for r in _finish_rows(grouping, raw, RESOLUTION_COUNTS, True)]
        for raw in raws
    )
    totals = _with_resolution_rates({"level": None, "kind": kind, **_sum(rows, RESOLUTION_COUNTS)})
    previous_period = None
    if compare:
        previous_period, previous_rows = periods[1], previous[0]
        by_key = {_row_key(r): r for r in previous_rows}
        for row in rows:
            _compare(row, by_key.get(_row_key(row)))
        _compare(totals, _sum(previous_rows, RESOLUTION_COUNTS))
    report = Report(period, group_by, rows, totals, within, previous_period)
    report.extra["figures_as_of"] = as_of if use_summary else None
    return report

"""Outcomes of the resolved cases (DOMAIN.md §12), per group and case kind.

Over the resolved cases above: complaints right / partly right / wrong, denunciations true / partly
true / untrue, petitions answered, and withdrawn; each also as a share of ``resolved`` (percent, one
decimal).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, FilteredRelation, Q, QuerySet

from ..choices import DeadlineKind, Outcome
from ..models import Case, Unit
from .periods import Period, rate
from .resolution import _decided_in, _resolved, _validate_kind, _withdrawn_in
from .scope import GROUP_BY_LEVEL, Grouping, Report, Scope, _finish_rows, _sum

OUTCOME_CODES = (
    Outcome.RIGHT,
    Outcome.PARTLY_RIGHT,
    Outcome.WRONG,
    Outcome.TRUE,
    Outcome.PARTLY_TRUE,
    Outcome.UNTRUE,
    Outcome.ANSWERED,
)
OUTCOME_COUNTS = ("resolved", *[str(o) for o in OUTCOME_CODES], "withdrawn")


def outcomes_queryset(*, period: Period, grouping: Grouping, kind: str | None = None) -> QuerySet:
    f, t = period.date_from, period.date_to
    qs = Case.objects.annotate(
        res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION))
    ).filter(grouping.filter_q("unit__path"), _resolved(f, t))
    if kind:
        qs = qs.filter(kind=kind)
    decided = _decided_in(f, t)
    aggregates = {"resolved": Count("pk")}
    aggregates.update({str(o): Count("pk", filter=decided & Q(outcome=o)) for o in OUTCOME_CODES})
    aggregates["withdrawn"] = Count("pk", filter=_withdrawn_in(f, t))
    return (
        qs.annotate(key=grouping.key_expression("unit__"))
        .values("key", "kind")
        .annotate(**aggregates)
        .order_by()
    )


def _with_shares(row: dict[str, Any]) -> dict[str, Any]:
    row["shares"] = {m: rate(row[m], row["resolved"]) for m in OUTCOME_COUNTS if m != "resolved"}
    return row


def outcomes(
    *,
    period: Period,
    scope: Scope,
    group_by: str = GROUP_BY_LEVEL,
    within: Unit | None = None,
    kind: str | None = None,
) -> Report:
    """Outcomes of the resolved cases per group and kind, as counts and shares of `resolved`."""
    _validate_kind(kind)
    grouping = Grouping(group_by, scope, within)
    raw = list(outcomes_queryset(period=period, grouping=grouping, kind=kind))
    rows = [_with_shares(r) for r in _finish_rows(grouping, raw, OUTCOME_COUNTS, True)]
    totals = _with_shares({"level": None, "kind": kind, **_sum(rows, OUTCOME_COUNTS)})
    return Report(period, group_by, rows, totals, within)

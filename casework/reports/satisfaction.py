"""Citizens' satisfaction with the service (issue 15), per group: the ratings given in the period.

* ``ratings``: ratings whose ``rated_at`` (local date) lies in the period, counted at the unit that
  decided the rated case;
* ``very_satisfied``, ``satisfied``, ``not_satisfied``: the three levels of the state's index;
* ``satisfaction_rate = (very_satisfied + satisfied) / ratings × 100`` — the share the index
  publishes as "hài lòng" — one decimal, ``None`` without ratings;
* the indicators: ``late`` (the citizen found it later than the legal limit), ``average_contacts``
  (one decimal), ``attitude_poor`` and ``answer_unclear`` (counts of the lowest step).

One grouped query over the ratings joined to their case's unit; no party data, no comment.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ..choices import Quality, Satisfaction, Timeliness
from ..models import ServiceRating, Unit
from ..selectors import day_bounds
from .periods import Period, rate
from .scope import GROUP_BY_LEVEL, Grouping, Report, Scope, _finish_rows, _sum

SATISFACTION_COUNTS = (
    "ratings",
    "very_satisfied",
    "satisfied",
    "not_satisfied",
    "late",
    "contacts",
    "attitude_poor",
    "answer_unclear",
)


def satisfaction_queryset(*, period: Period, grouping: Grouping) -> QuerySet:
    lo, hi = day_bounds(period.date_from, period.date_to)
    return (
        ServiceRating.objects.filter(grouping.filter_q("case__unit__path"), rated_at__gte=lo, rated_at__lt=hi)
        .annotate(key=grouping.key_expression("case__unit__"))
        .values("key")
        .annotate(
            ratings=Count("pk"),
            very_satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.VERY_SATISFIED)),
            satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            not_satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.NOT_SATISFIED)),
            late=Count("pk", filter=Q(timeliness=Timeliness.LATE)),
            contacts=Sum("contacts"),
            attitude_poor=Count("pk", filter=Q(staff_attitude=Quality.POOR)),
            answer_unclear=Count("pk", filter=Q(answer_clarity=Quality.POOR)),
        )
        .order_by()
    )


def with_satisfaction_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["satisfaction_rate"] = rate(row["very_satisfied"] + row["satisfied"], row["ratings"])
    row["average_contacts"] = (
        float((Decimal(row["contacts"]) / Decimal(row["ratings"])).quantize(Decimal("0.1"), ROUND_HALF_UP))
        if row["ratings"]
        else None
    )
    return row


def satisfaction(
    *, period: Period, scope: Scope, group_by: str = GROUP_BY_LEVEL, within: Unit | None = None
) -> Report:
    """The ratings given in the period per authority level or unit, with the satisfaction rate."""
    grouping = Grouping(group_by, scope, within)
    raw = list(satisfaction_queryset(period=period, grouping=grouping))
    rows = [
        with_satisfaction_rates(r) for r in _finish_rows(grouping, raw, SATISFACTION_COUNTS, by_kind=False)
    ]
    totals = with_satisfaction_rates({"level": None, **_sum(rows, SATISFACTION_COUNTS)})
    return Report(period, group_by, rows, totals, within)

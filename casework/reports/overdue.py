"""The overdue audit, its age buckets and the overdue trend (DOMAIN.md §12).

Every open case with a running processing, acceptance, resolution or publication deadline whose due
date is before ``as_of``: reference, unit, kind, deadline kind, due date, days overdue in calendar days
and in working days (casework.rules.calendar: holidays, days off, make-up days), the handler and the
unit head, and the age bucket 1–5, 6–10, 11–30, >30 calendar days. The appeal window is the
citizen's time, not the unit's, so it is not audited. The overdue trend counts, at each month end,
the cases with such a deadline past due and not yet met.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from ..choices import STAFF_DEADLINES, CaseKind
from ..models import Deadline, Unit
from ..rules.calendar import WorkingCalendar
from ..selectors import PkInSet, running_clocks
from . import summary as summaries
from .periods import Period, ReportError, _add_months, _month_end
from .resolution import _validate_kind
from .scope import GROUP_BY_LEVEL, Grouping, Report, Scope

# Deadlines whose lapse is the unit's fault; the appeal window is the citizen's time.
AUDITED_DEADLINES = STAFF_DEADLINES
AGE_BUCKETS = (("1-5", 1, 5), ("6-10", 6, 10), ("11-30", 11, 30), (">30", 31, None))


def bucket_q(label: str, as_of: date) -> Q:
    """Deadlines whose days overdue on `as_of` fall in the age bucket `label` ("6-10", ">30", ...)."""
    for name, lo, hi in AGE_BUCKETS:
        if name == label:
            condition = Q(due_date__lte=as_of - timedelta(days=lo))
            if hi is not None:
                condition &= Q(due_date__gte=as_of - timedelta(days=hi))
            return condition
    raise ReportError("bucket", _("Unknown age bucket."))


def overdue_queryset(
    *,
    scope: Scope,
    as_of: date,
    within: Unit | None = None,
    kind: str | None = None,
    bucket: str | None = None,
) -> QuerySet[Deadline]:
    """Running processing / acceptance / resolution deadlines past due on `as_of`, of open cases,
    optionally only those of one age bucket."""
    _validate_kind(kind)
    grouping = Grouping(GROUP_BY_LEVEL, scope, within)
    # A running clock means an open case: every transition into a final state completes or cancels
    # the case's clocks (workflows.machines), so no state filter (and no scan of all cases) is needed.
    # The overdue clocks first (the partial index of running clocks), then their cases and units by
    # key: PostgreSQL cannot see how few running clocks are past due (status and due date are estimated
    # as independent) and would otherwise hash-join every case of the subtree to count a few hundred.
    overdue = running_clocks(due_before=as_of, kinds=AUDITED_DEADLINES).values("pk")
    qs = Deadline.objects.filter(PkInSet(overdue), grouping.filter_q("case__unit__path"))
    if kind:
        qs = qs.filter(case__kind=kind)
    if bucket:
        qs = qs.filter(bucket_q(bucket, as_of))
    return qs


OVERDUE_FIELDS = (
    "case_id",
    "case__reference",
    "case__kind",
    "case__state",
    "case__unit_id",
    "case__unit__code",
    "case__unit__name",
    "case__unit__level__authority_level",
    "kind",
    "due_date",
    "case__handler__username",
    "case__handler__first_name",
    "case__handler__last_name",
    "case__unit__head__username",
    "case__unit__head__first_name",
    "case__unit__head__last_name",
)


def age_bucket(days_overdue: int) -> str:
    for label, lo, hi in AGE_BUCKETS:
        if days_overdue >= lo and (hi is None or days_overdue <= hi):
            return label
    return AGE_BUCKETS[0][0]


def _person(row: dict[str, Any], prefix: str) -> str:
    full = f"{row[prefix + 'last_name']} {row[prefix + 'first_name']}".strip()
    return full or (row[prefix + "username"] or "")


def overdue_buckets(
    *,
    scope: Scope,
    as_of: date,
    within: Unit | None = None,
    kind: str | None = None,
    by_kind: bool = False,
    bucket: str | None = None,
) -> dict:
    """Counts per age bucket (deadlines and distinct cases) in one aggregate query; with `by_kind`,
    also the deadlines per case kind (of one age bucket, given `bucket`) in that same query."""
    aggregates: dict[str, Count] = {
        "deadlines": Count("pk"),
        "cases": Count("case_id", distinct=True),
    }
    for label, _lo, _hi in AGE_BUCKETS:
        aggregates[f"bucket:{label}"] = Count("pk", filter=bucket_q(label, as_of))
    if by_kind:
        in_bucket = bucket_q(bucket, as_of) if bucket else Q()
        for code in CaseKind.values:
            aggregates[f"kind:{code}"] = Count("pk", filter=in_bucket & Q(case__kind=code))
    data = overdue_queryset(scope=scope, as_of=as_of, within=within, kind=kind).aggregate(**aggregates)
    result = {
        "deadlines": data["deadlines"],
        "cases": data["cases"],
        "buckets": {label: data[f"bucket:{label}"] for label, _lo, _hi in AGE_BUCKETS},
    }
    if by_kind:
        result["kinds"] = {code: data[f"kind:{code}"] for code in CaseKind.values}
    return result


def overdue_audit(
    *,
    scope: Scope,
    as_of: date,
    within: Unit | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    bucket: str | None = None,
) -> Report:
    """Every open case past a running deadline, oldest first, with the days overdue also counted in
    working days of the working calendar."""
    qs = (
        overdue_queryset(scope=scope, as_of=as_of, within=within, kind=kind, bucket=bucket)
        .order_by("due_date", "case_id", "kind")
        .values(*OVERDUE_FIELDS)
    )
    if limit is not None:
        qs = qs[offset : offset + limit]
    calendar = WorkingCalendar.load()
    working: dict[date, int] = {}  # one count per distinct due date, not per row
    rows = []
    for r in qs:
        due = r["due_date"]
        days = (as_of - due).days
        if due not in working:
            # At least 1: past the due date is overdue even if no working day has passed yet.
            working[due] = max(calendar.working_days_between(due, as_of), 1)
        rows.append(
            {
                "case": r["case_id"],
                "reference": r["case__reference"],
                "unit": r["case__unit_id"],
                "unit_code": r["case__unit__code"],
                "unit_name": r["case__unit__name"],
                "level": r["case__unit__level__authority_level"],
                "kind": r["case__kind"],
                "state": r["case__state"],
                "deadline_kind": r["kind"],
                "due_date": due,
                "days_overdue": days,
                "working_days_overdue": working.get(due),
                "handler": _person(r, "case__handler__"),
                "unit_head": _person(r, "case__unit__head__"),
                "age_bucket": age_bucket(days),
            }
        )
    summary = overdue_buckets(scope=scope, as_of=as_of, within=within, kind=kind)
    period = Period(as_of, as_of, f"{as_of:%d/%m/%Y}")
    grouping = Grouping(GROUP_BY_LEVEL, scope, within)  # validates `within` against the scope
    return Report(
        period,
        grouping.by,
        rows,
        summary,
        within,
        extra={
            "as_of": as_of,
            "count": summary["buckets"][bucket] if bucket else summary["deadlines"],
            "offset": offset,
            "limit": limit,
        },
    )


def month_end_points(as_of: date, months: int = 12) -> list[date]:
    """The ends of the `months` - 1 months before `as_of`'s month, then `as_of` itself."""
    points = []
    for back in range(months - 1, 0, -1):
        y, m = _add_months(as_of.year, as_of.month, -back)
        points.append(_month_end(y, m))
    points.append(as_of)
    return points


def overdue_trend(
    *, scope: Scope, as_of: date, within: Unit | None = None, months: int = 12, source: str = "auto"
) -> list[dict[str, Any]]:
    """Open cases overdue at each month end (one query, one conditional count per point): a case is
    overdue at the end of day D when an audited deadline of it was due before D and was not met or
    stopped by D. Read from the report summaries once they are built (for `as_of` today or a month end),
    so as of their last refresh like the resolution report (`source`: "cases" always the deadline
    table, "summary" the summaries, known to be built)."""
    points = month_end_points(as_of, months)
    grouping = Grouping(GROUP_BY_LEVEL, scope, within)
    if summaries.answers_trend(as_of) and (
        source == "summary" or (source != "cases" and summaries.as_of() is not None)
    ):
        counts = summaries.overdue_trend_counts(points=points, grouping=grouping)
        return [{"date": d, "overdue": n} for d, n in zip(points, counts, strict=True)]
    qs = Deadline.objects.filter(
        grouping.filter_q("case__unit__path"),
        kind__in=AUDITED_DEADLINES,
        due_date__lt=points[-1],
    ).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=points[0]))
    aggregates = {
        f"p{i}": Count(
            "case_id",
            distinct=True,
            filter=Q(due_date__lt=d) & (Q(completed_on__isnull=True) | Q(completed_on__gt=d)),
        )
        for i, d in enumerate(points)
    }
    data = qs.aggregate(**aggregates)
    return [{"date": d, "overdue": data[f"p{i}"]} for i, d in enumerate(points)]

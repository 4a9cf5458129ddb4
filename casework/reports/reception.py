"""Citizen reception activity and the heads' reception and dialogue obligations (DOMAIN.md §§10, 12).

Per unit, rolled up per group: visits (reception book lines with ``visited_at`` in the period),
visitors (sum of ``visitor_count``), group visits, cases opened at the desk (cases linked to a visit
and received on the day of the visit), the days the head received citizens in person (distinct local
dates of visits with ``received_by_head``), the days required (the rule in force for the unit's level,
per month, prorated by the share of each month inside the period — a cut-off quarter is exactly three
months), ``head_reception_compliance = days held / days required × 100``, and periodic dialogues held
vs required (the yearly obligation prorated by the days of the period; held means a periodic
dialogue recorded or a dialogue conference held). The rule values are read
from casework.rules.policy (the rule in force on each day counted).
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from ..choices import AuthorityLevel, ConferenceStatus, DialogueKind
from ..models import Dialogue, DialogueConference, Unit, Visit
from ..rules import policy
from ..selectors import day_bounds
from .periods import Period
from .scope import GROUP_BY_LEVEL, Grouping, Report, Scope, _finish_rows, _sum

RECEPTION_COUNTS = ("visits", "visitors", "group_visits", "cases_opened", "head_days_held")

# Which legal parameter sets the head's personal reception days for a level (DOMAIN.md §10). The
# district level has none since 1/7/2025; its rows simply have no requirement.
HEAD_RECEPTION_PARAMETER = {
    AuthorityLevel.COMMUNE: "reception.commune_chair.days_per_month",
    AuthorityLevel.PROVINCE: "reception.province_chair.days_per_month",
    AuthorityLevel.CENTRAL: "reception.agency_head.days_per_month",
}
AGENCY_HEAD_PARAMETER = "reception.agency_head.days_per_month"
PERIODIC_DIALOGUE_PARAMETER = {AuthorityLevel.COMMUNE: "dialogue.commune.per_year"}


def _value_or_none(code: str | None, on: date) -> Any:
    if code is None:
        return None
    try:
        return policy.legal_value(code, on)
    except policy.RuleNotFound:  # the rule was not yet in force
        return None


def head_reception_days_per_month(authority_level: str, is_agency: bool, on: date) -> int | None:
    """Days a month the head must receive citizens in person, under the rule in force on `on`."""
    code = AGENCY_HEAD_PARAMETER if is_agency else HEAD_RECEPTION_PARAMETER.get(authority_level)
    return _value_or_none(code, on)


def periodic_dialogues_per_year(authority_level: str, is_agency: bool, on: date) -> int | None:
    """Periodic dialogues with citizens the head must hold a year, under the rule in force on `on`."""
    if is_agency:
        return None
    return _value_or_none(PERIODIC_DIALOGUE_PARAMETER.get(authority_level), on)


def _required_days(period: Period, level: str, is_agency: bool) -> Decimal | None:
    total, any_rule = Decimal(0), False
    for first_day, share in period.month_shares():
        value = head_reception_days_per_month(level, is_agency, first_day)
        if value is not None:
            any_rule = True
            total += Decimal(value) * share
    return total if any_rule else None


def _required_dialogues(period: Period, level: str, is_agency: bool) -> Decimal:
    total, day = Decimal(0), period.date_from
    while day <= period.date_to:  # per year touched, prorated by the days of that year in the period
        year_end = date(day.year, 12, 31)
        hi = min(year_end, period.date_to)
        value = periodic_dialogues_per_year(level, is_agency, day) or 0
        days_in_year = 366 if pycalendar.isleap(day.year) else 365
        total += Decimal(value) * Decimal((hi - day).days + 1) / Decimal(days_in_year)
        day = hi + timedelta(days=1)
    return total


def _one_decimal(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.1"), ROUND_HALF_UP))


def reception_activity(
    *,
    period: Period,
    scope: Scope,
    group_by: str = GROUP_BY_LEVEL,
    within: Unit | None = None,
) -> Report:
    """Visits, visitors, group visits and cases opened, with the heads' reception compliance and the
    periodic dialogues, per group. Compliance is each head's own obligation, so the figures are
    aggregated per unit (three grouped queries) and the unit rows are rolled up to the groups."""
    grouping = Grouping(group_by, scope, within)
    start, end = period.date_from, period.date_to
    units = list(
        Unit.objects.filter(grouping.filter_q("path"), is_active=True)
        .annotate(key=grouping.key_expression(""))
        .values("pk", "key", "level__authority_level", "level__is_agency")
    )
    lo, hi = day_bounds(start, end)
    visits = {
        r["unit"]: r
        for r in Visit.objects.filter(grouping.filter_q("unit__path"), visited_at__gte=lo, visited_at__lt=hi)
        .annotate(day=TruncDate("visited_at"))  # the local (Asia/Ho_Chi_Minh) date
        .values("unit")
        .annotate(
            visits=Count("pk"),
            visitors=Sum("visitor_count"),
            group_visits=Count("pk", filter=Q(is_group=True)),
            head_days_held=Count("day", distinct=True, filter=Q(received_by_head=True)),
        )
        .order_by()
    }
    opened = {
        r["visit__unit"]: r["n"]
        for r in Visit.cases.through.objects.filter(
            grouping.filter_q("visit__unit__path"), visit__visited_at__gte=lo, visit__visited_at__lt=hi
        )
        .annotate(day=TruncDate("visit__visited_at"))
        .filter(case__received_at=F("day"))
        .values("visit__unit")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    }
    dialogues = {
        r["unit"]: r["n"]
        for r in Dialogue.objects.filter(
            grouping.filter_q("unit__path"), kind=DialogueKind.PERIODIC, held_at__gte=lo, held_at__lt=hi
        )
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    }

    # A commune's dialogue conference held in the period is its periodic dialogue too.
    for r in (
        DialogueConference.objects.filter(
            grouping.filter_q("unit__path"),
            status=ConferenceStatus.HELD,
            held_on__gte=start,
            held_on__lte=end,
        )
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        dialogues[r["unit"]] = dialogues.get(r["unit"], 0) + r["n"]

    groups: dict[str, dict[str, Any]] = {}
    for u in units:  # units, not cases: a few hundred rows at most per report
        g = groups.setdefault(
            u["key"],
            {
                **dict.fromkeys(RECEPTION_COUNTS, 0),
                "head_days_required": Decimal(0),
                "dialogues_held": 0,
                "dialogues_required": Decimal(0),
            },
        )
        v = visits.get(u["pk"], {})
        for m in ("visits", "visitors", "group_visits", "head_days_held"):
            g[m] += v.get(m) or 0
        g["cases_opened"] += opened.get(u["pk"], 0)
        g["dialogues_held"] += dialogues.get(u["pk"], 0)
        level, agency = u["level__authority_level"], u["level__is_agency"]
        required = _required_days(period, level, agency)
        if required is not None:
            g["head_days_required"] += required
        g["dialogues_required"] += _required_dialogues(period, level, agency)

    raw = [{"key": k, **v} for k, v in groups.items()]
    metrics = (*RECEPTION_COUNTS, "head_days_required", "dialogues_held", "dialogues_required")
    rows = _finish_rows(grouping, raw, metrics, by_kind=False)
    totals = {"level": None, **_sum(rows, metrics)}
    for row in (*rows, totals):
        held, required = row["head_days_held"], row["head_days_required"]
        row["head_reception_compliance"] = _one_decimal(Decimal(held) * 100 / required) if required else None
        row["head_days_required"] = _one_decimal(Decimal(required))
        row["dialogues_required"] = _one_decimal(Decimal(row["dialogues_required"]))
    return Report(period, group_by, rows, totals, within)

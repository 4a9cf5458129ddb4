"""Monitoring reports (DOMAIN.md §12): resolution and on-time rates, outcomes, reception activity, the
overdue audit and the overdue trend. Every figure is a conditional aggregate computed by the database
(COUNT ... FILTER (WHERE ...) grouped by authority level or by unit); Python only sums the handful of
grouped rows and divides.

Periods
-------
A period is ``date_from .. date_to``, both days included. Helpers build calendar periods (month,
quarter, 6 months, 9 months, year) and the reporting periods of Circular 01/2024/TT-TTCP, whose data
run from the 15th of the month before the period's first month to the 14th of its last month: Q1 is
15/12 of the prior year – 14/03, 6M 15/12 – 14/06, 9M 15/12 – 14/09, the year 15/12 – 14/12; a
cut-off quarter Q2 is 15/03 – 14/06, a cut-off month is 15/(m-1) – 14/m. Any other range works too.
``Period.previous_year()`` is the same period a year earlier (29 February becomes the 28th).

Resolution figures, per group and case kind
-------------------------------------------
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

Outcomes
--------
Over the resolved cases above: complaints right / partly right / wrong, denunciations true / partly
true / untrue, petitions answered, and withdrawn; each also as a share of ``resolved`` (percent, one
decimal).

Reception activity
------------------
Per unit, rolled up per group: visits (reception book lines with ``visited_at`` in the period),
visitors (sum of ``visitor_count``), group visits, cases opened at the desk (cases linked to a visit
and received on the day of the visit), the days the head received citizens in person (distinct local
dates of visits with ``received_by_head``), the days required (the rule in force for the unit's level,
per month, prorated by the share of each month inside the period — a cut-off quarter is exactly three
months), ``head_reception_compliance = days held / days required × 100``, and periodic dialogues held
vs required (the yearly obligation prorated by the days of the period). The rule values come from
casework.rules.policy; this module takes them as a callable so that casework does not import workflows
(see workflows.reports_reception).

Overdue audit
-------------
Every open case with a running processing, acceptance or resolution deadline whose due date is before
``as_of``: reference, unit, kind, deadline kind, due date, days overdue in calendar days and (given a
working-day counter) working days, the handler and the unit head, and the age bucket 1–5, 6–10, 11–30,
>30 calendar days. The appeal window is the citizen's time, not the unit's, so it is not audited.
The overdue trend counts, at each month end, the cases with such a deadline past due and not yet met.

Grouping and scope
------------------
``group_by="level"`` groups by the resolver's authority level (``unit.level.authority_level``).
``group_by="unit"`` rolls subtrees up: with ``within=<unit>`` one row for the unit's own cases plus
one row per direct child unit covering that child's whole subtree, so the rows of a province are its
own office, each department and each commune, and their sum is the province's subtree; without
``within`` the rows are the user's scope roots (or, for a single root, as if ``within`` were that
root; for a system administrator the top-level units). The roll-up key is computed in SQL from the
materialized path, so it stays one grouped query. Resolution and outcome rows exist where there are
cases; reception rows cover every active unit (a head who received no one still owes the days).
Reports never contain a denouncer's identity: they read no party data at all.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case as SQLCase
from django.db.models import (
    CharField,
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models import When as SQLWhen
from django.db.models.functions import StrIndex, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import is_system_admin, memberships
from .choices import (
    AuthorityLevel,
    CaseKind,
    CaseState,
    DeadlineKind,
    DeadlineStatus,
    DialogueKind,
    Outcome,
    Role,
)
from .models import Case, Deadline, Dialogue, Unit, Visit

GROUP_BY_LEVEL = "level"
GROUP_BY_UNIT = "unit"
GROUP_CHOICES = (GROUP_BY_LEVEL, GROUP_BY_UNIT)

# Who may read reports, over the subtree of the unit where they hold the role (DOMAIN.md §13).
REPORT_ROLES = frozenset({Role.MONITOR, Role.UNIT_HEAD, Role.ADMINISTRATOR})

LEVEL_ORDER = {code: i for i, code in enumerate(AuthorityLevel.values)}  # central first
KIND_ORDER = {code: i for i, code in enumerate(CaseKind.values)}

# Deadlines whose lapse is the unit's fault; the appeal window is the citizen's time.
AUDITED_DEADLINES = (
    DeadlineKind.PROCESSING,
    DeadlineKind.ACCEPTANCE,
    DeadlineKind.RESOLUTION,
    DeadlineKind.PUBLICATION,
)
# Periods outside these years are input errors (and would overflow date arithmetic a year away).
MIN_YEAR, MAX_YEAR = 1901, 2999
AGE_BUCKETS = (("1-5", 1, 5), ("6-10", 6, 10), ("11-30", 11, 30), (">30", 31, None))


class ReportError(ValueError):
    """Invalid report parameters; `field` names the offending input."""

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


# --- Periods ------------------------------------------------------------------------------------


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> date:
    return date(year, month, pycalendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ReportError("date_from", _("The start date is after the end date."))
        for name in ("date_from", "date_to"):
            if not MIN_YEAR <= getattr(self, name).year <= MAX_YEAR:
                raise ReportError(
                    name,
                    _("Dates run from %(lo)d to %(hi)d.") % {"lo": MIN_YEAR, "hi": MAX_YEAR},
                    "invalid_period",
                )

    def previous_year(self) -> Period:
        label = _("%(label)s, a year earlier") % {"label": self.label} if self.label else ""
        date_to = _shift_year(self.date_to, -1)
        if self.date_to == _month_end(self.date_to.year, self.date_to.month):
            date_to = _month_end(date_to.year, date_to.month)  # February of a leap year ends on the 29th
        return Period(_shift_year(self.date_from, -1), date_to, label)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def month_shares(self) -> list[tuple[date, Decimal]]:
        """(first day of the period inside each month, share of that month inside the period)."""
        shares = []
        year, month = self.date_from.year, self.date_from.month
        while date(year, month, 1) <= self.date_to:
            first, last = date(year, month, 1), _month_end(year, month)
            lo, hi = max(first, self.date_from), min(last, self.date_to)
            shares.append((lo, Decimal((hi - lo).days + 1) / Decimal(last.day)))
            year, month = _add_months(year, month, 1)
        return shares

    def as_dict(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "date_to": self.date_to, "label": self.label}


def custom_period(date_from: date, date_to: date) -> Period:
    return Period(date_from, date_to, f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}")


def calendar_month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month), f"{month:02d}/{year}")


def calendar_quarter(year: int, quarter: int) -> Period:
    _check_quarter(quarter)
    first = 3 * quarter - 2
    return Period(date(year, first, 1), _month_end(year, first + 2), f"Q{quarter}/{year}")


def calendar_months(year: int, months: int) -> Period:
    """The first `months` months of the year: 6 → first half, 9 → nine months, 12 → the year."""
    _check_months(months)
    return Period(date(year, 1, 1), _month_end(year, months), _months_label(year, months))


def cutoff_month(year: int, month: int) -> Period:
    """Circular 01/2024 month: 15th of the previous month to the 14th of `month`."""
    py, pm = _add_months(year, month, -1)
    return Period(date(py, pm, 15), date(year, month, 14), f"{month:02d}/{year} (15–14)")


def cutoff_quarter(year: int, quarter: int) -> Period:
    """Circular 01/2024 quarter: Q1 15/12 (prior year) – 14/03, Q2 15/03 – 14/06, ..."""
    _check_quarter(quarter)
    first = 3 * quarter - 2
    py, pm = _add_months(year, first, -1)
    return Period(date(py, pm, 15), date(year, first + 2, 14), f"Q{quarter}/{year} (15–14)")


def cutoff_months(year: int, months: int) -> Period:
    """Circular 01/2024 cumulative period: 15/12 of the prior year to the 14th of the last month
    (3 → Q1, 6 → 6M, 9 → 9M, 12 → the year)."""
    _check_months(months)
    return Period(date(year - 1, 12, 15), date(year, months, 14), _months_label(year, months) + " (15–14)")


def _check_quarter(quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ReportError("period", _("A quarter is 1 to 4."))


def _check_months(months: int) -> None:
    if months not in (3, 6, 9, 12):
        raise ReportError("period", _("A cumulative period is 3, 6, 9 or 12 months."))


def _months_label(year: int, months: int) -> str:
    return str(year) if months == 12 else f"{months}M/{year}"


def parse_period(spec: str, *, cutoff: bool = True) -> Period:
    """ "2025" (year), "2025-6M", "2025-9M", "2025-Q2", "2025-03" (month); `cutoff` picks the
    Circular 01/2024 cut-off (15th–14th) or plain calendar boundaries."""
    spec = (spec or "").strip().upper()
    try:
        year_part, _sep, rest = spec.partition("-")
        year = int(year_part)
        if not MIN_YEAR < year <= MAX_YEAR:
            raise ValueError
        if not rest:
            return cutoff_months(year, 12) if cutoff else calendar_months(year, 12)
        if rest.endswith("M"):
            months = int(rest[:-1])
            return cutoff_months(year, months) if cutoff else calendar_months(year, months)
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            return cutoff_quarter(year, quarter) if cutoff else calendar_quarter(year, quarter)
        month = int(rest)
        if not 1 <= month <= 12:
            raise ValueError
        return cutoff_month(year, month) if cutoff else calendar_month(year, month)
    except ValueError:
        raise ReportError(
            "period", _("Use YYYY, YYYY-6M, YYYY-9M, YYYY-Q1..Q4 or YYYY-MM."), code="invalid_period"
        ) from None


def _day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Aware datetimes bounding local days date_from..date_to, so timestamp filters use their index."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    return start, timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))


def rate(numerator: int, denominator: int) -> float | None:
    """Percentage with one decimal, rounded half-up; None when there is nothing to divide by."""
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


# --- Scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The unit subtrees a report may cover: materialized-path prefixes, or everything."""

    paths: tuple[str, ...] = ()
    everything: bool = False

    @classmethod
    def for_user(cls, user) -> Scope | None:
        """The subtrees where `user` monitors, heads or administers; None if they may read no report."""
        if is_system_admin(user):
            return cls(everything=True)
        paths = {m.unit.path for m in memberships(user) if m.role in REPORT_ROLES}
        if not paths:
            return None
        roots = sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
        return cls(paths=tuple(roots))

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def covers(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.paths)

    def q(self, path_field: str) -> Q:
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in self.paths))


def resolve_within(scope: Scope, unit_id: Any) -> Unit:
    """The unit a report is restricted to; ReportError(code="not_found") if it is outside the scope,
    indistinguishable from a unit that does not exist."""
    try:
        unit = Unit.objects.select_related("level").get(pk=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        unit = None
    if unit is None or not scope.covers(unit):
        raise ReportError("within", _("No such unit."), code="not_found")
    return unit


# --- Grouping -----------------------------------------------------------------------------------


@dataclass
class Grouping:
    """How rows are keyed: by authority level, or by unit with subtree roll-up (see module doc)."""

    by: str
    scope: Scope
    within: Unit | None = None
    _units: dict[str, Unit] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.by not in GROUP_CHOICES:
            raise ReportError("group_by", _("Group by level or unit."))
        if self.within is not None and not self.scope.covers(self.within):
            raise ReportError("within", _("No such unit."), code="not_found")

    # The anchor whose direct children become rows ("/" is the virtual national root).
    @property
    def anchor_path(self) -> str | None:
        if self.within is not None:
            return self.within.path
        if self.scope.everything:
            return "/"
        if len(self.scope.paths) == 1:
            return self.scope.paths[0]
        return None  # several roots: one rolled-up row per root

    def filter_q(self, path_field: str) -> Q:
        if self.within is not None:
            return Q(**{f"{path_field}__startswith": self.within.path})
        return self.scope.q(path_field)

    def key_expression(self, unit_prefix: str):
        """SQL expression of the row key for a row whose unit is reached through `unit_prefix`."""
        if self.by == GROUP_BY_LEVEL:
            return F(f"{unit_prefix}level__authority_level")
        path = F(f"{unit_prefix}path")
        anchor = self.anchor_path
        if anchor is None:
            return SQLCase(
                *[SQLWhen(**{f"{unit_prefix}path__startswith": p}, then=Value(p)) for p in self.scope.paths],
                output_field=CharField(),
            )
        # The prefix up to the next "/" after the anchor: the direct child's path, or the anchor's own
        # path for the anchor's own rows (StrIndex is 0 there, so no negative length is ever asked).
        rest = Substr(path, len(anchor) + 1)
        return Substr(path, 1, Value(len(anchor)) + StrIndex(rest, Value("/")), output_field=CharField())

    def describe(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Row labels for the keys the query returned."""
        keys = [k for k in keys if k is not None]
        if self.by == GROUP_BY_LEVEL:
            return {k: {"level": k} for k in keys}
        units = {u.path: u for u in Unit.objects.filter(path__in=keys).select_related("level")}
        self._units.update(units)
        anchor = self.anchor_path
        described = {}
        for k in keys:
            unit = units.get(k)
            if unit is None:
                continue
            described[k] = {
                "level": unit.level.authority_level,
                "unit": unit.pk,
                "unit_code": unit.code,
                "unit_name": unit.name,
                "includes_subtree": anchor is None or unit.path != anchor,
            }
        return described

    def sort_key(self, described: dict[str, Any]):
        if self.by == GROUP_BY_LEVEL:
            return (LEVEL_ORDER.get(described["level"], 99),)
        # The anchor's own row first, then children by level and name.
        return (
            described["includes_subtree"],
            LEVEL_ORDER.get(described["level"], 99),
            described["unit_name"],
        )


def _finish_rows(
    grouping: Grouping, raw: list[dict], metrics: tuple[str, ...], by_kind: bool
) -> list[dict[str, Any]]:
    """Attach labels to the grouped rows, drop keys outside the tree, sort."""
    described = grouping.describe({r["key"] for r in raw})
    rows = []
    for r in raw:
        label = described.get(r["key"])
        if label is None:
            continue
        row = dict(label)
        if by_kind:
            row["kind"] = r["kind"]
        row.update({m: r[m] or 0 for m in metrics})
        rows.append(row)
    rows.sort(key=lambda row: (*grouping.sort_key(row), KIND_ORDER.get(row.get("kind"), 99)))
    return rows


def _row_key(row: dict[str, Any]) -> tuple:
    return (row.get("level"), row.get("unit"), row.get("kind"))


def _sum(rows: list[dict], metrics: Iterable[str]) -> dict[str, int]:
    return {m: sum(r.get(m) or 0 for r in rows) for m in metrics}


@dataclass
class Report:
    period: Period
    group_by: str
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    within: Unit | None = None
    previous_period: Period | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "period": self.period.as_dict(),
            "group_by": self.group_by,
            "within": self.within.pk if self.within else None,
            "rows": self.rows,
            "totals": self.totals,
        }
        if self.previous_period is not None:
            data["previous_period"] = self.previous_period.as_dict()
        data.update(self.extra)
        return data


# --- Resolution rates ---------------------------------------------------------------------------

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


def _resolution_aggregates(f: date, t: date) -> dict[str, Count]:
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
        "overdue": Count("pk", filter=ic & in_progress & Q(res__due_date__lt=min(t, timezone.localdate()))),
    }


def resolution_queryset(
    *, period: Period, grouping: Grouping, kind: str | None = None, by_kind: bool = True
) -> QuerySet:
    """The single grouped aggregate query behind `resolution_rates` (exposed for the benchmark)."""
    f, t = period.date_from, period.date_to
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
        .annotate(**_resolution_aggregates(f, t))
        .order_by()
    )


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


def resolution_rates(
    *,
    period: Period,
    scope: Scope,
    group_by: str = GROUP_BY_LEVEL,
    within: Unit | None = None,
    kind: str | None = None,
    compare: bool = True,
) -> Report:
    """Received, in competence, resolved (on time), in progress and overdue, with the two rates, per
    group and case kind; totals over all rows."""
    _validate_kind(kind)
    grouping = Grouping(group_by, scope, within)

    def rows_for(p: Period) -> list[dict[str, Any]]:
        raw = list(resolution_queryset(period=p, grouping=grouping, kind=kind))
        return [_with_resolution_rates(r) for r in _finish_rows(grouping, raw, RESOLUTION_COUNTS, True)]

    rows = rows_for(period)
    totals = _with_resolution_rates({"level": None, "kind": kind, **_sum(rows, RESOLUTION_COUNTS)})
    previous_period = None
    if compare:
        previous_period = period.previous_year()
        previous_rows = rows_for(previous_period)
        by_key = {_row_key(r): r for r in previous_rows}
        for row in rows:
            _compare(row, by_key.get(_row_key(row)))
        _compare(totals, _sum(previous_rows, RESOLUTION_COUNTS))
    return Report(period, group_by, rows, totals, within, previous_period)


# --- Outcomes -----------------------------------------------------------------------------------

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


# --- Reception activity -------------------------------------------------------------------------

RECEPTION_COUNTS = ("visits", "visitors", "group_visits", "cases_opened", "head_days_held")
# (authority level, is agency, first day of a month) -> the head's days per month; None: no rule.
DaysPerMonth = Callable[[str, bool, date], "int | Decimal | None"]
# (authority level, is agency, a day) -> periodic dialogues required per year; None or 0: none.
DialoguesPerYear = Callable[[str, bool, date], "int | Decimal | None"]


def _required_days(period: Period, level: str, is_agency: bool, per_month: DaysPerMonth) -> Decimal | None:
    total, any_rule = Decimal(0), False
    for first_day, share in period.month_shares():
        value = per_month(level, is_agency, first_day)
        if value is not None:
            any_rule = True
            total += Decimal(value) * share
    return total if any_rule else None


def _required_dialogues(
    period: Period, level: str, is_agency: bool, per_year: DialoguesPerYear | None
) -> Decimal:
    if per_year is None:
        return Decimal(0)
    total, day = Decimal(0), period.date_from
    while day <= period.date_to:  # per year touched, prorated by the days of that year in the period
        year_end = date(day.year, 12, 31)
        hi = min(year_end, period.date_to)
        value = per_year(level, is_agency, day) or 0
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
    head_days_per_month: DaysPerMonth,
    dialogues_per_year: DialoguesPerYear | None = None,
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
    lo, hi = _day_bounds(start, end)
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
        required = _required_days(period, level, agency, head_days_per_month)
        if required is not None:
            g["head_days_required"] += required
        g["dialogues_required"] += _required_dialogues(period, level, agency, dialogues_per_year)

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


# --- Overdue audit and trend --------------------------------------------------------------------


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
    qs = Deadline.objects.filter(
        grouping.filter_q("case__unit__path"),
        status=DeadlineStatus.RUNNING,
        due_date__lt=as_of,
        kind__in=AUDITED_DEADLINES,
    )
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
    *, scope: Scope, as_of: date, within: Unit | None = None, kind: str | None = None
) -> dict:
    """Counts per age bucket (deadlines and distinct cases) in one aggregate query."""
    aggregates: dict[str, Count] = {
        "deadlines": Count("pk"),
        "cases": Count("case_id", distinct=True),
    }
    for label, _lo, _hi in AGE_BUCKETS:
        aggregates[f"bucket:{label}"] = Count("pk", filter=bucket_q(label, as_of))
    data = overdue_queryset(scope=scope, as_of=as_of, within=within, kind=kind).aggregate(**aggregates)
    return {
        "deadlines": data["deadlines"],
        "cases": data["cases"],
        "buckets": {label: data[f"bucket:{label}"] for label, _lo, _hi in AGE_BUCKETS},
    }


def overdue_audit(
    *,
    scope: Scope,
    as_of: date,
    within: Unit | None = None,
    kind: str | None = None,
    working_days_between: Callable[[date, date], int] | None = None,
    limit: int | None = None,
    offset: int = 0,
    bucket: str | None = None,
) -> Report:
    """Every open case past a running deadline, oldest first. `working_days_between(a, b)` counts the
    working days in (a, b]; without it the working-day column is None."""
    qs = (
        overdue_queryset(scope=scope, as_of=as_of, within=within, kind=kind, bucket=bucket)
        .order_by("due_date", "case_id", "kind")
        .values(*OVERDUE_FIELDS)
    )
    if limit is not None:
        qs = qs[offset : offset + limit]
    working: dict[date, int] = {}  # one count per distinct due date, not per row
    rows = []
    for r in qs:
        due = r["due_date"]
        days = (as_of - due).days
        if working_days_between is not None and due not in working:
            # At least 1: past the due date is overdue even if no working day has passed yet.
            working[due] = max(working_days_between(due, as_of), 1)
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
    *, scope: Scope, as_of: date, within: Unit | None = None, months: int = 12
) -> list[dict[str, Any]]:
    """Open cases overdue at each month end (one query, one conditional count per point): a case is
    overdue at the end of day D when an audited deadline of it was due before D and was not met or
    stopped by D."""
    points = month_end_points(as_of, months)
    grouping = Grouping(GROUP_BY_LEVEL, scope, within)
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

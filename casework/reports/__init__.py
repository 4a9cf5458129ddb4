"""Monitoring reports (DOMAIN.md §12): resolution and on-time rates, outcomes, reception activity, the
overdue audit and the overdue trend. Every figure is a conditional aggregate computed by the database
(COUNT ... FILTER (WHERE ...) grouped by authority level or by unit); Python only sums the handful of
grouped rows and divides.

One read model, split by job; the definition of every figure is in the module that computes it:
- `periods`: report periods (calendar and Circular 01/2024 cut-off), ReportError, rates;
- `scope`: who a report covers (Scope, resolve_within) and how rows are keyed (Grouping), Report;
- `resolution`: received, in competence, resolved (on time), in progress, overdue and the two rates;
- `outcomes`: outcomes of the resolved cases;
- `reception`: reception activity and the heads' reception days and periodic dialogues;
- `overdue`: the overdue audit, its age buckets and the overdue trend;
- `satisfaction`: the citizens' ratings of the service (three-level index and indicators);
- `conferences`: the communes' dialogue conferences with residents per year (held, on time);
- `statistics`: the statistics forms of Circular 01/2024/TT-TTCP (01/TCD, 01–04/XLD, 01–03/KQGQ).
The names below are the public interface: `from casework import reports; reports.resolution_rates(...)`.
Reports never contain a denouncer's identity: they read no party data at all.
"""

from .conferences import CONFERENCE_COUNTS, conference_compliance
from .outcomes import OUTCOME_CODES, OUTCOME_COUNTS, outcomes, outcomes_queryset
from .overdue import (
    AGE_BUCKETS,
    AUDITED_DEADLINES,
    OVERDUE_FIELDS,
    age_bucket,
    month_end_points,
    overdue_audit,
    overdue_buckets,
    overdue_queryset,
    overdue_trend,
)
from .periods import (
    MAX_YEAR,
    MIN_YEAR,
    PERIOD_PATTERN,
    Period,
    ReportError,
    calendar_month,
    calendar_months,
    calendar_quarter,
    custom_period,
    cutoff_month,
    cutoff_months,
    cutoff_quarter,
    parse_period,
    rate,
)
from .public import cached_public_figures, public_figures
from .reception import (
    RECEPTION_COUNTS,
    head_reception_days_per_month,
    periodic_dialogues_per_year,
    reception_activity,
)
from .resolution import RESOLUTION_COUNTS, resolution_queryset, resolution_rates
from .satisfaction import SATISFACTION_COUNTS, satisfaction, satisfaction_queryset
from .scope import (
    GROUP_BY_LEVEL,
    GROUP_BY_UNIT,
    GROUP_CHOICES,
    KIND_ORDER,
    LEVEL_ORDER,
    REPORT_ROLES,
    Grouping,
    Report,
    Scope,
    resolve_within,
)
from .statistics import FORM_CODES, statistics_form

__all__ = [
    "AGE_BUCKETS",
    "AUDITED_DEADLINES",
    "CONFERENCE_COUNTS",
    "FORM_CODES",
    "GROUP_BY_LEVEL",
    "GROUP_BY_UNIT",
    "GROUP_CHOICES",
    "KIND_ORDER",
    "LEVEL_ORDER",
    "MAX_YEAR",
    "MIN_YEAR",
    "OUTCOME_CODES",
    "OUTCOME_COUNTS",
    "OVERDUE_FIELDS",
    "PERIOD_PATTERN",
    "RECEPTION_COUNTS",
    "REPORT_ROLES",
    "RESOLUTION_COUNTS",
    "SATISFACTION_COUNTS",
    "Grouping",
    "Period",
    "Report",
    "ReportError",
    "Scope",
    "age_bucket",
    "cached_public_figures",
    "calendar_month",
    "calendar_months",
    "calendar_quarter",
    "conference_compliance",
    "custom_period",
    "cutoff_month",
    "cutoff_months",
    "cutoff_quarter",
    "head_reception_days_per_month",
    "month_end_points",
    "outcomes",
    "outcomes_queryset",
    "overdue_audit",
    "overdue_buckets",
    "overdue_queryset",
    "overdue_trend",
    "parse_period",
    "periodic_dialogues_per_year",
    "public_figures",
    "rate",
    "reception_activity",
    "resolution_queryset",
    "resolution_rates",
    "resolve_within",
    "satisfaction",
    "satisfaction_queryset",
    "statistics_form",
]

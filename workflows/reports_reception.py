"""Reports that need the legal rules: the reception report with the heads' required reception days and
periodic dialogues from casework.rules.policy, and the overdue audit counted in working days.

casework.reports holds the selectors and takes the rules as parameters, because casework must not
import workflows (dependencies point api -> workflows -> casework); this module binds them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework import reports
from casework.choices import AuthorityLevel
from casework.models import Unit
from casework.rules import policy
from casework.rules.calendar import WorkingCalendar

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
    if is_agency:
        return None
    return _value_or_none(PERIODIC_DIALOGUE_PARAMETER.get(authority_level), on)


def reception_report(
    *,
    period: reports.Period,
    scope: reports.Scope,
    group_by: str = reports.GROUP_BY_LEVEL,
    within: Unit | None = None,
) -> reports.Report:
    return reports.reception_activity(
        period=period,
        scope=scope,
        group_by=group_by,
        within=within,
        head_days_per_month=head_reception_days_per_month,
        dialogues_per_year=periodic_dialogues_per_year,
    )


def overdue_report(
    *,
    scope: reports.Scope,
    as_of: date,
    within: Unit | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> reports.Report:
    """The overdue audit with days overdue also counted in working days (holidays, days off)."""
    calendar = WorkingCalendar.load()
    return reports.overdue_audit(
        scope=scope,
        as_of=as_of,
        within=within,
        kind=kind,
        working_days_between=calendar.working_days_between,
        limit=limit,
        offset=offset,
    )

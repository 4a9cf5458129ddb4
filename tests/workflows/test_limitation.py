"""The 90-day complaint limitation is a period like any other (issue 10, defect 5): its last day, if
a weekend or holiday, rolls to the next working day (Civil Code 2015 Arts. 148.5, 149.1)."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import CaseState as S
from casework.rules.calendar import WorkingCalendar
from casework.rules.periods import limitation_last_day
from tests.factories import act
from tests.helpers import drive, new_case
from workflows.errors import RuleViolation

KNOWN = date(2026, 1, 31)  # day 90 is Friday 01/05/2026: Labour Day, then a weekend
MONDAY = date(2026, 5, 4)


def test_day_ninety_on_a_holiday_before_a_weekend_rolls_to_monday():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2026, 5, 1))
    assert limitation_last_day(KNOWN, calendar) == MONDAY
    # A last day that is a working day stays where it is: 13/12/2025 + 90 days = Friday 13/03/2026.
    assert limitation_last_day(date(2025, 12, 13), calendar) == date(2026, 3, 13)


def test_complaint_received_on_the_rolled_last_day_is_in_time_and_accepted(org, frozen_today):
    frozen_today(MONDAY)
    case = new_case(org, received_at=MONDAY, decision_known_at=KNOWN)
    assert "limitation_expired" not in [f["code"] for f in case.intake_flags]
    case = drive(case, org, S.UNDER_REVIEW)
    assert act(case, "accept", org.head).state == S.ACCEPTED


def test_complaint_received_the_day_after_the_rolled_last_day_is_late(org, frozen_today):
    tuesday = date(2026, 5, 5)
    frozen_today(tuesday)
    case = new_case(org, received_at=tuesday, decision_known_at=KNOWN)
    assert "limitation_expired" in [f["code"] for f in case.intake_flags]
    case = drive(case, org, S.UNDER_REVIEW)
    with pytest.raises(RuleViolation) as exc:
        act(case, "accept", org.head)
    assert exc.value.code == "limitation_expired"
    assert "2026-05-04" in exc.value.message

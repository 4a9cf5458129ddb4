from datetime import date

import pytest

from casework.choices import CaseState, DeadlineKind, DeadlineStatus
from tests.factories import act, register
from workflows.errors import RuleViolation


@pytest.fixture
def incomplete_complaint(org, frozen_today):
    frozen_today(date(2026, 3, 31))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))  # due 12/03 (Thu)
    return act(case, "review", org.reception, on=date(2026, 3, 3))


def test_waiting_on_the_citizen_stops_the_intake_clocks(incomplete_complaint, org):
    case = act(
        incomplete_complaint, "await_citizen", org.reception, on=date(2026, 3, 5), reason="thiếu bản sao QĐ"
    )
    assert case.state == CaseState.UNDER_REVIEW
    assert case.awaiting_citizen_since == date(2026, 3, 5)
    acceptance = case.deadlines.get(kind=DeadlineKind.ACCEPTANCE)
    assert acceptance.status == DeadlineStatus.PAUSED and acceptance.due_date is None


def test_the_clock_resumes_when_the_citizen_supplements_the_file(incomplete_complaint, org):
    case = act(
        incomplete_complaint, "await_citizen", org.reception, on=date(2026, 3, 5), reason="thiếu giấy tờ"
    )
    case = act(case, "citizen_responded", org.reception, on=date(2026, 3, 16))
    acceptance = case.deadlines.get(kind=DeadlineKind.ACCEPTANCE)
    # Counted 3/3, 4/3 before the pause; 5/3..15/3 not counted; 16/3 onwards: 8 more days -> Mon 23/03.
    assert acceptance.status == DeadlineStatus.RUNNING
    assert acceptance.due_date == date(2026, 3, 23)
    assert case.awaiting_citizen_since is None


def test_a_case_waiting_on_the_citizen_cannot_be_accepted(incomplete_complaint, org):
    case = act(
        incomplete_complaint, "await_citizen", org.reception, on=date(2026, 3, 5), reason="thiếu giấy tờ"
    )
    with pytest.raises(RuleViolation) as refused:
        act(case, "accept", org.head)
    assert refused.value.code == "awaiting_citizen"
    assert "citizen_responded" in refused.value.extra["allowed_actions"]


def test_reply_without_a_pending_request_is_refused(incomplete_complaint, org):
    with pytest.raises(RuleViolation) as refused:
        act(incomplete_complaint, "citizen_responded", org.reception)
    assert refused.value.code == "not_awaiting_citizen"


def test_filing_a_case_the_citizen_never_completed_clears_the_wait(incomplete_complaint, org):
    case = act(
        incomplete_complaint, "await_citizen", org.reception, on=date(2026, 3, 5), reason="thiếu giấy tờ"
    )
    case = act(case, "file", org.reception, on=date(2026, 3, 30), reason="unclear_content")
    assert case.state == CaseState.FILED and case.awaiting_citizen_since is None
    assert not case.deadlines.filter(status__in=[DeadlineStatus.RUNNING, DeadlineStatus.PAUSED]).exists()

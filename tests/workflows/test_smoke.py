from datetime import date

from casework.choices import CaseState, DeadlineKind
from tests.factories import act, register


def test_first_round_complaint_runs_from_receipt_to_decision(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    case = act(case, "review", org.reception, on=date(2026, 3, 3))
    case = act(case, "accept", org.head, on=date(2026, 3, 5))
    assert case.state == CaseState.ACCEPTED
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert resolution.due_date == date(2026, 4, 6)  # 4 April is a Saturday -> Monday 6 April
    case = act(case, "start_verification", org.head, handler=org.handler.pk)
    case = act(case, "submit_for_approval", org.handler, outcome="partly_right", summary="Đúng một phần")
    case = act(case, "approve", org.head, decision_number="12/QĐ-UBND")
    assert case.state == CaseState.DECIDED
    assert case.events.count() == 6  # registration + five transitions

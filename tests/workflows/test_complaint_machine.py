"""The complaint machine (LKN 02/2011; DOMAIN.md §6, names from §13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.choices import CaseKind, Channel, DeadlineKind, DeadlineStatus
from casework.choices import CaseState as S
from casework.models import Case
from tests.factories import act, petitioner, register
from tests.helpers import (
    COMMON_ILLEGAL,
    COMMON_LEGAL,
    IN_RESOLUTION,
    RECEIVED,
    STATUTORY_ILLEGAL,
    STATUTORY_LEGAL,
    TODAY,
    check_illegal,
    check_legal,
    counts,
    drive,
    fresh,
    hold_dialogue,
    new_case,
)
from workflows.errors import RuleViolation, TransitionNotAllowed, ValidationFailed
from workflows.machines import ComplaintWorkflow, workflow_for
from workflows.service import available_actions, perform_action, state_actions

DECIDED_ON = TODAY  # approvals below happen "today" unless dated
WINDOW_DUE = date(2026, 4, 20)  # 30 days from 20/3 is Sun 19/4 -> Mon 20/4
RESOLUTION_DUE = date(2026, 4, 20)  # accepted 20/3: the same 30-day arithmetic


def _label(row) -> str:
    return "-".join(str(x) for x in row)


@pytest.mark.parametrize(
    ("action", "source", "target"),
    COMMON_LEGAL + STATUTORY_LEGAL,
    ids=map(_label, COMMON_LEGAL + STATUTORY_LEGAL),
)
def test_complaint_action_is_allowed_from_its_source_state(org, frozen_today, action, source, target):
    frozen_today(TODAY)
    check_legal(new_case(org), org, action, source, target)


@pytest.mark.parametrize(
    ("action", "state"),
    [*COMMON_ILLEGAL, *STATUTORY_ILLEGAL, ("appeal", S.UNDER_REVIEW), ("appeal", S.RECEIVED)],
    ids=_label,
)
def test_complaint_action_is_refused_from_another_state(org, frozen_today, action, state):
    frozen_today(TODAY)
    check_illegal(new_case(org), org, action, state)


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (S.RECEIVED, ["await_citizen", "file", "guide", "review", "transfer", "withdraw"]),
        (S.UNDER_REVIEW, ["accept", "await_citizen", "file", "guide", "reject", "transfer", "withdraw"]),
        # No "appeal" while the resolution deadline runs: it could only be refused.
        (S.ACCEPTED, ["await_citizen", "extend", "start_verification", "suspend", "withdraw"]),
        (S.VERIFYING, ["await_citizen", "extend", "submit_for_approval", "suspend", "withdraw"]),
        (
            S.AWAITING_APPROVAL,
            ["approve", "await_citizen", "extend", "return_for_revision", "suspend", "withdraw"],
        ),
        # close only once the appeal window lapses; the implementation is recorded meanwhile
        (S.DECIDED, ["appeal", "publish", "record_implementation"]),
        (S.SUSPENDED, ["resume", "withdraw"]),
    ],
)
def test_first_round_complaint_offers_the_actions_of_its_state(org, frozen_today, state, offered):
    frozen_today(TODAY)
    case = drive(new_case(org), org, state)
    assert state_actions(case) == offered
    assert available_actions(case, org.head) == offered


CONTRACT_ACTIONS = {
    "review",
    "transfer",
    "guide",
    "file",
    "accept",
    "reject",
    "start_verification",
    "submit_for_approval",
    "return_for_revision",
    "approve",
    "extend",
    "suspend",
    "resume",
    "withdraw",
    "appeal",
    "close",
}


def test_complaint_machine_has_every_action_of_the_contract():
    names = {t.name for t in ComplaintWorkflow().get_all_state_transitions()}
    assert names >= CONTRACT_ACTIONS


def test_case_of_each_kind_gets_its_own_machine(org, frozen_today):
    frozen_today(TODAY)
    assert isinstance(workflow_for(new_case(org)), ComplaintWorkflow)


# --- Dialogue -----------------------------------------------------------------------------------


def _second_round(org) -> Case:
    first = drive(new_case(org), org, S.DECIDED)
    act(first, "appeal", org.reception)
    return Case.objects.get(first_round_case=first)


def test_second_complaint_requires_dialogue_before_submission(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round(org)
    second = act(second, "review", org.p_reception)
    second = act(second, "accept", org.p_head)
    second = act(second, "start_verification", org.p_head, handler=org.p_handler.pk)
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(second, "submit_for_approval", org.p_handler, outcome="wrong", summary="Giữ nguyên")
    assert exc.value.code == "dialogue_required"
    assert "submit_for_approval" not in exc.value.as_dict()["allowed_actions"]
    assert exc.value.as_dict()["allowed_actions"] == available_actions(second, org.p_handler)
    assert counts() == before

    hold_dialogue(second, org)
    second = act(second, "submit_for_approval", org.p_handler, outcome="wrong", summary="Giữ nguyên")
    assert second.state == S.AWAITING_APPROVAL


def test_recorded_absence_without_valid_reason_satisfies_the_dialogue_requirement(org, frozen_today):
    frozen_today(TODAY)
    second = drive(_second_round(org), org, S.ACCEPTED)
    second = act(second, "start_verification", org.p_head, handler=org.p_handler.pk)
    hold_dialogue(second, org, attended=False, valid_reason=False)
    second = act(second, "submit_for_approval", org.p_handler, outcome="wrong", summary="Vắng mặt")
    assert second.state == S.AWAITING_APPROVAL


def test_absence_with_valid_reason_does_not_satisfy_the_dialogue_requirement(org, frozen_today):
    frozen_today(TODAY)
    second = drive(_second_round(org), org, S.ACCEPTED)
    second = act(second, "start_verification", org.p_head, handler=org.p_handler.pk)
    hold_dialogue(second, org, attended=False, valid_reason=True)
    assert "submit_for_approval" not in available_actions(second, org.p_handler)
    with pytest.raises(RuleViolation) as exc:
        act(second, "submit_for_approval", org.p_handler, outcome="wrong", summary="x")
    assert exc.value.code == "dialogue_required"


def test_first_round_complaint_whose_claim_differs_requires_dialogue(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    with pytest.raises(RuleViolation) as exc:
        act(case, "submit_for_approval", org.handler, outcome="wrong", summary="x", claim_differs=True)
    assert exc.value.code == "dialogue_required"
    assert "submit_for_approval" in exc.value.as_dict()["allowed_actions"]  # allowed without claim_differs
    hold_dialogue(case, org)
    case = act(case, "submit_for_approval", org.handler, outcome="wrong", summary="x", claim_differs=True)
    assert (case.state, case.claim_differs) == (S.AWAITING_APPROVAL, True)


def test_first_round_complaint_whose_claim_matches_needs_no_dialogue(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    case = act(case, "submit_for_approval", org.handler, outcome="right", summary="x", claim_differs=False)
    assert (case.state, case.claim_differs, case.outcome) == (S.AWAITING_APPROVAL, False, "right")


# --- Limitation period --------------------------------------------------------------------------


def test_acceptance_is_refused_after_the_limitation_period(org, frozen_today):
    frozen_today(TODAY)
    # Day 90 is Friday 13/03/2026; days 91 and 92 fall on the weekend, which the last day rolls over.
    case = drive(new_case(org, decision_known_at=RECEIVED - timedelta(days=93)), org, S.UNDER_REVIEW)
    with pytest.raises(RuleViolation) as exc:
        act(case, "accept", org.head)
    assert exc.value.code == "limitation_expired"
    assert "reject" in exc.value.as_dict()["allowed_actions"]
    assert fresh(case).state == S.UNDER_REVIEW


def test_acceptance_on_the_last_day_of_the_limitation_period_is_allowed(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, decision_known_at=RECEIVED - timedelta(days=90)), org, S.UNDER_REVIEW)
    assert act(case, "accept", org.head).state == S.ACCEPTED


def test_late_complaint_is_accepted_with_an_excuse_given_on_acceptance(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, decision_known_at=date(2025, 10, 1)), org, S.UNDER_REVIEW)
    case = act(case, "accept", org.head, limitation_excuse="Nằm viện điều trị từ 10/2025 đến 2/2026")
    assert case.state == S.ACCEPTED
    assert case.limitation_excuse == "Nằm viện điều trị từ 10/2025 đến 2/2026"
    assert case.events.order_by("-id").first().changes["limitation_excuse"][1].startswith("Nằm viện")


def test_late_complaint_is_accepted_with_an_excuse_recorded_at_intake(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org, decision_known_at=date(2025, 10, 1), limitation_excuse="Thiên tai, lũ lụt")
    case = drive(case, org, S.ACCEPTED)
    assert case.state == S.ACCEPTED


def test_late_complaint_can_be_rejected_for_limitation(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, decision_known_at=date(2025, 10, 1)), org, S.UNDER_REVIEW)
    case = act(case, "reject", org.head, reason="limitation_expired")
    assert (case.state, case.reason_code) == (S.REJECTED, "limitation_expired")


# --- Group complaints ---------------------------------------------------------------------------


def test_group_complaint_needs_a_representative_before_acceptance(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org, petitioners=[petitioner(i) for i in range(1, 6)])
    assert case.is_group
    case = act(case, "review", org.reception)
    assert "accept" not in available_actions(case, org.head)
    with pytest.raises(RuleViolation) as exc:
        act(case, "accept", org.head)
    assert exc.value.code == "representative_required"


def test_group_complaint_with_a_representative_can_be_accepted(org, frozen_today):
    frozen_today(TODAY)
    people = [petitioner(1, is_representative=True), *[petitioner(i) for i in range(2, 6)]]
    case = drive(new_case(org, petitioners=people), org, S.ACCEPTED)
    assert case.is_group and case.state == S.ACCEPTED


def test_complaint_of_four_people_is_not_a_group_and_needs_no_representative(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org, petitioners=[petitioner(i) for i in range(1, 5)])
    assert not case.is_group
    assert drive(case, org, S.ACCEPTED).state == S.ACCEPTED


# --- Closing and the appeal window --------------------------------------------------------------


def test_first_round_complaint_cannot_close_while_the_appeal_window_runs(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.DECIDED)
    window = case.deadlines.get(kind=DeadlineKind.APPEAL_WINDOW)
    assert (window.start_date, window.due_date) == (DECIDED_ON, WINDOW_DUE)
    frozen_today(WINDOW_DUE)  # the last day of the window: still open
    with pytest.raises(RuleViolation) as exc:
        act(case, "close", org.head)
    assert exc.value.code == "appeal_window_open"
    assert "close" not in exc.value.as_dict()["allowed_actions"]
    assert fresh(case).state == S.DECIDED


def test_first_round_complaint_closes_once_the_appeal_window_lapses(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.DECIDED)
    frozen_today(WINDOW_DUE + timedelta(days=1))
    assert "close" in available_actions(case, org.head)
    case = act(case, "close", org.head)
    assert (case.state, case.closed_at) == (S.CLOSED, WINDOW_DUE + timedelta(days=1))


def test_the_clock_closes_a_first_round_complaint_after_the_window(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.DECIDED)
    frozen_today(WINDOW_DUE + timedelta(days=1))
    assert available_actions(case, None) == ["close"]
    case = perform_action(case_id=case.pk, action="close", actor=None, version=case.version)
    assert case.state == S.CLOSED
    assert case.events.order_by("-id").first().actor is None


def test_second_round_complaint_is_published_before_it_closes(org, frozen_today):
    frozen_today(TODAY)
    second = drive(_second_round(org), org, S.DECIDED)
    assert not second.deadlines.filter(kind=DeadlineKind.APPEAL_WINDOW).exists()
    with pytest.raises(RuleViolation) as exc:
        act(second, "close", org.p_head)
    assert exc.value.code == "publication_required"
    assert exc.value.as_dict()["allowed_actions"] == ["publish", "record_implementation"]
    second = act(second, "publish", org.p_head)
    assert (second.state, second.published_at) == (S.DECIDED, TODAY)
    assert "publish" not in available_actions(second, org.p_head)
    assert act(second, "close", org.p_head).state == S.CLOSED


def test_second_round_decision_runs_a_publication_clock_that_publishing_stops(org, frozen_today):
    frozen_today(TODAY)  # Fri 20 Mar 2026
    second = drive(_second_round(org), org, S.DECIDED)
    clock = second.deadlines.get(kind=DeadlineKind.PUBLICATION)
    # 15 days from Fri 20 Mar = Sat 4 Apr -> Mon 6 Apr 2026 (Decree 75/2012).
    assert (clock.status, clock.start_date) == (DeadlineStatus.RUNNING, TODAY)
    assert clock.due_date == date(2026, 4, 6)
    frozen_today(date(2026, 4, 8))
    second = act(second, "publish", org.p_head, on=date(2026, 4, 8))
    clock.refresh_from_db()
    assert (clock.status, clock.completed_on) == (DeadlineStatus.MET, date(2026, 4, 8))
    assert clock.completed_on > clock.due_date  # published two days late, and the record shows it


def test_first_round_decision_has_no_publication_clock(org, frozen_today):
    frozen_today(TODAY)
    case = drive(register(org.commune, org.reception, received_at=TODAY), org, S.DECIDED)
    assert not case.deadlines.filter(kind=DeadlineKind.PUBLICATION).exists()


# --- Appeal (second-round complaint) -----------------------------------------------------------


def test_appeal_opens_a_second_round_case_at_the_parent_unit(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    frozen_today(date(2026, 4, 10))
    first = act(first, "appeal", org.reception, note="Đơn khiếu nại lần hai")
    assert first.state == S.APPEALED
    window = first.deadlines.get(kind=DeadlineKind.APPEAL_WINDOW)
    assert (window.status, window.completed_on) == (DeadlineStatus.MET, date(2026, 4, 10))

    second = Case.objects.get(first_round_case=first)
    assert (second.unit, second.kind, second.round) == (org.province, CaseKind.COMPLAINT, 2)
    assert second.state == S.RECEIVED
    # The complainant's own second complaint, not a letter forwarded by a deputy or the press.
    assert second.channel == Channel.APPEAL
    assert second.respondent_unit == org.commune
    assert second.received_at == date(2026, 4, 10)
    assert second.reference.startswith("TINH/2026/")
    assert set(second.case_parties.values_list("party_id", flat=True)) == set(
        first.case_parties.values_list("party_id", flat=True)
    )
    assert not [f for f in second.intake_flags if f["code"] == "skipped_level"]
    assert second.deadlines.get(kind=DeadlineKind.ACCEPTANCE).start_date == date(2026, 4, 10)


def test_appeal_on_the_last_day_of_the_window_is_allowed(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    frozen_today(WINDOW_DUE + timedelta(days=3))
    # Lodged on time, registered late: the date on the paper counts.
    first = act(first, "appeal", org.reception, on=WINDOW_DUE)
    assert first.state == S.APPEALED


def test_appeal_after_the_window_lapsed_is_refused(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    frozen_today(WINDOW_DUE + timedelta(days=1))
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(first, "appeal", org.reception)
    assert exc.value.code == "appeal_window_lapsed"
    assert counts() == before
    assert fresh(first).state == S.DECIDED


@pytest.mark.parametrize("state", IN_RESOLUTION)
def test_appeal_before_a_decision_is_refused_within_the_resolution_deadline(org, frozen_today, state):
    frozen_today(TODAY)
    first = drive(new_case(org), org, state)
    frozen_today(RESOLUTION_DUE)
    assert "appeal" not in available_actions(first, org.reception)
    with pytest.raises(RuleViolation) as exc:
        act(first, "appeal", org.reception)
    assert exc.value.code == "first_round_pending"
    assert not Case.objects.filter(first_round_case=first).exists()


@pytest.mark.parametrize("state", IN_RESOLUTION)
def test_appeal_before_a_decision_is_allowed_once_the_resolution_deadline_lapsed(org, frozen_today, state):
    frozen_today(TODAY)
    first = drive(new_case(org), org, state)
    frozen_today(RESOLUTION_DUE + timedelta(days=1))
    assert "appeal" in available_actions(first, org.reception)
    first = act(first, "appeal", org.reception)
    assert first.state == S.APPEALED
    assert not first.deadlines.filter(status=DeadlineStatus.RUNNING).exists()
    assert Case.objects.get(first_round_case=first).unit == org.province


def test_appeal_backdated_within_the_resolution_deadline_is_refused(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.VERIFYING)
    frozen_today(RESOLUTION_DUE + timedelta(days=5))
    with pytest.raises(RuleViolation) as exc:
        act(first, "appeal", org.reception, on=RESOLUTION_DUE)
    assert exc.value.code == "first_round_pending"


def test_second_round_complaint_cannot_be_appealed(org, frozen_today):
    frozen_today(TODAY)
    second = drive(_second_round(org), org, S.DECIDED)
    assert "appeal" not in available_actions(second, org.p_head)
    with pytest.raises(RuleViolation) as exc:
        act(second, "appeal", org.p_reception)
    assert exc.value.code == "first_round_only"


def test_appeal_must_go_above_the_first_round_unit(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    with pytest.raises(ValidationFailed) as exc:
        act(first, "appeal", org.reception, target_unit=org.other_commune.pk)
    assert "target_unit" in exc.value.errors


def test_remote_first_round_complaint_has_a_45_day_appeal_window(org, frozen_today):
    frozen_today(TODAY)
    case = register(org.remote_commune, org.remote_reception, received_at=RECEIVED)
    case = act(case, "review", org.remote_reception)
    case = act(case, "accept", org.remote_head)
    case = act(case, "start_verification", org.remote_head, handler=org.remote_head.pk)
    case = act(case, "submit_for_approval", org.remote_head, outcome="right", summary="x")
    case = act(case, "approve", org.remote_head, decision_number="1/QĐ")
    assert case.deadlines.get(kind=DeadlineKind.APPEAL_WINDOW).due_date == date(2026, 5, 4)


def test_transition_not_allowed_names_the_state(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, "approve", org.head, decision_number="1")
    assert "Received" in exc.value.message

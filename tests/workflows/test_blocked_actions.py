"""blocked_actions: what the state allows and the role permits but a legal guard refuses, with the
code and message perform_action answers with."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from casework.choices import CaseKind
from casework.choices import CaseState as S
from casework.models import Case
from tests.factories import act, petitioner
from tests.helpers import TODAY, drive, hold_dialogue, new_case
from workflows.errors import RuleViolation
from workflows.service import BlockedAction, available_actions, blocked_actions

WINDOW_DUE = TODAY + timedelta(days=31)  # 30 days from Fri 20/3 is Sun 19/4 -> Mon 20/4


def _second_round_verifying(org) -> Case:
    first = drive(new_case(org), org, S.DECIDED)
    act(first, "appeal", org.reception)
    second = Case.objects.get(first_round_case=first)
    second = act(second, "review", org.p_reception)
    second = act(second, "accept", org.p_head)
    return act(second, "start_verification", org.p_head, handler=org.p_handler.pk)


def test_provincial_handler_sees_submission_blocked_by_the_missing_dialogue(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round_verifying(org)

    blocked = blocked_actions(second, org.p_handler)

    assert [b.action for b in blocked] == ["submit_for_approval"]
    assert blocked[0].code == "dialogue_required"
    assert "LKN Art. 39" in blocked[0].message
    assert "submit_for_approval" not in available_actions(second, org.p_handler)


def test_blocked_action_reports_what_perform_action_refuses_with(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round_verifying(org)
    (blocked,) = blocked_actions(second, org.p_handler)
    with pytest.raises(RuleViolation) as refusal:
        act(second, "submit_for_approval", org.p_handler, outcome="wrong", summary="Giữ nguyên")
    assert (blocked.code, blocked.message) == (refusal.value.code, refusal.value.message)


def test_recorded_dialogue_lifts_the_block(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round_verifying(org)
    hold_dialogue(second, org)
    second.refresh_from_db()
    assert blocked_actions(second, org.p_handler) == []
    assert "submit_for_approval" in available_actions(second, org.p_handler)


def test_user_whose_role_does_not_permit_the_action_is_not_told_it_is_blocked(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round_verifying(org)
    assert blocked_actions(second, org.p_reception) == []
    assert blocked_actions(second, org.monitor) == []


def test_head_sees_closing_blocked_while_the_appeal_window_runs(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.DECIDED)
    blocked = {b.action: b for b in blocked_actions(case, org.head)}
    assert blocked["close"].code == "appeal_window_open"
    frozen_today(WINDOW_DUE + timedelta(days=1))
    assert "close" not in {b.action for b in blocked_actions(case, org.head)}
    assert "close" in available_actions(case, org.head)


def test_anonymous_denunciation_shows_acceptance_blocked_for_the_head(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(
        org, kind=CaseKind.DENUNCIATION, petitioners=[petitioner(full_name="", address="", id_number="")]
    )
    case = act(case, "review", org.reception)
    assert BlockedAction(
        "accept",
        "anonymous_denunciation",
        "An anonymous denunciation, or one under a false name, is not accepted; file it (LTC Art. 25).",
    ) in blocked_actions(case, org.head)


def test_guards_that_only_say_there_is_nothing_to_do_are_not_reported(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    # citizen_responded on a case not waiting on the citizen; appeal of a round-2 case; publish twice.
    assert "citizen_responded" not in {b.action for b in blocked_actions(case, org.head)}
    second = _second_round_verifying(org)
    assert "appeal" not in {b.action for b in blocked_actions(second, org.p_head)}


def test_blocked_reason_reads_in_the_readers_language(org, frozen_today):
    frozen_today(TODAY)
    second = _second_round_verifying(org)
    with translation.override("vi"):
        (blocked,) = blocked_actions(second, org.p_handler)
    assert "đối thoại" in blocked.message
    assert "Điều 39" in blocked.message

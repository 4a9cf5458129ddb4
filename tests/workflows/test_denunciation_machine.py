"""The denunciation machine (LTC 25/2018; DOMAIN.md §7 and §9, names from §13)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from casework.choices import CaseKind, Channel, DeadlineKind, DeadlineStatus, DialogueKind
from casework.choices import CaseState as S
from casework.models import Case, CaseEvent, OutboxMessage
from casework.services import ServiceError, record_dialogue
from tests.factories import act, petitioner
from tests.helpers import (
    COMMON_ILLEGAL,
    COMMON_LEGAL,
    STATUTORY_ILLEGAL,
    STATUTORY_LEGAL,
    TODAY,
    check_illegal,
    check_legal,
    counts,
    drive,
    fresh,
    new_case,
)
from workflows.errors import RuleViolation, TransitionNotAllowed, ValidationFailed
from workflows.machines import DenunciationWorkflow, workflow_for
from workflows.service import available_actions, state_actions

DENUNCIATION = CaseKind.DENUNCIATION
DENOUNCER = petitioner(7, full_name="Trần Thị Tố Giác")


def denunciation(org, **extra):
    return new_case(org, DENUNCIATION, summary="Tố cáo cán bộ địa chính nhận tiền", **extra)


def _label(row) -> str:
    return "-".join(str(x) for x in row)


LEGAL = [*COMMON_LEGAL, *STATUTORY_LEGAL]


@pytest.mark.parametrize(("action", "source", "target"), LEGAL, ids=map(_label, LEGAL))
def test_denunciation_action_is_allowed_from_its_source_state(org, frozen_today, action, source, target):
    frozen_today(TODAY)
    check_legal(denunciation(org), org, action, source, target)


@pytest.mark.parametrize(
    ("action", "state"),
    [*COMMON_ILLEGAL, *STATUTORY_ILLEGAL, ("appeal", S.DECIDED), ("appeal", S.ACCEPTED)],
    ids=_label,
)
def test_denunciation_action_is_refused_from_another_state(org, frozen_today, action, state):
    frozen_today(TODAY)
    check_illegal(denunciation(org), org, action, state)


def test_denunciation_is_never_appealed():
    names = {t.name for t in DenunciationWorkflow().get_all_state_transitions()}
    assert "appeal" not in names
    assert {"accept", "reject", "extend", "suspend", "resume", "withdraw", "close"} <= names


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (S.UNDER_REVIEW, ["accept", "await_citizen", "file", "guide", "reject", "transfer", "withdraw"]),
        (S.ACCEPTED, ["await_citizen", "extend", "start_verification", "suspend", "withdraw"]),
        (S.DECIDED, ["publish", "record_implementation"]),  # published before the case closes
    ],
)
def test_denunciation_offers_the_actions_of_its_state(org, frozen_today, state, offered):
    frozen_today(TODAY)
    case = drive(denunciation(org), org, state)
    assert isinstance(workflow_for(case), DenunciationWorkflow)
    assert state_actions(case) == offered


def test_denunciation_is_published_before_it_closes(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org), org, S.DECIDED)
    assert case.outcome == "true"
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(case, "close", org.head)
    assert exc.value.code == "publication_required"
    assert exc.value.as_dict()["allowed_actions"] == ["publish", "record_implementation"]
    assert counts() == before
    case = act(case, "publish", org.head)
    assert available_actions(case, org.head) == ["close", "record_implementation"]
    case = act(case, "close", org.head)
    assert (case.state, case.closed_at, case.published_at) == (S.CLOSED, TODAY, TODAY)


def test_denunciation_can_be_closed_by_the_clock_only_after_publication(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org), org, S.DECIDED)
    assert available_actions(case, None) == []
    case = act(case, "publish", org.head)
    assert available_actions(case, None) == ["close"]


# --- Identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "denouncers",
    [[], [{"full_name": "Người giấu tên"}], [{"full_name": "", "address": "Thôn 3"}]],
    ids=["nobody", "name-only", "address-only"],
)
def test_anonymous_denunciation_cannot_be_accepted(org, frozen_today, denouncers):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=denouncers), org, S.UNDER_REVIEW)
    assert "accept" not in available_actions(case, org.head)
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        act(case, "accept", org.head)
    assert exc.value.code == "anonymous_denunciation"
    assert "file" in exc.value.as_dict()["allowed_actions"]
    assert counts() == before
    assert fresh(case).state == S.UNDER_REVIEW


def test_anonymous_denunciation_can_be_filed(org, frozen_today):
    frozen_today(TODAY)
    case = denunciation(org, petitioners=[])
    assert "anonymous_denunciation" in [f["code"] for f in case.intake_flags]
    case = act(case, "file", org.reception, reason="anonymous")
    assert (case.state, case.reason_code) == (S.FILED, "anonymous")
    assert not case.deadlines.filter(status=DeadlineStatus.RUNNING).exists()


def test_identified_denunciation_can_be_accepted(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.ACCEPTED)
    assert case.state == S.ACCEPTED
    assert case.case_parties.get().confidential  # sealed at intake


def test_transfer_of_a_denunciation_does_not_copy_the_denouncer(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.UNDER_REVIEW)
    case = act(case, "transfer", org.reception, target_unit=org.province.pk)
    assert case.state == S.TRANSFERRED
    assert case.case_parties.count() == 1  # the sending unit keeps its sealed record

    moved = Case.objects.get(transferred_from=case)
    assert (moved.unit, moved.kind, moved.channel) == (org.province, DENUNCIATION, Channel.TRANSFERRED_IN)
    assert moved.case_parties.count() == 0
    trail = [e.changes for e in CaseEvent.objects.filter(case=moved)]
    outbox = [m.payload for m in OutboxMessage.objects.filter(case=moved)]
    dumped = json.dumps([trail, outbox], ensure_ascii=False, default=str)
    for secret in (DENOUNCER["full_name"], DENOUNCER["id_number"], DENOUNCER["address"]):
        assert secret not in dumped


def test_transferred_denunciation_can_be_accepted_at_the_competent_unit(org, frozen_today):
    """The sending unit checked the denouncer's identity; it is stripped, not missing (LTC Art. 47)."""
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.UNDER_REVIEW)
    act(case, "transfer", org.reception, target_unit=org.province.pk)
    moved = Case.objects.get(transferred_from=case)
    assert "anonymous_denunciation" not in [f["code"] for f in moved.intake_flags]
    moved = act(moved, "review", org.p_reception)
    moved = act(moved, "accept", org.p_head)
    assert moved.state == S.ACCEPTED


def test_transferred_anonymous_denunciation_stays_unacceptable(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[]), org, S.UNDER_REVIEW)
    act(case, "transfer", org.reception, target_unit=org.province.pk)
    moved = act(Case.objects.get(transferred_from=case), "review", org.p_reception)
    with pytest.raises(RuleViolation) as exc:
        act(moved, "accept", org.p_head)
    assert exc.value.code == "anonymous_denunciation"


def test_denunciations_are_not_resolved_through_dialogue(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.VERIFYING)
    with pytest.raises(ServiceError) as exc:
        record_dialogue(
            actor=org.head,
            unit=org.commune,
            kind=DialogueKind.CASE,
            chair=org.head,
            held_at=case.created_at,
            place="UBND xã",
            cases=[case],
        )
    assert "cases" in exc.value.errors


# --- Deadlines and extensions -------------------------------------------------------------------


def test_denunciation_acceptance_check_counts_working_days(org, frozen_today):
    frozen_today(TODAY)
    case = denunciation(org, petitioners=[DENOUNCER])  # received Mon 16/3
    acceptance = case.deadlines.get(kind=DeadlineKind.ACCEPTANCE)
    assert (acceptance.day_type, acceptance.due_date) == ("working", date(2026, 3, 25))
    several = denunciation(org, petitioners=[DENOUNCER], several_locations=True)
    assert several.deadlines.get(kind=DeadlineKind.ACCEPTANCE).due_date == date(2026, 3, 30)


def test_very_complex_denunciation_may_be_extended_twice_by_30_days(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.VERIFYING)
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert resolution.due_date == date(2026, 4, 20)  # Sun 19/4 -> Mon 20/4
    case = act(case, "extend", org.head, days=30, reason="very_complex")
    case = act(case, "extend", org.head, days=30, reason="very_complex")
    resolution.refresh_from_db()
    assert (resolution.extension_days, resolution.due_date) == (60, date(2026, 6, 18))
    assert case.state == S.VERIFYING
    with pytest.raises(RuleViolation) as exc:
        act(case, "extend", org.head, days=10, reason="very_complex")
    assert exc.value.code == "extension_limit_reached"


def test_complex_denunciation_may_be_extended_once_by_at_most_30_days(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.ACCEPTED)
    with pytest.raises(RuleViolation) as exc:
        act(case, "extend", org.head, days=31, reason="complex")
    assert exc.value.code == "extension_too_long"
    case = act(case, "extend", org.head, days=30, reason="complex")
    with pytest.raises(RuleViolation) as exc:
        act(case, "extend", org.head, days=5, reason="complex")
    assert exc.value.code == "extension_limit_reached"


def test_denunciation_outcome_must_be_a_denunciation_outcome(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.VERIFYING)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "submit_for_approval", org.handler, outcome="right", summary="x")
    assert "outcome" in exc.value.errors
    case = act(case, "submit_for_approval", org.handler, outcome="partly_true", summary="Đúng một phần")
    assert case.outcome == "partly_true"


def test_appeal_is_not_an_action_for_a_denunciation(org, frozen_today):
    frozen_today(TODAY)
    case = drive(denunciation(org, petitioners=[DENOUNCER]), org, S.DECIDED)
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, "appeal", org.reception)
    assert exc.value.allowed_actions == available_actions(case, org.reception)

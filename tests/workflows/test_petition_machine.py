"""The machine for recommendations and reflections (kiến nghị, phản ánh; DOMAIN.md §5): classified,
handled and answered; no statutory refusal, extension, suspension or appeal."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import CaseKind, DeadlineKind, DeadlineStatus
from casework.choices import CaseState as S
from tests.factories import act
from tests.helpers import (
    COMMON_ILLEGAL,
    COMMON_LEGAL,
    TODAY,
    check_illegal,
    check_legal,
    counts,
    drive,
    new_case,
)
from workflows.errors import TransitionNotAllowed, ValidationFailed
from workflows.machines import RecommendationWorkflow, ReflectionWorkflow, workflow_for
from workflows.service import available_actions, perform_action, state_actions

KINDS = [CaseKind.RECOMMENDATION, CaseKind.REFLECTION]
NOT_FOR_PETITIONS = ["reject", "extend", "suspend", "resume", "appeal"]
MACHINE = {CaseKind.RECOMMENDATION: RecommendationWorkflow, CaseKind.REFLECTION: ReflectionWorkflow}
LEGAL = [*COMMON_LEGAL, ("close", S.DECIDED, S.CLOSED)]


def petition(org, kind, **extra):
    return new_case(org, kind, summary="Phản ánh đường liên thôn xuống cấp", **extra)


def _label(row) -> str:
    return "-".join(str(x) for x in row)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("action", "source", "target"), LEGAL, ids=map(_label, LEGAL))
def test_petition_action_is_allowed_from_its_source_state(org, frozen_today, kind, action, source, target):
    frozen_today(TODAY)
    check_legal(petition(org, kind), org, action, source, target)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("action", "state"), COMMON_ILLEGAL, ids=map(_label, COMMON_ILLEGAL))
def test_petition_action_is_refused_from_another_state(org, frozen_today, kind, action, state):
    frozen_today(TODAY)
    check_illegal(petition(org, kind), org, action, state)


@pytest.mark.parametrize("machine", [RecommendationWorkflow, ReflectionWorkflow])
def test_petition_machines_do_not_have_statutory_actions(machine):
    names = {t.name for t in machine().get_all_state_transitions()}
    assert names.isdisjoint(NOT_FOR_PETITIONS)
    assert {"review", "transfer", "guide", "file", "accept", "approve", "withdraw", "close"} <= names


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("action", "state", "params"),
    [
        ("reject", S.UNDER_REVIEW, {"reason": "not_competent"}),
        ("extend", S.ACCEPTED, {"days": 10, "reason": "complex"}),
        ("suspend", S.VERIFYING, {"reason": "Chờ ý kiến sở"}),
        ("resume", S.AWAITING_APPROVAL, {}),
        ("appeal", S.DECIDED, {}),
    ],
)
def test_petition_refuses_actions_that_do_not_apply_to_it(org, frozen_today, kind, action, state, params):
    frozen_today(TODAY)
    case = drive(petition(org, kind), org, state)
    assert action not in state_actions(case)
    before = counts()
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, action, org.head, **params)
    assert exc.value.allowed_actions == available_actions(case, org.head)
    assert counts() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (S.UNDER_REVIEW, ["accept", "await_citizen", "file", "guide", "transfer", "withdraw"]),
        (S.ACCEPTED, ["await_citizen", "start_verification", "withdraw"]),
        (S.AWAITING_APPROVAL, ["approve", "await_citizen", "return_for_revision", "withdraw"]),
        (S.DECIDED, ["close", "publish"]),  # no appeal window, no publication duty
    ],
)
def test_petition_offers_the_actions_of_its_state(org, frozen_today, kind, state, offered):
    frozen_today(TODAY)
    case = drive(petition(org, kind), org, state)
    assert state_actions(case) == offered


@pytest.mark.parametrize("kind", KINDS)
def test_petition_is_answered_and_closed(org, frozen_today, kind):
    frozen_today(TODAY)
    case = petition(org, kind)
    assert isinstance(workflow_for(case), MACHINE[kind])
    case = drive(case, org, S.DECIDED)
    assert case.outcome == "answered"
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert (resolution.status, resolution.completed_on, resolution.due_date) == (
        DeadlineStatus.MET,
        TODAY,
        date(2026, 4, 20),
    )
    assert not case.deadlines.filter(kind=DeadlineKind.APPEAL_WINDOW).exists()
    case = perform_action(case_id=case.pk, action="close", actor=None, version=case.version)
    assert case.state == S.CLOSED


@pytest.mark.parametrize("kind", KINDS)
def test_petition_answer_uses_the_petition_outcome(org, frozen_today, kind):
    frozen_today(TODAY)
    case = drive(petition(org, kind), org, S.VERIFYING)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "submit_for_approval", org.handler, outcome="right", summary="x")
    assert "outcome" in exc.value.errors

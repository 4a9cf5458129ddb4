"""Helpers shared by test modules of several apps: the staff who act on a case (`crew`), cases brought to a
state along the main route (`new_case`, `step`, `drive`), the tables and checks behind the per-kind machine
tests, and the API suite's request bodies. Fixtures stay in the conftest files; model factories in
tests/factories.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.choices import OUTCOMES_BY_KIND, CaseKind, DialogueKind
from casework.choices import CaseState as S
from casework.models import Case, CaseEvent, CaseParty, Deadline, DeadlineEntry, OutboxMessage
from casework.services import record_dialogue
from tests.factories import act, register
from workflows.errors import TransitionNotAllowed
from workflows.service import available_actions

TODAY = date(2026, 3, 20)  # a Friday, before Law 136/2025 takes effect
RECEIVED = date(2026, 3, 16)
OUTCOME = {kind: outcomes[0] for kind, outcomes in OUTCOMES_BY_KIND.items()}
ROUTE = (S.RECEIVED, S.UNDER_REVIEW, S.ACCEPTED, S.VERIFYING, S.AWAITING_APPROVAL, S.DECIDED)
IN_RESOLUTION = (S.ACCEPTED, S.VERIFYING, S.AWAITING_APPROVAL)


@dataclass
class Crew:
    reception: object
    handler: object
    head: object


def crew(org, unit) -> Crew:
    """The staff who act on cases held by `unit`."""
    if unit.pk == org.province.pk:
        return Crew(org.p_reception, org.p_handler, org.p_head)
    if unit.pk == org.commune.pk:
        return Crew(org.reception, org.handler, org.head)
    raise AssertionError(f"no crew for {unit}")


def new_case(org, kind: str = CaseKind.COMPLAINT, *, unit=None, received_at: date = RECEIVED, **extra):
    unit = unit or org.commune
    return register(unit, crew(org, unit).reception, kind=kind, received_at=received_at, **extra)


def hold_dialogue(case, org, *, attended: bool = True, valid_reason: bool = False):
    head = crew(org, case.unit).head
    return record_dialogue(
        actor=head,
        unit=case.unit,
        kind=DialogueKind.CASE,
        chair=head,
        held_at=timezone.now() - timedelta(hours=1),
        place="Trụ sở UBND",
        minutes="Biên bản đối thoại",
        cases=[case],
        complainant_attended=attended,
        absence_with_valid_reason=valid_reason,
    )


def step(case, org, state: str, on: date | None = None):
    """Move the case one step along the main route, by the staff whose job the step is."""
    c = crew(org, case.unit)
    if state == S.UNDER_REVIEW:
        return act(case, "review", c.reception, on=on)
    if state == S.ACCEPTED:
        return act(case, "accept", c.head, on=on)
    if state == S.VERIFYING:
        return act(case, "start_verification", c.head, on=on, handler=c.handler.pk)
    if state == S.AWAITING_APPROVAL:
        if case.kind == CaseKind.COMPLAINT and case.round == 2 and not case.dialogues.exists():
            hold_dialogue(case, org)
        return act(
            case, "submit_for_approval", c.handler, on=on, outcome=OUTCOME[case.kind], summary="Kết quả"
        )
    if state == S.DECIDED:
        return act(case, "approve", c.head, on=on, decision_number="15/QĐ-UBND")
    raise AssertionError(state)


def drive(case, org, target: str, *, on: date | None = None, suspended_from: str = S.ACCEPTED):
    """Bring the case to `target` along the main route (all steps dated `on`, default today)."""
    if target == S.SUSPENDED:
        case = drive(case, org, suspended_from, on=on)
        return act(case, "suspend", crew(org, case.unit).head, on=on, reason="Chờ kết quả giám định")
    for state in ROUTE[ROUTE.index(case.state) + 1 : ROUTE.index(target) + 1]:
        case = step(case, org, state, on)
    assert case.state == target
    return case


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Case, CaseEvent, OutboxMessage, Deadline, DeadlineEntry, CaseParty)
    }


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def accepted_on(org, frozen_today, day: date, **kw):
    """A first-round complaint accepted on `day` (its processing and acceptance clocks then stop)."""
    frozen_today(day)
    case = register(org.commune, org.reception, received_at=day - timedelta(days=3), **kw)
    case = act(case, "review", org.reception, on=day)
    return act(case, "accept", org.head, on=day)


# --- Shared tables for the per-kind machine tests -----------------------------------------------

RECEPTION_ACTIONS = {"review", "transfer", "guide", "file", "withdraw", "appeal"}


def actor_for(action: str, case, org):
    c = crew(org, case.unit)
    if action in RECEPTION_ACTIONS:
        return c.reception
    return c.handler if action == "submit_for_approval" else c.head


def params_for(action: str, case, org) -> dict:
    return {
        "transfer": {"target_unit": org.other_commune.pk},
        "guide": {"guidance": "Đề nghị gửi đơn đến UBND xã B"},
        "file": {"reason": "duplicate"},
        "reject": {"reason": "not_affected"},
        "start_verification": {"handler": crew(org, case.unit).handler.pk},
        "submit_for_approval": {"outcome": OUTCOME[case.kind], "summary": "Kết quả xác minh"},
        "approve": {"decision_number": "15/QĐ-UBND"},
        "extend": {"days": 10, "reason": "complex"},
        "suspend": {"reason": "Chờ kết quả giám định"},
    }.get(action, {})


def reach(case, org, source: str):
    """`source` is a state, or "suspended/<state>" for a case suspended while in <state>."""
    state, _sep, suspended_from = source.partition("/")
    return drive(case, org, state, suspended_from=suspended_from or S.ACCEPTED)


def perform(case, action: str, org):
    return act(case, action, actor_for(action, case, org), **params_for(action, case, org))


# Transitions every kind has: (action, source, target). Targets "=" stay in the source state.
COMMON_LEGAL = [
    ("review", S.RECEIVED, S.UNDER_REVIEW),
    ("transfer", S.RECEIVED, S.TRANSFERRED),
    ("transfer", S.UNDER_REVIEW, S.TRANSFERRED),
    ("guide", S.RECEIVED, S.GUIDED),
    ("guide", S.UNDER_REVIEW, S.GUIDED),
    ("file", S.RECEIVED, S.FILED),
    ("file", S.UNDER_REVIEW, S.FILED),
    ("accept", S.UNDER_REVIEW, S.ACCEPTED),
    ("start_verification", S.ACCEPTED, S.VERIFYING),
    ("submit_for_approval", S.VERIFYING, S.AWAITING_APPROVAL),
    ("return_for_revision", S.AWAITING_APPROVAL, S.VERIFYING),
    ("approve", S.AWAITING_APPROVAL, S.DECIDED),
    ("publish", S.DECIDED, "="),
    *[("withdraw", s, S.WITHDRAWN) for s in (S.RECEIVED, S.UNDER_REVIEW, *IN_RESOLUTION)],
]
# Refusal, extension and suspension: complaints and denunciations only.
STATUTORY_LEGAL = [
    ("reject", S.UNDER_REVIEW, S.REJECTED),
    *[("extend", s, "=") for s in IN_RESOLUTION],
    *[("suspend", s, S.SUSPENDED) for s in IN_RESOLUTION],
    *[("resume", f"{S.SUSPENDED}/{s}", s) for s in IN_RESOLUTION],
    *[("withdraw", f"{S.SUSPENDED}/{s}", S.WITHDRAWN) for s in IN_RESOLUTION],
    ("record_implementation", S.DECIDED, "="),
]
# (action, a state it is not possible from)
COMMON_ILLEGAL = [
    ("review", S.UNDER_REVIEW),
    ("review", S.DECIDED),
    ("transfer", S.ACCEPTED),
    ("guide", S.VERIFYING),
    ("file", S.DECIDED),
    ("accept", S.RECEIVED),
    ("accept", S.ACCEPTED),
    ("start_verification", S.UNDER_REVIEW),
    ("submit_for_approval", S.ACCEPTED),
    ("submit_for_approval", S.AWAITING_APPROVAL),
    ("return_for_revision", S.VERIFYING),
    ("approve", S.VERIFYING),
    ("publish", S.AWAITING_APPROVAL),
    ("withdraw", S.DECIDED),
    ("close", S.AWAITING_APPROVAL),
    ("close", S.UNDER_REVIEW),
]
STATUTORY_ILLEGAL = [
    ("reject", S.ACCEPTED),
    ("reject", S.RECEIVED),
    ("extend", S.UNDER_REVIEW),
    ("extend", S.DECIDED),
    ("suspend", S.DECIDED),
    ("suspend", S.RECEIVED),
    ("resume", S.ACCEPTED),
    ("record_implementation", S.AWAITING_APPROVAL),
]


def check_legal(case, org, action: str, source: str, target: str):
    case = reach(case, org, source)
    before = case.version
    case = perform(case, action, org)
    expected = source.partition("/")[0] if target == "=" else target
    assert case.state == expected
    assert case.version == before + 1
    event = case.events.order_by("-id").first()
    assert (event.action, event.to_state) == (action, expected)
    return case


def check_illegal(case, org, action: str, state: str):
    case = reach(case, org, state)
    head = crew(org, case.unit).head  # the head may take every action, so only the state refuses it
    before = counts()
    with pytest.raises(TransitionNotAllowed) as exc:
        act(case, action, head, **params_for(action, case, org))
    assert exc.value.code == "transition_not_allowed"
    assert action not in exc.value.allowed_actions
    assert exc.value.allowed_actions == available_actions(case, head)
    assert exc.value.as_dict()["allowed_actions"] == exc.value.allowed_actions
    assert counts() == before
    assert fresh(case).state == case.state


# --- The API suite ------------------------------------------------------------------------------

# A denouncer whose every identity string is distinctive, so a leak anywhere is found by a text scan.
DENOUNCER = {
    "full_name": "Trần Thị Bímật Zyxwv",
    "id_number": "079188777666",
    "address": "Số 77 ngõ Kínđáo, phường Qwerty",
    "phone": "0987654321",
}
DENOUNCER_STRINGS = tuple(DENOUNCER.values())


def letter(org, **overrides) -> dict:
    """A POST /api/v1/cases/ body: a first-round complaint received by post at the commune."""
    body = {
        "unit": org.commune.pk,
        "kind": CaseKind.COMPLAINT,
        "round": 1,
        "channel": "post",
        "received_at": "2026-03-02",
        "summary": "Khiếu nại quyết định thu hồi đất số 15/QĐ-UBND",
        "petitioners": [
            {
                "full_name": "Lê Văn Khiếu",
                "id_number": "001090000111",
                "address": "Thôn 1",
                "phone": "0912000111",
            }
        ],
    }
    body.update(overrides)
    return body


def wander(case, org, rng, *, last_day: date, conclusion: str):
    """Move `case` a random number (0–7) of random steps the unit's head may take, a day apart from
    15 days before `last_day`, skipping steps a guard refuses: cases in many states, with clocks
    started, paused, extended, met or cancelled. `conclusion`: the summary submitted for approval."""
    from casework.choices import ExtensionReason, FileReason, RejectReason
    from workflows.errors import WorkflowError

    params = {
        "start_verification": {"handler": org.handler.pk},
        "approve": {"decision_number": "12/QĐ-UBND"},
        "suspend": {"reason": "chờ giám định"},
        "await_citizen": {"reason": "bổ sung giấy tờ"},
        "extend": {"days": 10, "reason": ExtensionReason.COMPLEX},
        "file": {"reason": FileReason.ANONYMOUS},
        "reject": {"reason": RejectReason.INTERNAL_ACT},
        "guide": {"guidance": "Gửi đến UBND huyện"},
        "transfer": {"target_unit": org.other_commune.pk},
    }
    for step in range(rng.randint(0, 7)):
        choices = available_actions(case, org.head)
        if not choices:
            break
        action = rng.choice(choices)
        body = dict(params.get(action, {}))
        if action == "submit_for_approval":
            outcome = "true" if case.kind == CaseKind.DENUNCIATION else "right"
            body = {"outcome": outcome, "summary": conclusion}
        try:
            case = act(case, action, org.head, on=last_day - timedelta(days=15 - step), **body)
        except WorkflowError:
            continue
    return case


def api_client(user) -> APIClient:
    """An API client acting as `user` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client

"""Who may act on a case and who may see it (DOMAIN.md §13 "Who acts"): roles are scoped to units; a
role reaches the unit's subtree for reading only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from casework.access import visible_cases, visible_units
from casework.choices import CaseKind, Role
from casework.choices import CaseState as S
from casework.models import Case
from tests.factories import UserFactory, act, register, staff
from tests.helpers import (
    RECEIVED,
    TODAY,
    counts,
    drive,
    fresh,
    new_case,
    params_for,
)
from workflows.actions import ACTIONS
from workflows.errors import CaseNotFound, Forbidden
from workflows.intake import CaseInput, PetitionerInput, register_case
from workflows.permissions import HEAD_ACTIONS, RECEPTION_ACTIONS
from workflows.service import available_actions, perform_action

HEAD_ONLY = sorted(HEAD_ACTIONS - RECEPTION_ACTIONS - {"submit_for_approval"})


def _perform(case, actor, action, org):
    return perform_action(
        case_id=case.pk,
        action=action,
        actor=actor,
        version=case.version,
        params=params_for(action, case, org),
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- Acting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "state"), [("accept", S.UNDER_REVIEW), ("approve", S.AWAITING_APPROVAL)])
def test_reception_officer_cannot_accept_or_approve(org, frozen_today, action, state):
    frozen_today(TODAY)
    case = drive(new_case(org), org, state)
    before = counts()
    with pytest.raises(Forbidden) as exc:
        _perform(case, org.reception, action, org)
    assert exc.value.as_dict()["code"] == "forbidden"
    assert counts() == before
    assert fresh(case).state == state


@pytest.mark.parametrize("action", HEAD_ONLY)
def test_reception_officer_cannot_take_head_actions(org, frozen_today, action):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    with pytest.raises(Forbidden):
        _perform(case, org.reception, action, org)


def test_reception_officer_takes_intake_actions(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    assert available_actions(case, org.reception) == [
        "await_citizen",
        "file",
        "guide",
        "transfer",
        "withdraw",
    ]
    assert act(case, "guide", org.reception, guidance="Gửi đơn đến Sở Xây dựng").state == S.GUIDED


def test_handler_submits_only_cases_assigned_to_them(org, frozen_today):
    frozen_today(TODAY)
    colleague = staff(org.commune, Role.HANDLER, "handler2")
    case = drive(new_case(org), org, S.VERIFYING)
    assert case.handler == org.handler
    assert available_actions(case, colleague) == []
    with pytest.raises(Forbidden):
        act(case, "submit_for_approval", colleague, outcome="right", summary="x")
    assert available_actions(case, org.handler) == ["submit_for_approval"]
    assert act(case, "submit_for_approval", org.handler, outcome="right", summary="x").state == (
        S.AWAITING_APPROVAL
    )


@pytest.mark.parametrize(("action", "state"), [("review", S.RECEIVED), ("accept", S.UNDER_REVIEW)])
def test_handler_cannot_take_intake_or_head_actions(org, frozen_today, action, state):
    frozen_today(TODAY)
    case = drive(new_case(org), org, state)
    with pytest.raises(Forbidden):
        _perform(case, org.handler, action, org)


def test_head_may_do_what_the_staff_do(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.VERIFYING)
    case = act(case, "submit_for_approval", org.head, outcome="right", summary="x")
    assert case.state == S.AWAITING_APPROVAL


@pytest.mark.parametrize("action", ACTIONS)
def test_monitor_can_do_nothing(org, frozen_today, action):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    with pytest.raises(Forbidden):
        _perform(case, org.monitor, action, org)
    assert available_actions(case, org.monitor) == []


def test_monitor_sees_the_cases_of_the_subtree(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    assert list(visible_cases(org.monitor)) == [case]


@pytest.mark.parametrize("action", ["review", "accept", "withdraw"])
def test_user_of_another_unit_gets_not_found(org, frozen_today, action):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    with pytest.raises(CaseNotFound) as outside:
        _perform(case, org.outsider, action, org)
    with pytest.raises(CaseNotFound) as missing:
        perform_action(case_id=999_999, action=action, actor=org.outsider, version=1)
    # Indistinguishable from a case that does not exist.
    assert outside.value.as_dict() == missing.value.as_dict()
    assert outside.value.as_dict()["code"] == "not_found"
    assert not visible_cases(org.outsider).filter(pk=case.pk).exists()


def test_malformed_case_id_is_not_found(org):
    with pytest.raises(CaseNotFound):
        perform_action(case_id="abc", action="review", actor=org.head, version=1)


@pytest.mark.parametrize("who", ["p_head", "p_reception", "p_handler"])
def test_province_staff_see_commune_cases_but_cannot_act_on_them(org, frozen_today, who):
    frozen_today(TODAY)
    user = getattr(org, who)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    assert visible_cases(user).filter(pk=case.pk).exists()
    assert available_actions(case, user) == []
    for action in ("accept", "transfer", "file"):
        with pytest.raises(Forbidden):
            _perform(case, user, action, org)
    assert fresh(case).state == S.UNDER_REVIEW


def test_administrator_of_the_province_acts_on_commune_cases_and_is_audited(org, frozen_today):
    frozen_today(TODAY)
    admin = staff(org.province, Role.ADMINISTRATOR, "admin")
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    case = act(case, "accept", admin)
    assert case.state == S.ACCEPTED
    assert case.events.order_by("-id").first().actor == admin


def test_superuser_can_act_anywhere(org, frozen_today, superuser):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    case = act(case, "accept", superuser)
    assert case.state == S.ACCEPTED
    assert case.events.order_by("-id").first().actor == superuser


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - {"close"}))
def test_system_actor_may_not_take_any_action_but_close(org, frozen_today, action):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    with pytest.raises(Forbidden):
        _perform(case, None, action, org)


def test_system_actor_closes_a_decided_petition(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.REFLECTION), org, S.DECIDED)
    assert available_actions(case, None) == ["close"]
    assert _perform(case, None, "close", org).state == S.CLOSED


# --- Registering --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["handler", "monitor", "outsider", "p_reception"])
def test_only_reception_and_head_of_the_unit_register_cases_there(org, frozen_today, who):
    frozen_today(TODAY)
    with pytest.raises(Forbidden):
        register(org.commune, getattr(org, who), received_at=RECEIVED)
    assert not Case.objects.exists()


def test_head_registers_cases_of_their_unit(org, frozen_today):
    frozen_today(TODAY)
    data = CaseInput(
        unit=org.commune,
        kind=CaseKind.RECOMMENDATION,
        channel="online",
        received_at=RECEIVED,
        summary="Kiến nghị lắp đèn đường",
        petitioners=[PetitionerInput(full_name="Lê Văn C", address="Thôn 2")],
    )
    assert register_case(data, actor=org.head).registered_by == org.head


# --- Seeing ---------------------------------------------------------------------------------------


@pytest.fixture
def cases_everywhere(org, frozen_today, superuser):
    frozen_today(TODAY)
    units = {
        "commune": org.commune,
        "other": org.other_commune,
        "remote": org.remote_commune,
        "province": org.province,
        "department": org.department,
    }
    return {name: register(unit, superuser, received_at=RECEIVED) for name, unit in units.items()}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("reception", {"commune"}),
        ("handler", {"commune"}),
        ("head", {"commune"}),
        ("outsider", {"other"}),
        ("remote_reception", {"remote"}),
        ("remote_head", {"remote"}),
        ("p_reception", {"commune", "other", "remote", "province", "department"}),
        ("p_handler", {"commune", "other", "remote", "province", "department"}),
        ("p_head", {"commune", "other", "remote", "province", "department"}),
        ("monitor", {"commune", "other", "remote", "province", "department"}),
    ],
)
def test_visible_cases_follow_the_unit_subtree(org, cases_everywhere, who, expected):
    seen = set(visible_cases(getattr(org, who)).values_list("pk", flat=True))
    assert seen == {cases_everywhere[name].pk for name in expected}


def test_superuser_sees_every_case(cases_everywhere, superuser):
    assert visible_cases(superuser).count() == len(cases_everywhere)


def test_user_without_a_role_or_anonymous_sees_nothing(cases_everywhere):
    assert not visible_cases(UserFactory(username="nobody")).exists()
    assert not visible_cases(AnonymousUser()).exists()
    assert not visible_units(AnonymousUser()).exists()


def test_visible_cases_narrows_a_given_queryset(org, cases_everywhere):
    complaints = Case.objects.filter(kind=CaseKind.COMPLAINT, unit=org.other_commune)
    assert list(visible_cases(org.monitor, complaints)) == [cases_everywhere["other"]]
    assert not visible_cases(org.head, complaints).exists()


def test_visible_units_are_the_subtree(org):
    assert set(visible_units(org.head)) == {org.commune}
    assert set(visible_units(org.monitor)) == {
        org.province,
        org.department,
        org.commune,
        org.remote_commune,
        org.other_commune,
    }

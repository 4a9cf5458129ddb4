"""Actions are one enumeration shared by the machines, the parameter schema, the permissions and the
labels; `workflow_for` hands out a new proxy instance and leaves its argument alone."""

from __future__ import annotations

from datetime import date

from casework.choices import Action, CaseKind
from casework.models import Case
from tests.factories import act, register
from workflows.actions import ACTION_PARAMS
from workflows.machines import MACHINES, ComplaintWorkflow, workflow_for
from workflows.permissions import HANDLER_ACTIONS, HEAD_ACTIONS, RECEPTION_ACTIONS, SYSTEM_ACTIONS
from workflows.service import available_actions


def machine_transition_names() -> dict[str, set[str]]:
    return {
        kind: {t.name for t in machine().get_all_state_transitions()} for kind, machine in MACHINES.items()
    }


def test_every_machine_transition_is_an_action_and_every_action_a_transition_of_some_machine():
    per_kind = machine_transition_names()
    every_transition = set().union(*per_kind.values())
    assert every_transition - set(Action.values) == set()
    assert set(Action.values) - every_transition == set()


def test_the_parameter_schema_and_the_permissions_are_keyed_by_every_action_and_nothing_else():
    assert set(ACTION_PARAMS) == set(Action)
    assert all(isinstance(a, Action) for a in ACTION_PARAMS)
    for table in (RECEPTION_ACTIONS, HANDLER_ACTIONS, HEAD_ACTIONS, SYSTEM_ACTIONS):
        assert all(isinstance(a, Action) for a in table)
    # The head may do anything their staff may do (DOMAIN.md §13), so every action is someone's.
    assert set(HEAD_ACTIONS) == set(Action)


def test_action_values_are_the_contract_names_of_domain_section_13():
    contract = {
        "review", "transfer", "guide", "file", "accept", "reject", "start_verification",
        "submit_for_approval", "return_for_revision", "approve", "extend", "suspend", "resume",
        "withdraw", "appeal", "close",
    }  # fmt: skip
    assert contract <= set(Action.values)
    assert set(Action.values) - contract == {
        "publish",
        "await_citizen",
        "citizen_responded",
        "record_implementation",
    }


def test_workflow_for_returns_a_new_proxy_and_leaves_its_argument_unchanged(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    registered = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    case = Case.objects.select_related("unit").prefetch_related("deadlines").get(pk=registered.pk)
    before = dict(case.__dict__)
    cached = dict(case._state.fields_cache)

    machine = workflow_for(case)

    assert type(case) is Case
    assert isinstance(machine, ComplaintWorkflow) and machine is not case
    assert (machine.pk, machine.state, machine.version) == (case.pk, case.state, case.version)
    assert machine.unit is case.unit  # the loaded relation came along, not re-queried
    assert list(machine.deadlines.all()) == list(case.deadlines.all())
    assert machine._state is not case._state and not machine._state.adding
    assert case.__dict__ == before and case._state.fields_cache == cached
    # Changing the proxy does not reach the argument.
    machine.intake_flags.append("probe")
    machine.summary = "changed"
    assert case.summary == before["summary"] and "probe" not in case.intake_flags


def test_workflow_for_a_machine_instance_is_that_instance(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = workflow_for(register(org.commune, org.reception, received_at=date(2026, 3, 16)))
    assert workflow_for(case) is case


def test_available_actions_keeps_the_case_a_plain_case_and_the_proxy_can_still_transition(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 16))
    plain = Case.objects.get(pk=case.pk)
    assert "review" in available_actions(plain, org.reception)
    assert type(plain) is Case
    reviewed = act(plain, "review", org.reception)
    assert reviewed.state == "under_review" and type(plain) is Case

"""The transition service: the only way a case changes state.

One call = one transaction: scope and role check, row lock (PostgreSQL) plus version check, the
machine's guards, the transition itself (which updates the deadline ledger), the audit record and
the outbox message. Any failure rolls all of it back.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import events, prepared
from casework.access import can_view_unit
from casework.choices import Topic
from casework.models import Case
from casework.prepared import PreparedQuery
from casework.rules.calendar import one_calendar, stamp_columns, stamp_of

from .actions import ACTION_PARAMS, validate_params
from .errors import (
    CaseNotFound,
    Forbidden,
    RuleViolation,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from .intake import linked
from .machines import MACHINES, ActionContext, CaseWorkflow, workflow_for
from .permissions import may_perform, permission_key

_LOCK_CASE = PreparedQuery(
    lambda case_id: (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__level")
        .annotate(**stamp_columns())
        .filter(pk=case_id)
    ),
    for_write=True,
)


def _transition_from_state(case: CaseWorkflow, action: str):
    for t in case.get_all_state_transitions():
        if t.name == action and t.source in (case.state, "*", "+"):
            return t
    return None


def state_actions(case: Case) -> list[str]:
    """Actions the machine allows from the current state whose guards pass, for anyone."""
    machine = workflow_for(case)
    return sorted({t.name for t in machine.get_available_state_transitions()})


@lru_cache(maxsize=256)
def _transitions_from(machine: type[CaseWorkflow], state: str) -> tuple[tuple[str, Any], ...]:
    """(name, django-fsm meta) of the machine's transitions that leave `state`, guards not checked."""
    field = machine._meta.get_field("state")
    found = []
    for method in field.transitions[machine].values():
        meta = method._django_fsm
        if meta.has_transition(state):
            found.append((meta.get_transition(state).name, meta))
    return tuple(found)


def available_actions(case: Case, user, remembered: dict | None = None) -> list[str]:
    """What `user` may do to this case now (the state allows it, guards pass, the role permits it).

    The same answer as `[a for a in state_actions(case) if may_perform(user, case, a)]`, cheaper: the
    role is checked before the guards, so a reader who may do nothing (a monitor, a closed case) costs
    no machine and no guard, which is most rows of a list. `remembered`: a dict the caller keeps for
    one request (a list page), where the actions the state and the role allow are kept under
    everything that decides them (the machine's kind and state, and may_perform's permission_key);
    the guards, which read the case itself, are checked for every case."""
    key = None
    if remembered is not None:
        key = (case.kind, case.state, permission_key(user, case))
        candidates = remembered.get(key)
    if key is None or candidates is None:
        candidates = [
            (name, meta)
            for name, meta in _transitions_from(MACHINES[case.kind], case.state)
            if may_perform(user, case, name)
        ]
        if key is not None:
            remembered[key] = candidates
    if not candidates:
        return []
    machine = workflow_for(case)
    return sorted({name for name, meta in candidates if meta.conditions_met(machine, case.state)})


@dataclass(frozen=True)
class BlockedAction:
    """An action the state allows and the user's role permits, refused by a legal guard: the code and
    message are the ones perform_action would answer with (RuleViolation)."""

    action: str
    code: str
    message: str


# Guards whose failure means the action has nothing to act on rather than that the law stands in the
# way (already published, not waiting on the citizen, not a first-round case): not worth a disabled
# button with a reason.
MOOT_GUARDS = frozenset({"not_already_published", "not_awaiting_citizen", "first_round_only"})


def blocked_actions(case: Case, user) -> list[BlockedAction]:
    """What `user` could do to this case in its current state but a legal guard refuses now, each with
    the guard's code and message (with its citation), in the order perform_action checks them."""
    machine = workflow_for(case)
    blocked = []
    for name in sorted({t.name for t in machine.get_all_state_transitions()}):
        transition = _transition_from_state(machine, name)
        if transition is None or not may_perform(user, machine, name):
            continue
        failed = next((c for c in transition.conditions if not c(machine)), None)
        if failed is None:
            continue
        code = getattr(failed, "guard_code", "guard_failed")
        if code in MOOT_GUARDS:
            continue
        message = str(getattr(failed, "guard_message", _("A legal condition is not met.")))
        blocked.append(BlockedAction(action=name, code=code, message=message))
    return blocked


def _check_effective_date(case: Case, effective_date: date | None) -> date:
    today = timezone.localdate()
    if effective_date is None:
        return today
    if effective_date > today:
        raise ValidationFailed(
            {"effective_date": [_("The date on the paper cannot be in the future.")]},
            codes={"effective_date": ["in_future"]},
        )
    previous = events.last_effective_date(case)
    if effective_date < previous:
        raise ValidationFailed(
            {"effective_date": [_("Cannot be before the previous step (%(date)s).") % {"date": previous}]},
            codes={"effective_date": ["before_previous_step"]},
        )
    return effective_date


def perform_action(
    *,
    case_id: int,
    action: str,
    actor,
    version: int,
    note: str = "",
    effective_date: date | None = None,
    params: dict[str, Any] | None = None,
) -> Case:
    """Apply `action` to the case if `actor` may, the case is still at `version`, and the law allows it.

    Raises CaseNotFound, Forbidden, StaleVersion, TransitionNotAllowed, RuleViolation or ValidationFailed.
    """
    params = params or {}
    # holding_writes: the clock writes wait for the closing statement (one round trip, PostgreSQL).
    with transaction.atomic(), ExitStack() as calendar, prepared.holding_writes(Case) as held:
        try:
            # A row lock on the case alone (PostgreSQL; SQLite serializes writers on its own): FOR UPDATE
            # OF the case, so the unit and level rows joined in are not locked, which would make every
            # transition at units of the same level wait for each other. The same query reads the
            # calendar's stamp, so the clocks this transition computes need no calendar query.
            # Compiled once per connection (prepared.py): building this query cost a quarter of the call.
            found = _LOCK_CASE.fetch(case_id)
        except (ValueError, TypeError):
            found = []
        if not found:
            raise CaseNotFound(_("No such case."))
        case = found[0]
        # A fresh instance no one else holds becomes its kind's machine in place (workflow_for copies).
        case.__class__ = MACHINES[case.kind]
        calendar.enter_context(one_calendar(stamp_of(case)))
        if actor is not None and not can_view_unit(actor, case.unit):
            raise CaseNotFound(_("No such case."))
        if action not in ACTION_PARAMS:
            raise TransitionNotAllowed(
                _("Unknown action %(action)s.") % {"action": action}, available_actions(case, actor)
            )
        if not may_perform(actor, case, action):
            raise Forbidden(
                _("Your role in %(unit)s does not allow %(action)s.") % {"unit": case.unit, "action": action}
            )
        if case.version != version:
            raise StaleVersion(case.version)

        transition = _transition_from_state(case, action)
        if transition is None:
            raise TransitionNotAllowed(
                _("%(action)s is not possible for a %(kind)s in state %(state)s.")
                % {"action": action, "kind": case.get_kind_display(), "state": case.get_state_display()},
                available_actions(case, actor),
            )
        for condition in transition.conditions:
            if not condition(case):
                raise RuleViolation(
                    getattr(condition, "guard_code", "guard_failed"),
                    str(getattr(condition, "guard_message", _("A legal condition is not met."))),
                    available_actions(case, actor),
                )
        values = validate_params(case, action, params, note)
        ctx = ActionContext(
            actor=actor, effective_date=_check_effective_date(case, effective_date), note=note, params=values
        )

        before = events.snapshot(case)
        from_state = case.state
        try:
            getattr(case, action)(ctx)
        except RuleViolation as violation:
            raise violation.with_allowed_actions(available_actions(case, actor)) from None
        if ctx.linked_case is not None:
            # A transfer or an appeal continues at another unit: open that case now, so its
            # registration precedes this transition's audit record and outbox message (and follows
            # this transition's clock writes).
            if held is not None:
                held.flush()
            linked.open_linked_case(
                action=ctx.linked_case.action,
                source=case,
                target_unit=ctx.linked_case.target_unit,
                actor=actor,
                on=ctx.effective_date,
            )
        changes = events.diff(before, events.snapshot(case))
        case.version += 1
        record = events.transition_record(
            case=case,
            actor=actor,
            action=action,
            from_state=from_state,
            effective_date=ctx.effective_date,
            note=note,
            changes=changes,
        )
        message = events.outbox_message(
            **transition_message(
                case, action=action, from_state=from_state, actor=actor, effective_date=ctx.effective_date
            )
        )
        # Only the columns the transition changed (plus the bookkeeping ones), not the whole row; with
        # the audit record and the outbox message in the same statement (PostgreSQL: one round trip).
        prepared.save_and_insert(case, [*changes, "version", "updated_at"], [record, message])
    return case


def perform_in_turn(
    *,
    case_id: int,
    actor,
    version: int,
    steps: list[tuple[str, dict[str, Any]]],
    note: str = "",
    effective_date: date | None = None,
) -> Case:
    """Several actions on one case signed as one decision (accepting and naming the handler): each is
    an ordinary transition with its own audit record and message, and either all happen or none.
    The note goes with the first action."""
    case = None
    with transaction.atomic():
        for index, (action, params) in enumerate(steps):
            case = perform_action(
                case_id=case_id,
                action=action,
                actor=actor,
                version=version,
                note=note if index == 0 else "",
                effective_date=effective_date,
                params=params,
            )
            version = case.version
    return case


def transition_message(case: Case, *, action: str, from_state: str, actor, effective_date: date) -> dict:
    """The outbox row announcing a transition (events.enqueue's arguments), shared by perform_action and
    the batch close of workflows.batch so both write the same message."""
    return dict(
        topic=Topic.for_action(action),
        case=case,
        payload={
            "case_id": case.pk,
            "reference": case.reference,
            "kind": case.kind,
            "unit_id": case.unit_id,
            "action": action,
            "from_state": from_state,
            "to_state": case.state,
            "actor_id": getattr(actor, "pk", None),
            "effective_date": effective_date.isoformat(),
            "version": case.version,
        },
        dedup_key=f"case:{case.pk}:v{case.version}",
    )

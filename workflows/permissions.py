"""Which role may take which action (DOMAIN.md §13), in the unit that holds the case."""

from __future__ import annotations

from casework.access import can_act_in, is_system_admin, roles_in
from casework.choices import Action, Role
from casework.models import Case

RECEPTION_ACTIONS = frozenset(
    {
        Action.REVIEW,
        Action.TRANSFER,
        Action.GUIDE,
        Action.FILE,
        Action.WITHDRAW,
        Action.APPEAL,
        Action.AWAIT_CITIZEN,
        Action.CITIZEN_RESPONDED,
    }
)
HANDLER_ACTIONS = frozenset({Action.SUBMIT_FOR_APPROVAL})
HEAD_ACTIONS = (
    frozenset(
        {
            Action.ACCEPT,
            Action.REJECT,
            Action.START_VERIFICATION,
            Action.RETURN_FOR_REVISION,
            Action.APPROVE,
            Action.EXTEND,
            Action.SUSPEND,
            Action.RESUME,
            Action.CLOSE,
            Action.PUBLISH,
            Action.RECORD_IMPLEMENTATION,
        }
    )
    | RECEPTION_ACTIONS
    | HANDLER_ACTIONS
)
# What the clock may do by itself (actor None): close a first-round complaint whose appeal window lapsed.
SYSTEM_ACTIONS = frozenset({Action.CLOSE})

INTAKE_ROLES = {Role.RECEPTION_OFFICER, Role.UNIT_HEAD}


def may_perform(actor, case: Case, action: Action | str) -> bool:
    if actor is None:
        return action in SYSTEM_ACTIONS
    if is_system_admin(actor):
        return True
    roles = roles_in(actor, case.unit)
    if Role.ADMINISTRATOR in roles or Role.UNIT_HEAD in roles:
        return action in HEAD_ACTIONS
    if Role.RECEPTION_OFFICER in roles and action in RECEPTION_ACTIONS:
        return True
    return Role.HANDLER in roles and action in HANDLER_ACTIONS and case.handler_id == actor.pk


def permission_key(actor, case: Case) -> tuple:
    """Everything may_perform reads of `actor` and `case` besides the action: two cases with the same
    key are permitted the same actions by it (a list page remembers them per key)."""
    if actor is None:
        return (None,)
    if is_system_admin(actor):
        return (actor.pk, True)
    return (actor.pk, False, roles_in(actor, case.unit), case.handler_id == actor.pk)


def may_register(actor, unit) -> bool:
    return can_act_in(actor, unit, INTAKE_ROLES)

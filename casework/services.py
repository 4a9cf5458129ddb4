"""Domain services of casework: units, roles, dialogues. Plain functions with keyword arguments."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events
from .access import can_act_in
from .choices import CaseKind, DialogueKind, Role
from .models import Case, Dialogue, Membership, Unit, UnitLevel


class ServiceError(Exception):
    """Invalid input to a casework service: `errors` maps field names to messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class NotPermitted(Exception):
    code = "forbidden"


def create_unit(
    *,
    code: str,
    name: str,
    level: UnitLevel,
    parent: Unit | None = None,
    is_remote: bool = False,
    head=None,
    address: str = "",
) -> Unit:
    if parent is not None and level.rank < parent.level.rank:
        raise ServiceError({"level": [_("A unit cannot rank above its parent.")]})
    return Unit.objects.create(
        code=code, name=name, level=level, parent=parent, is_remote=is_remote, head=head, address=address
    )


@transaction.atomic
def grant_role(*, user, unit: Unit, role: str) -> Membership:
    """Give `user` the role in `unit`: the group brings the permissions, the membership the scope."""
    if role not in Role.values:
        raise ServiceError({"role": [_("Unknown role.")]})
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True  # roles work in the admin
        user.save(update_fields=["is_staff"])
    if role == Role.UNIT_HEAD and unit.head_id is None:
        unit.head = user
        unit.save(update_fields=["head"])
    return membership


@transaction.atomic
def revoke_role(*, user, unit: Unit, role: str) -> None:
    Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if not Membership.objects.filter(user=user, role=role).exists():
        user.groups.remove(*Group.objects.filter(name=role))


DIALOGUE_ROLES = {Role.UNIT_HEAD, Role.HANDLER, Role.RECEPTION_OFFICER}


@transaction.atomic
def record_dialogue(
    *,
    actor,
    unit: Unit,
    kind: str,
    chair,
    held_at: datetime,
    place: str,
    participants: str = "",
    minutes: str = "",
    agreed_points: str = "",
    cases: list[Case] | None = None,
    complainant_attended: bool = True,
    absence_with_valid_reason: bool = False,
) -> Dialogue:
    """Record a dialogue session; for a case dialogue the minutes satisfy the machines' dialogue guard."""
    if not can_act_in(actor, unit, DIALOGUE_ROLES):
        raise NotPermitted(_("Only staff of %(unit)s record its dialogues.") % {"unit": unit})
    cases = cases or []
    errors: dict[str, list[str]] = {}
    if kind not in DialogueKind.values:
        errors["kind"] = [_("Unknown dialogue kind.")]
    if kind == DialogueKind.CASE and not cases:
        errors["cases"] = [_("A case dialogue is linked to at least one case.")]
    if any(c.unit_id != unit.pk for c in cases):
        errors["cases"] = [_("Only cases held by %(unit)s.") % {"unit": unit}]
    if any(c.kind == CaseKind.DENUNCIATION for c in cases):
        errors["cases"] = [_("Denunciations are not resolved through dialogue with the denouncer.")]
    if held_at > timezone.now():
        errors["held_at"] = [_("Record a dialogue once it has been held.")]
    if not place.strip():
        errors["place"] = [_("This field is required.")]
    if complainant_attended and absence_with_valid_reason:
        errors["absence_with_valid_reason"] = [_("Only for an absent complainant.")]
    if errors:
        raise ServiceError(errors)
    dialogue = Dialogue.objects.create(
        kind=kind,
        unit=unit,
        chair=chair,
        held_at=held_at,
        place=place,
        participants=participants,
        minutes=minutes,
        agreed_points=agreed_points,
        complainant_attended=complainant_attended,
        absence_with_valid_reason=absence_with_valid_reason,
        recorded_by=actor,
    )
    dialogue.cases.set(cases)
    attendance = (
        _("attended")
        if complainant_attended
        else (
            _("absent with valid reason") if absence_with_valid_reason else _("absent without valid reason")
        )
    )
    for case in cases:
        events.case_noted(
            case=case,
            actor=actor,
            action="dialogue_recorded",
            note=_("Dialogue at %(place)s; complainant %(att)s.") % {"place": place, "att": attendance},
            changes={"dialogue_id": [None, dialogue.pk]},
        )
    return dialogue

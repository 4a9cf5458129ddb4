"""Domain services of casework: units, roles, dialogues, corrections of a person's identity, a coerced
withdrawal. Plain functions with keyword arguments."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events
from .access import can_act_in
from .choices import AuditStep, CaseKind, CaseState, DialogueKind, Role
from .confidentiality import can_see_denouncer
from .models import Case, Dialogue, Membership, Party, PartyCorrection, Unit, UnitLevel
from .text import as_written, text_errors


class ServiceError(Exception):
    """Invalid input to a casework service: `errors` maps field names to messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]], codes: dict[str, list[str]] | None = None):
        super().__init__(errors)
        self.errors = errors
        # The code of each message where the caller has one; the others are `invalid`.
        self.codes = {k: (codes or {}).get(k, ["invalid"] * len(v)) for k, v in errors.items()}


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


# A case dialogue is part of resolving the case: after acceptance, before the decision, held by the
# handler or the head (reception may record the minutes through record_dialogue, but is not offered it
# on the case). Denunciations are not resolved through dialogue (record_dialogue refuses them).
CASE_DIALOGUE_STATES = frozenset({CaseState.ACCEPTED, CaseState.VERIFYING, CaseState.AWAITING_APPROVAL})
CASE_DIALOGUE_HOLDERS = frozenset({Role.HANDLER, Role.UNIT_HEAD})


def may_hold_case_dialogue(case: Case, user) -> bool:
    """Whether `user` is the one to hold and record a dialogue on `case` now."""
    return (
        case.kind != CaseKind.DENUNCIATION
        and case.state in CASE_DIALOGUE_STATES
        and can_act_in(user, case.unit, CASE_DIALOGUE_HOLDERS)
    )


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
    codes: dict[str, list[str]] = {}  # of the refusals that depend on today or on the cases held
    if kind not in DialogueKind.values:
        errors["kind"] = [_("Unknown dialogue kind.")]
    if kind == DialogueKind.CASE and not cases:
        errors["cases"] = [_("A case dialogue is linked to at least one case.")]
    if any(c.unit_id != unit.pk for c in cases):
        errors["cases"] = [_("Only cases held by %(unit)s.") % {"unit": unit}]
        codes["cases"] = ["not_at_unit"]
    if any(c.kind == CaseKind.DENUNCIATION for c in cases):
        errors["cases"] = [_("Denunciations are not resolved through dialogue with the denouncer.")]
        codes["cases"] = ["denunciation"]
    if held_at > timezone.now():
        errors["held_at"] = [_("Record a dialogue once it has been held.")]
        codes["held_at"] = ["in_future"]
    if not place.strip():
        errors["place"] = [_("This field is required.")]
    if complainant_attended and absence_with_valid_reason:
        errors["absence_with_valid_reason"] = [_("Only for an absent complainant.")]
    # Minutes of invisible characters alone would satisfy the machines' dialogue guard with a blank record.
    texts = {"place": place, "participants": participants, "minutes": minutes, "agreed_points": agreed_points}
    text_errors(errors, texts, codes=codes)
    if errors:
        raise ServiceError(errors, codes)
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
            action=AuditStep.DIALOGUE_RECORDED,
            note=_("Dialogue at %(place)s; complainant %(att)s.") % {"place": place, "att": attendance},
            changes={"dialogue_id": [None, dialogue.pk]},
        )
    return dialogue


# --- A person's identity -------------------------------------------------------------------------

# What a correction may change: the identity as written on a paper. search_name follows full_name.
CORRECTABLE_FIELDS = ("full_name", "id_number", "address", "phone", "email")
CORRECTION_ROLES = {Role.RECEPTION_OFFICER, Role.UNIT_HEAD}


def _may_correct(actor, party: Party) -> bool:
    """Staff who register papers (reception, the head) of a unit where the person is on a case they
    may see the identity of, or in its reception book. A sealed denouncer is corrected only by those
    who may see them (the resolver, the registering officer)."""
    for link in party.case_links.select_related("case__unit"):
        if can_act_in(actor, link.case.unit, CORRECTION_ROLES) and (
            not link.confidential or can_see_denouncer(actor, link.case)
        ):
            return True
    return any(
        can_act_in(actor, visit.unit, CORRECTION_ROLES) for visit in party.visits.select_related("unit")
    )


def check_party_correction(
    *, party: Party, actor, changes: dict[str, str], reason: str
) -> dict[str, list[str]]:
    """What correct_party would change ({field: [old, new]}), or NotPermitted / ServiceError saying why
    it refuses; writes nothing (forms call it to show the refusal before anything is saved)."""
    if not _may_correct(actor, party):
        raise NotPermitted(
            _(
                "Only the reception officers and the head of a unit handling this person's papers "
                "correct their identity."
            )
        )
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        errors["changes"] = [_("Not a correctable field: %(f)s.") % {"f": ", ".join(unknown)}]
    codes: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the correction (e.g. the ID card shown).")]
    text_errors(errors, {"reason": reason}, codes=codes)
    values = {f: as_written(str(v or "")) for f, v in changes.items() if f in CORRECTABLE_FIELDS}
    for f, v in values.items():
        max_length = Party._meta.get_field(f).max_length
        if max_length and len(v) > max_length:
            errors[f] = [_("At most %(n)d characters.") % {"n": max_length}]
    if "full_name" in values and not values["full_name"]:
        errors["full_name"] = [_("A correction cannot erase the name.")]
    diff = {f: [getattr(party, f), v] for f, v in values.items() if getattr(party, f) != v}
    if not errors and not diff:
        errors["changes"] = [_("Nothing to correct: the record already reads so.")]
    if errors:
        raise ServiceError(errors, codes)
    return diff


@transaction.atomic
def correct_party(*, party: Party, actor, changes: dict[str, str], reason: str) -> PartyCorrection:
    """Correct a person's stored identity, the one way it ever changes (intake never rewrites it): the
    new values apply to every case naming this record, and an append-only PartyCorrection keeps who,
    when, why and each field's old and new value."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    diff = check_party_correction(party=party, actor=actor, changes=changes, reason=reason)
    for f, (_old, new) in diff.items():
        setattr(party, f, new)
    party.save(update_fields=list(diff))
    return PartyCorrection.objects.create(party=party, actor=actor, changes=diff, reason=reason.strip())


# --- A coerced withdrawal -----------------------------------------------------------------------


@transaction.atomic
def record_coerced_withdrawal(*, case: Case, actor, reason: str) -> Case:
    """Record that a complaint was withdrawn under coercion, so its content may be examined again
    (Law 136/2025; from 1/7/2026 intake flags a withdrawn content raised again unless this is
    recorded). The reception officers and the head of the case's unit record it; it is audited."""
    case = Case.objects.select_for_update().select_related("unit").get(pk=case.pk)
    if not can_act_in(actor, case.unit, CORRECTION_ROLES):
        raise NotPermitted(
            _("Only the reception officers and the head of %(unit)s record this.") % {"unit": case.unit}
        )
    errors: dict[str, list[str]] = {}
    if case.kind != CaseKind.COMPLAINT or case.state != CaseState.WITHDRAWN:
        errors["case"] = [_("Only a complaint withdrawn in full can have been withdrawn under coercion.")]
    elif case.withdrawal_coerced:
        errors["case"] = [_("Already recorded.")]
    codes: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say how the withdrawal was coerced and on what evidence.")]
    text_errors(errors, {"reason": reason}, codes=codes)
    if errors:
        raise ServiceError(errors, codes)
    case.withdrawal_coerced = True
    case.version += 1
    case.save(update_fields=["withdrawal_coerced", "version", "updated_at"])
    events.case_noted(
        case=case,
        actor=actor,
        action=AuditStep.WITHDRAWAL_COERCED,
        note=reason.strip(),
        changes={"withdrawal_coerced": [False, True]},
    )
    return case

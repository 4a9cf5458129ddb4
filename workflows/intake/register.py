"""Registering a case: the people on its paper, the case row, its intake clocks, audit and outbox."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from casework import events
from casework.choices import CaseKind, DeadlineKind, PartyKind, PartyRole, Topic
from casework.models import Case, CaseParty, Party
from casework.rules import policy
from casework.text import as_written

from .. import clocks
from ..errors import Forbidden
from ..permissions import may_register
from .checks import intake_checks, validate
from .inputs import PARTY_FIELDS, CaseInput, PetitionerInput
from .numbering import next_number

# The people on a paper and the flags their identities raised, resolved before anything links them.
Resolved = tuple[list[Party], list[dict[str, Any]]]


def _differing_fields(p: PetitionerInput, party: Party) -> list[str]:
    return [f for f in PARTY_FIELDS if as_written(getattr(p, f)) != as_written(getattr(party, f))]


def party_for(p: PetitionerInput) -> tuple[Party, list[str]]:
    """The Party for a petitioner exactly as written on this paper, and the identity fields in which
    the paper differs from every open record on file with the same ID number.

    A Party on file is reused only when every identity field agrees with the paper, so no earlier case
    ever shows what a later paper typed (a stored identity changes only through
    casework.services.correct_party, which is audited). Otherwise this paper gets its own record."""
    kind = p.kind or PartyKind.PERSON
    values = {f: getattr(p, f) for f in PARTY_FIELDS}
    if not p.id_number:
        return Party.objects.create(kind=kind, **values), []
    on_file = list(Party.objects.filter(id_number=p.id_number).order_by("id"))
    same = next((q for q in on_file if q.kind == kind and not _differing_fields(p, q)), None)
    if same is not None:
        return same, []
    party = Party.objects.create(kind=kind, **values)
    # A sealed denouncer's record is never described to the desk, not even as being on file.
    open_records = [q for q in on_file if not q.case_links.filter(confidential=True).exists()]
    if not open_records:
        return party, []
    return party, [
        f
        for f in PARTY_FIELDS
        if values[f] and all(as_written(getattr(q, f)) != as_written(values[f]) for q in open_records)
    ]


def resolve_parties(petitioners: list[PetitionerInput]) -> Resolved:
    """The people on one paper, and an `identity_differs` flag for each petitioner whose ID number is
    on file under another name (or address, phone, email), so the officer can check the paper."""
    parties, flags = [], []
    for i, p in enumerate(petitioners):
        party, differing = party_for(p)
        parties.append(party)
        if differing:
            flags.append(
                {
                    "code": "identity_differs",
                    "fields": differing,
                    "message": _(
                        "Petitioner %(i)d: a person with the same ID number is on file with a different "
                        "%(fields)s. This paper is kept as written; if the record on file is wrong, have "
                        "it corrected."
                    )
                    % {
                        "i": i + 1,
                        "fields": ", ".join(str(Party._meta.get_field(f).verbose_name) for f in differing),
                    },
                }
            )
    return parties, flags


def _link_parties(case: Case, petitioners: list[PetitionerInput], parties: list[Party]) -> None:
    confidential = case.kind == CaseKind.DENUNCIATION
    for p, party in zip(petitioners, parties, strict=True):
        CaseParty.objects.get_or_create(
            case=case, party=party, role=PartyRole.PETITIONER, defaults={"confidential": confidential}
        )
        if p.is_representative:
            CaseParty.objects.get_or_create(
                case=case, party=party, role=PartyRole.REPRESENTATIVE, defaults={"confidential": confidential}
            )


def create_case(
    data: CaseInput,
    *,
    actor,
    flags: list[dict],
    transferred_from: Case | None = None,
    resolved: Resolved | None = None,
) -> Case:
    """Write a validated, checked case: its people, the row, the intake clocks, audit and outbox.

    `resolved` gives the people already resolved for this paper (the visitors of a visit, the parties
    of the case a transfer or appeal continues) with the flags their identities raised."""
    parties, identity_flags = resolved if resolved is not None else resolve_parties(data.petitioners)
    year = data.received_at.year
    sequence = next_number(unit=data.unit, year=year, series="case")
    min_group = policy.legal_value("group.min_people", data.received_at)
    case = Case(
        unit=data.unit,
        year=year,
        sequence=sequence,
        reference=f"{data.unit.code.upper()}/{year}/{sequence:05d}",
        kind=data.kind,
        round=data.round if data.kind == CaseKind.COMPLAINT else None,
        channel=data.channel,
        received_at=data.received_at,
        summary=data.summary.strip(),
        respondent_unit=data.respondent_unit,
        respondent=data.respondent,
        decision_known_at=data.decision_known_at,
        limitation_excuse=data.limitation_excuse,
        several_locations=data.several_locations,
        law_field=data.law_field,
        is_group=len([p for p in data.petitioners if p.full_name]) >= min_group,
        first_round_case=data.first_round_case,
        transferred_from=transferred_from,
        registered_by=actor,
        intake_flags=[*flags, *identity_flags],
    )
    case.save()
    _link_parties(case, data.petitioners, parties)
    for kind in (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE):
        clocks.start_deadline(case=case, kind=kind, on=data.received_at)
    events.case_registered(case=case, actor=actor)
    events.enqueue(
        topic=Topic.CASE_REGISTER,
        case=case,
        payload={
            "case_id": case.pk,
            "reference": case.reference,
            "kind": case.kind,
            "unit_id": case.unit_id,
            "to_state": case.state,
        },
        dedup_key=f"case:{case.pk}:v{case.version}",
    )
    return case


@transaction.atomic
def register_case(data: CaseInput, *, actor) -> Case:
    """Register a letter (or a matter raised at the desk) as a new case at `data.unit`."""
    if not may_register(actor, data.unit):
        raise Forbidden(
            _("Only the reception officers and the head of %(unit)s register cases there.")
            % {"unit": data.unit}
        )
    validate(data)
    return create_case(data, actor=actor, flags=intake_checks(data))

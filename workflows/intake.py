"""Intake: registering letters and visits, the checks that stop a second case being opened where the
law wants a classification, and the linked cases opened by a transfer or an appeal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import confidentiality, events
from casework.choices import (
    TERMINAL_STATES,
    CaseKind,
    CaseState,
    Channel,
    DeadlineKind,
    PartyKind,
    PartyRole,
    ReceptionKind,
    RefusalReason,
    VisitOutcome,
)
from casework.models import Case, CaseParty, Party, ReferenceCounter, Unit, Visit
from casework.rules import policy
from casework.text import fold

from . import clocks
from .errors import Forbidden, ValidationFailed
from .permissions import may_register

SIMILARITY_THRESHOLD = 0.55
PARTY_FIELDS = ("full_name", "id_number", "address", "phone", "email")


@dataclass
class PetitionerInput:
    full_name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    kind: str = PartyKind.PERSON
    is_representative: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PetitionerInput:
        return cls(
            **{
                k: (v if isinstance(v, bool) else str(v or "").strip())
                for k, v in data.items()
                if k in cls.__dataclass_fields__
            }
        )

    @property
    def is_anonymous(self) -> bool:
        return not (self.full_name and (self.address or self.id_number))


@dataclass
class CaseInput:
    unit: Unit
    kind: str
    channel: str
    received_at: date
    summary: str
    petitioners: list[PetitionerInput] = field(default_factory=list)
    round: int | None = None
    first_round_case: Case | None = None
    respondent_unit: Unit | None = None
    respondent: str = ""
    decision_known_at: date | None = None
    limitation_excuse: str = ""
    several_locations: bool = False


# --- Reference numbers --------------------------------------------------------------------------


def next_number(*, unit: Unit, year: int, series: str) -> int:
    """Gap-free sequence per unit, year and series; the counter row is locked until commit."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                    unit=unit, year=year, series=series
                )
            break
        except IntegrityError:  # a concurrent first intake of the year created the row
            continue
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    return counter.last_number


# --- Intake checks ------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normalize(a), _normalize(b)).ratio()


def intake_checks(data: CaseInput) -> list[dict[str, Any]]:
    """Flags for the officer: a possible repeat, a skipped level, an anonymous complaint, a lapsed
    limitation period. They inform the classification; they do not decide it."""
    flags: list[dict[str, Any]] = []
    named = [p for p in data.petitioners if not p.is_anonymous]

    if data.kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION) and not named:
        flags.append(
            {
                "code": f"anonymous_{data.kind}",
                "message": _(
                    "No petitioner gives a name with an address or ID number: an anonymous "
                    "%(kind)s is not accepted (LKN Art. 11; LTC Art. 25)."
                )
                # A translated noun, not the code: the code would show up untranslated in Vietnamese.
                % {"kind": _("complaint") if data.kind == CaseKind.COMPLAINT else _("denunciation")},
            }
        )

    identity = Q()
    for p in named:
        identity |= (
            Q(case_parties__party__id_number=p.id_number)
            if p.id_number
            else Q(
                case_parties__party__search_name=fold(p.full_name),
                case_parties__party__address__iexact=p.address,
            )
        )
    if named:
        candidates = (
            Case.objects.filter(identity, unit=data.unit, kind=data.kind)
            .exclude(state__in=[CaseState.TRANSFERRED, CaseState.WITHDRAWN])
            .distinct()
            .order_by("-received_at")[:50]
        )
        for other in candidates:
            score = similarity(other.summary, data.summary)
            if score >= SIMILARITY_THRESHOLD:
                resolved = other.state in TERMINAL_STATES
                flags.append(
                    {
                        "code": "possible_repeat",
                        "case_id": other.pk,
                        "reference": other.reference,
                        "state": other.state,
                        "similarity": round(score, 2),
                        "message": (
                            _(
                                "The same petitioner has an already resolved case %(ref)s on a similar "
                                "matter: file as already resolved unless there is something new."
                            )
                            if resolved
                            else _(
                                "The same petitioner has an open case %(ref)s on a similar matter: add to it "
                                "rather than opening a second case."
                            )
                        )
                        % {"ref": other.reference},
                    }
                )

    if data.kind == CaseKind.COMPLAINT:
        if (
            data.round == 1
            and data.respondent_unit
            and data.respondent_unit.pk != data.unit.pk
            and data.respondent_unit.is_within(data.unit)
        ):
            flags.append(
                {
                    "code": "skipped_level",
                    "message": _(
                        "A first-round complaint is resolved by %(unit)s, whose decision or act it "
                        "concerns (LKN Arts. 17–21): guide the complainant there."
                    )
                    % {"unit": data.respondent_unit},
                }
            )
        if data.round == 2:
            first = data.first_round_case
            if first is None:
                flags.append(
                    {
                        "code": "first_round_unknown",
                        "message": _("No first-round case is linked; check the first-round decision."),
                    }
                )
            elif first.unit_id == data.unit.pk or not first.unit.is_within(data.unit):
                flags.append(
                    {
                        "code": "skipped_level",
                        "message": _("A second-round complaint goes to the level directly above %(unit)s.")
                        % {"unit": first.unit},
                    }
                )
        if data.round == 1 and data.decision_known_at:
            limit = policy.legal_value("complaint.limitation_days", data.decision_known_at)
            if (data.received_at - data.decision_known_at).days > limit and not data.limitation_excuse:
                flags.append(
                    {
                        "code": "limitation_expired",
                        "message": _(
                            "Received more than %(n)d days after the complainant learned of the decision "
                            "(LKN Art. 9)."
                        )
                        % {"n": limit},
                    }
                )
    if data.kind == CaseKind.DENUNCIATION and confidentiality.names_identity(data.summary, named):
        # Read-time scrubbing hides it from others; the officer should still keep the summary factual.
        flags.append(
            {
                "code": "summary_names_denouncer",
                "message": _(
                    "The summary names the denouncer; only the head and the registering officer will read "
                    "it in clear. Describe the content without the denouncer's identity."
                ),
            }
        )
    return flags


# --- Validation ---------------------------------------------------------------------------------


def _rules_in_force(on: date, code: str = "group.min_people") -> bool:
    """Whether the policy table covers `on`; intake reads these parameters and must not crash on an
    implausibly old date (a typo, or a fuzzer) but refuse it."""
    try:
        policy.legal_parameter(code, on)
    except policy.RuleNotFound:
        return False
    return True


def _validate(data: CaseInput) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if data.kind not in CaseKind.values:
        errors["kind"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(CaseKind.values)}]
    if data.channel not in Channel.values:
        errors["channel"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(Channel.values)}]
    if data.received_at > today:
        errors["received_at"] = [_("Cannot be in the future.")]
    elif not _rules_in_force(data.received_at):
        errors["received_at"] = [_("No legal rules are recorded for a date this early.")]
    if data.decision_known_at and not _rules_in_force(data.decision_known_at, "complaint.limitation_days"):
        errors["decision_known_at"] = [_("No limitation rule is recorded for a date this early.")]
    if not data.summary.strip():
        errors["summary"] = [_("This field is required.")]
    if data.kind == CaseKind.COMPLAINT:
        if data.round not in (1, 2):
            errors["round"] = [_("A complaint is round 1 or 2.")]
        if data.round == 1 and data.first_round_case is not None:
            errors["first_round_case"] = [_("Only a second-round complaint links a first-round case.")]
        if (
            data.round == 2
            and data.first_round_case is not None
            and (data.first_round_case.kind != CaseKind.COMPLAINT or data.first_round_case.round != 1)
        ):
            errors["first_round_case"] = [_("Must be a first-round complaint.")]
    elif data.round is not None:
        errors["round"] = [_("Only complaints have a round.")]
    if data.decision_known_at and data.decision_known_at > data.received_at:
        errors["decision_known_at"] = [_("Cannot be after the date of receipt.")]

    complainants = [p for p in data.petitioners if not p.is_representative or p.full_name]
    representatives = [p for p in data.petitioners if p.is_representative]
    people = len(complainants)
    if (
        representatives
        and "received_at" not in errors
        and people >= policy.legal_value("group.min_people", data.received_at)
    ):
        cap_code = (
            "group.max_representatives_up_to_10" if people <= 10 else "group.max_representatives_over_10"
        )
        cap = policy.legal_value(cap_code, data.received_at)
        if len(representatives) > cap:
            errors["petitioners"] = [
                _("A group of %(n)d people names at most %(cap)d representatives (%(basis)s).")
                % {
                    "n": people,
                    "cap": cap,
                    "basis": policy.translate_citation(
                        policy.legal_parameter(cap_code, data.received_at).citation
                    ),
                }
            ]
    for i, p in enumerate(data.petitioners):
        if p.is_representative and p.is_anonymous:
            errors.setdefault("petitioners", []).append(
                _("Petitioner %(i)d: a representative must give a name and an address or ID.") % {"i": i + 1}
            )
    if errors:
        raise ValidationFailed(errors)


# --- Case registration --------------------------------------------------------------------------


def _party_for(p: PetitionerInput) -> Party:
    """Reuse the person already on file when the ID number matches; otherwise a new record."""
    values = {f: getattr(p, f) for f in PARTY_FIELDS}
    if p.id_number:
        party = Party.objects.filter(id_number=p.id_number).order_by("id").first()
        if party is not None:
            changed = [f for f in PARTY_FIELDS if values[f] and getattr(party, f) != values[f]]
            for f in changed:
                setattr(party, f, values[f])
            if changed:
                party.save(update_fields=changed)
            return party
    return Party.objects.create(kind=p.kind or PartyKind.PERSON, **values)


def _link_parties(case: Case, petitioners: list[PetitionerInput]) -> None:
    confidential = case.kind == CaseKind.DENUNCIATION
    for p in petitioners:
        party = _party_for(p)
        CaseParty.objects.get_or_create(
            case=case, party=party, role=PartyRole.PETITIONER, defaults={"confidential": confidential}
        )
        if p.is_representative:
            CaseParty.objects.get_or_create(
                case=case, party=party, role=PartyRole.REPRESENTATIVE, defaults={"confidential": confidential}
            )


def _create_case(
    data: CaseInput, *, actor, transferred_from: Case | None = None, flags: list[dict] | None = None
) -> Case:
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
        is_group=len([p for p in data.petitioners if p.full_name]) >= min_group,
        first_round_case=data.first_round_case,
        transferred_from=transferred_from,
        registered_by=actor,
        intake_flags=flags or [],
    )
    case.save()
    _link_parties(case, data.petitioners)
    for kind in (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE):
        clocks.start_deadline(case=case, kind=kind, on=data.received_at)
    events.case_registered(case=case, actor=actor)
    events.enqueue(
        topic="case.register",
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
    _validate(data)
    return _create_case(data, actor=actor, flags=intake_checks(data))


def _petitioners_of(case: Case) -> list[PetitionerInput]:
    links = list(case.case_parties.select_related("party"))
    representatives = {cp.party_id for cp in links if cp.role == PartyRole.REPRESENTATIVE}
    return [
        PetitionerInput(
            **{f: getattr(cp.party, f) for f in PARTY_FIELDS},
            kind=cp.party.kind,
            is_representative=cp.party_id in representatives,
        )
        for cp in links
        if cp.role == PartyRole.PETITIONER
    ]


def open_transferred_case(*, source: Case, target_unit: Unit, actor, on: date) -> Case:
    """The linked case at the competent unit. A denouncer's identity does not travel (LTC Art. 47)."""
    petitioners = [] if source.kind == CaseKind.DENUNCIATION else _petitioners_of(source)
    data = CaseInput(
        unit=target_unit,
        kind=source.kind,
        channel=Channel.TRANSFERRED_IN,
        received_at=on,
        # The identity travels neither as a petitioner nor inside the text (LTC Art. 47).
        summary=confidentiality.strip_identity(source.summary, source),
        petitioners=petitioners,
        round=source.round,
        first_round_case=source.first_round_case,
        respondent_unit=source.respondent_unit,
        respondent=confidentiality.strip_identity(source.respondent, source),
        decision_known_at=source.decision_known_at,
        limitation_excuse=confidentiality.strip_identity(source.limitation_excuse, source),
        several_locations=source.several_locations,
    )
    from .machines import denouncer_identified

    flags = intake_checks(data)
    if source.kind == CaseKind.DENUNCIATION and denouncer_identified(source):
        # Stripped for confidentiality, not anonymous: the sending unit checked the identity.
        flags = [f for f in flags if f["code"] != "anonymous_denunciation"]
    return _create_case(data, actor=actor, transferred_from=source, flags=flags)


def open_appeal_case(*, first_round: Case, target_unit: Unit | None, actor, on: date) -> Case:
    """A second-round complaint at the unit above the first-round unit (LKN Arts. 17–21)."""
    target = target_unit or first_round.unit.parent
    if target is None:
        raise ValidationFailed(
            {"target_unit": [_("The first-round unit has no higher unit; name the target.")]}
        )
    petitioners = _petitioners_of(first_round)
    data = CaseInput(
        unit=target,
        kind=CaseKind.COMPLAINT,
        channel=Channel.FORWARDED,
        received_at=on,
        summary=first_round.summary,
        petitioners=petitioners,
        round=2,
        first_round_case=first_round,
        respondent_unit=first_round.unit,
        respondent=first_round.respondent,
    )
    return _create_case(data, actor=actor, flags=intake_checks(data))


# --- Reception book -----------------------------------------------------------------------------


@dataclass
class VisitInput:
    unit: Unit
    visited_at: datetime
    summary: str
    visitors: list[PetitionerInput]
    cases: list[CaseInput] = field(default_factory=list)
    visitor_count: int | None = None
    reception_kind: str = ReceptionKind.REGULAR
    received_by_head: bool = False
    refusal_reason: str = ""
    guidance: str = ""
    previously_handled_by: str = ""
    existing_cases: list[Case] = field(default_factory=list)
    notes: str = ""


def _visit_outcome(data: VisitInput) -> str:
    if data.refusal_reason:
        return VisitOutcome.REFUSED
    if data.cases:
        return VisitOutcome.CASES_OPENED
    if data.guidance:
        return VisitOutcome.GUIDED
    return VisitOutcome.ADDED_TO_CASE


@transaction.atomic
def record_visit(data: VisitInput, *, actor) -> Visit:
    """Write one line of the reception book, opening any cases raised at the desk."""
    if not may_register(actor, data.unit):
        raise Forbidden(
            _("Only the reception officers and the head of %(unit)s record visits there.")
            % {"unit": data.unit}
        )
    errors: dict[str, list[str]] = {}
    if not data.visitors:
        errors["visitors"] = [_("At least one visitor is required (visitors identify themselves).")]
    if data.visited_at > timezone.now():
        errors["visited_at"] = [_("Cannot be in the future.")]
    elif not _rules_in_force(data.visited_at.date()):
        errors["visited_at"] = [_("No legal rules are recorded for a date this early.")]
    if not data.summary.strip():
        errors["summary"] = [_("This field is required.")]
    if data.refusal_reason and data.refusal_reason not in RefusalReason.values:
        errors["refusal_reason"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(RefusalReason.values)}]
    if data.refusal_reason and data.cases:
        errors["cases"] = [_("A refused visit opens no case.")]
    if not (data.refusal_reason or data.cases or data.guidance or data.existing_cases):
        errors["outcome"] = [
            _("Record the outcome: cases opened, guidance given, an existing case, or the refusal reason.")
        ]
    count = data.visitor_count or len(data.visitors)
    if count < len(data.visitors):
        errors["visitor_count"] = [_("Cannot be less than the visitors listed.")]
    for case in data.existing_cases:
        if case.unit_id != data.unit.pk:
            errors.setdefault("existing_cases", []).append(
                _("Case %(ref)s is not at this unit.") % {"ref": case.reference}
            )
    if errors:
        raise ValidationFailed(errors)

    visited_on = (
        timezone.localtime(data.visited_at).date()
        if timezone.is_aware(data.visited_at)
        else data.visited_at.date()
    )
    visit = Visit.objects.create(
        unit=data.unit,
        year=visited_on.year,
        book_number=next_number(unit=data.unit, year=visited_on.year, series="visit"),
        officer=actor,
        visited_at=data.visited_at,
        reception_kind=data.reception_kind,
        received_by_head=data.received_by_head,
        visitor_count=count,
        is_group=count >= policy.legal_value("group.min_people", visited_on),
        summary=data.summary.strip(),
        previously_handled_by=data.previously_handled_by,
        outcome=_visit_outcome(data),
        refusal_reason=data.refusal_reason,
        guidance=data.guidance,
        notes=data.notes,
    )
    visit.visitors.set([_party_for(v) for v in data.visitors])
    opened = []
    for i, case_data in enumerate(data.cases):
        case_data.unit, case_data.received_at = data.unit, visited_on
        case_data.petitioners = case_data.petitioners or list(data.visitors)
        try:
            _validate(case_data)
        except ValidationFailed as failure:
            raise ValidationFailed({f"cases[{i}].{k}": v for k, v in failure.errors.items()}) from None
        opened.append(_create_case(case_data, actor=actor, flags=intake_checks(case_data)))
    visit.cases.set(opened + list(data.existing_cases))
    return visit

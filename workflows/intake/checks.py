"""The checks at intake: flags that inform the officer's classification (a possible repeat, a content
withdrawn before, a skipped level, an anonymous complaint, a lapsed limitation period) and the
validation that refuses a paper the system cannot register."""

from __future__ import annotations

import re
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import confidentiality
from casework.choices import TERMINAL_STATES, CaseKind, CaseState, Channel, PartyKind
from casework.models import Case
from casework.rules import periods, policy
from casework.text import fold, has_visible_text, looks_like_id_number, looks_like_phone, text_errors

from ..errors import ValidationFailed
from .inputs import CaseInput, PetitionerInput

SIMILARITY_THRESHOLD = 0.55


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normalize(a), _normalize(b)).ratio()


def _withdrawn_content_barred(case: Case, received_at: date) -> bool:
    """Law 136/2025 (from 1/7/2026): content withdrawn in full is not examined again unless the
    withdrawal was coerced. Judged on the date the new paper is received."""
    return (
        case.kind == CaseKind.COMPLAINT
        and not case.withdrawal_coerced
        and bool(policy.legal_value("complaint.withdrawn_content_not_reexamined", received_at))
    )


def _repeat_flags(data: CaseInput, named: list) -> list[dict[str, Any]]:
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
    candidates = (
        Case.objects.filter(identity, unit=data.unit, kind=data.kind)
        .exclude(state=CaseState.TRANSFERRED)
        .distinct()
        .order_by("-received_at")[:50]
    )
    flags: list[dict[str, Any]] = []
    for other in candidates:
        if other.state == CaseState.WITHDRAWN and not _withdrawn_content_barred(other, data.received_at):
            continue  # before Law 136/2025, or coerced: a withdrawn matter may be raised again
        score = similarity(other.summary, data.summary)
        if score < SIMILARITY_THRESHOLD:
            continue
        flag = {
            "code": "possible_repeat",
            "case_id": other.pk,
            "reference": other.reference,
            "state": other.state,
            "similarity": round(score, 2),
        }
        if other.state == CaseState.WITHDRAWN:
            rule = policy.legal_parameter("complaint.withdrawn_content_not_reexamined", data.received_at)
            flag["code"] = "withdrawn_repeat"
            flag["message"] = _(
                "The same petitioner withdrew case %(ref)s on a similar matter in full: withdrawn content "
                "is not examined again unless the withdrawal was coerced (%(basis)s). If it was coerced, "
                "record that on %(ref)s."
            ) % {"ref": other.reference, "basis": policy.translate_citation(rule.citation)}
        elif other.state in TERMINAL_STATES:
            flag["message"] = _(
                "The same petitioner has an already resolved case %(ref)s on a similar "
                "matter: file as already resolved unless there is something new."
            ) % {"ref": other.reference}
        else:
            flag["message"] = _(
                "The same petitioner has an open case %(ref)s on a similar matter: add to it "
                "rather than opening a second case."
            ) % {"ref": other.reference}
        flags.append(flag)
    return flags


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

    if named:
        flags.extend(_repeat_flags(data, named))

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
        if (
            data.round == 1
            and data.decision_known_at
            and not data.limitation_excuse
            and data.received_at > periods.limitation_last_day(data.decision_known_at)
        ):
            flags.append(
                {
                    "code": "limitation_expired",
                    "message": _(
                        "Received more than %(n)d days after the complainant learned of the decision "
                        "(LKN Art. 9)."
                    )
                    % {"n": policy.legal_value("complaint.limitation_days", data.decision_known_at)},
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


def rules_in_force(on: date, code: str = "group.min_people") -> bool:
    """Whether the policy table covers `on`; intake reads these parameters and must not crash on an
    implausibly old date (a typo, or a fuzzer) but refuse it."""
    try:
        policy.legal_parameter(code, on)
    except policy.RuleNotFound:
        return False
    return True


def max_people() -> int:
    """People one paper or one visit may name (settings.INTAKE_MAX_PETITIONERS): a collective letter
    names its representatives and counts the rest (`visitor_count`), it does not list a crowd."""
    return settings.INTAKE_MAX_PETITIONERS


def people_errors(
    people: list[PetitionerInput], field: str, codes: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """The people named on a paper or at the desk: a bounded list; each gives a name, except someone
    who gives only a way to reach them (address, phone or e-mail) and stays anonymous; an anonymous
    letter lists nobody. Phone numbers and ID numbers must look like one. Each message's code goes to
    `codes` when given (`not_visible` for invisible text, as elsewhere; `invalid` for the rest)."""
    errors: dict[str, list[str]] = {}
    codes = {} if codes is None else codes

    def refuse(key: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(key, []).append(message)
        codes.setdefault(key, []).append(code)

    if len(people) > max_people():
        refuse(
            field,
            _("At most %(n)d people per paper; name the representatives and give the number of people.")
            % {"n": max_people()},
        )
        return errors  # a list this long is not examined person by person
    for i, p in enumerate(people):
        key = f"{field}[{i}]"
        text_errors(errors, {f"{key}.{f}": getattr(p, f) for f in ("full_name", "address")}, codes=codes)
        if p.kind and p.kind not in PartyKind.values:
            refuse(f"{key}.kind", _("Must be one of: %(c)s.") % {"c": ", ".join(PartyKind.values)})
        named = has_visible_text(p.full_name)
        # A name of invisible characters alone is no name: what follows from it is a matter of visibility.
        unnamed = "not_visible" if p.full_name else "invalid"
        if not named and not (p.id_number or p.address or p.phone or p.email):
            refuse(
                key,
                _(
                    "Empty: give the person's name (or only an address, phone or e-mail to stay anonymous), "
                    "or leave the person out for an anonymous paper."
                ),
                unnamed,
            )
        elif not named and (p.id_number or p.is_representative):
            refuse(
                f"{key}.full_name",
                _("A person who gives an ID number, or represents others, gives a name."),
                unnamed,
            )
        if p.phone and not looks_like_phone(p.phone):
            refuse(
                f"{key}.phone",
                _(
                    "Not a phone number: 8 to 15 digits, optionally starting with +, grouped by spaces, "
                    "dots or dashes."
                ),
            )
        if p.id_number and not looks_like_id_number(
            p.id_number, organization=p.kind == PartyKind.ORGANIZATION
        ):
            refuse(
                f"{key}.id_number",
                _("Not a tax code: 10 digits (a branch adds -NNN) or 13.")
                if p.kind == PartyKind.ORGANIZATION
                else _(
                    "Not an ID number: 12 digits (citizen identity card), 9 (old identity card) or a "
                    "passport number."
                ),
            )
    return errors


def validate(data: CaseInput) -> None:
    # Codes of the refusals that depend on today's date or on the policy table, or on which characters
    # are visible (the rest are `invalid`).
    codes: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = people_errors(data.petitioners, "petitioners", codes)
    today = timezone.localdate()
    if data.kind not in CaseKind.values:
        errors["kind"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(CaseKind.values)}]
    if data.channel not in Channel.values:
        errors["channel"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(Channel.values)}]
    elif data.channel == Channel.APPEAL and not (data.kind == CaseKind.COMPLAINT and data.round == 2):
        errors["channel"] = [_("Only a second-round complaint comes in as a second complaint.")]
    if data.received_at > today:
        errors["received_at"] = [_("Cannot be in the future.")]
        codes["received_at"] = ["in_future"]
    elif not rules_in_force(data.received_at):
        errors["received_at"] = [_("No legal rules are recorded for a date this early.")]
        codes["received_at"] = ["no_rules_in_force"]
    if data.decision_known_at and not rules_in_force(data.decision_known_at, "complaint.limitation_days"):
        errors["decision_known_at"] = [_("No limitation rule is recorded for a date this early.")]
        codes["decision_known_at"] = ["no_rules_in_force"]
    text_errors(
        errors,
        {"summary": data.summary, "respondent": data.respondent, "limitation_excuse": data.limitation_excuse},
        required=("summary",),
        codes=codes,
    )
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
        # Two fields compared with each other, which JSON Schema cannot state.
        codes["decision_known_at"] = ["after_received"]

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
            errors.setdefault("petitioners", []).append(
                _("A group of %(n)d people names at most %(cap)d representatives (%(basis)s).")
                % {
                    "n": people,
                    "cap": cap,
                    "basis": policy.translate_citation(
                        policy.legal_parameter(cap_code, data.received_at).citation
                    ),
                }
            )
    for i, p in enumerate(data.petitioners[: max_people()]):
        if p.is_representative and p.is_anonymous:
            errors.setdefault("petitioners", []).append(
                _("Petitioner %(i)d: a representative must give a name and an address or ID.") % {"i": i + 1}
            )
    if errors:
        raise ValidationFailed(errors, codes)

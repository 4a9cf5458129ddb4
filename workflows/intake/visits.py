"""The reception book: one line per visit, opening the cases raised at the desk."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.choices import RefusalReason, VisitOutcome
from casework.models import Visit
from casework.rules import policy
from casework.text import text_errors

from ..errors import Forbidden, ValidationFailed
from ..permissions import may_register
from .checks import intake_checks, people_errors, rules_in_force, validate
from .inputs import VisitInput
from .numbering import next_number
from .register import create_case, resolve_parties


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
    # Codes of the refusals that depend on today's date, the policy table or which characters are
    # visible, or that a schema cannot state (the rest are `invalid`).
    codes: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = people_errors(data.visitors, "visitors", codes)
    if not data.visitors:
        errors["visitors"] = [_("At least one visitor is required (visitors identify themselves).")]
    if data.visited_at > timezone.now():
        errors["visited_at"] = [_("Cannot be in the future.")]
        codes["visited_at"] = ["in_future"]
    elif not rules_in_force(data.visited_at.date()):
        errors["visited_at"] = [_("No legal rules are recorded for a date this early.")]
        codes["visited_at"] = ["no_rules_in_force"]
    text_errors(
        errors,
        {
            "summary": data.summary,
            "guidance": data.guidance,
            "notes": data.notes,
            "previously_handled_by": data.previously_handled_by,
        },
        required=("summary",),
        codes=codes,
    )
    if len(data.cases) > settings.INTAKE_MAX_CASES_PER_VISIT:
        errors["cases"] = [
            _("At most %(n)d cases are opened at one visit.") % {"n": settings.INTAKE_MAX_CASES_PER_VISIT}
        ]
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
        # A bound taken from another field's length: JSON Schema has no way to say it.
        codes["visitor_count"] = ["below_visitors_listed"]
    for case in data.existing_cases:
        if case.unit_id != data.unit.pk:
            errors.setdefault("existing_cases", []).append(
                _("Case %(ref)s is not at this unit.") % {"ref": case.reference}
            )
            codes.setdefault("existing_cases", []).append("not_at_unit")
    if errors:
        raise ValidationFailed(errors, codes)

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
    # The visitors as they identified themselves today; the flags are raised against what was on
    # file before this visit, so the cases opened from it still carry them.
    visitors = resolve_parties(data.visitors)
    visit.visitors.set(visitors[0])
    opened = []
    for i, case_data in enumerate(data.cases):
        case_data.unit, case_data.received_at = data.unit, visited_on
        resolved = None if case_data.petitioners else visitors
        case_data.petitioners = case_data.petitioners or list(data.visitors)
        try:
            validate(case_data)
        except ValidationFailed as failure:
            raise ValidationFailed({f"cases[{i}].{k}": v for k, v in failure.errors.items()}) from None
        opened.append(create_case(case_data, actor=actor, flags=intake_checks(case_data), resolved=resolved))
    visit.cases.set(opened + list(data.existing_cases))
    return visit

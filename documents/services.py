"""Issuing official documents: which templates apply to a case now, and `issue_document`, which
validates what the officer entered, takes the next number of the unit's register for the year and
document kind (a locked counter row: unique and without gaps), stores the filled paper and writes the
number to the case's audit trail, all in one transaction.

Reading: `visible_documents` (scoped like cases) and `paper_for`, the stored paper as one reader may
see it (a denouncer is filled in only where the paper is addressed to them and the reader may see
them; the read is logged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from casework import events
from casework.access import can_act_in, can_view_unit, visible_cases, visible_units
from casework.choices import AuditStep, CaseKind
from casework.confidentiality import can_see_denouncer, record_disclosure, strip_identity
from casework.models import AccessLog, Case, CaseParty, Party, Visit
from casework.text import as_boolean, as_whole_number

from .forms import COMMON_FIELDS, LAYOUTS, FieldSpec, FormContext, build, sealed_placeholder
from .models import Document, DocumentTemplate, RegisterCounter
from .paper import Paper, number_symbol

# --- Errors (each with a stable code; the API maps `status`) -----------------------------------


class DocumentError(Exception):
    code = "invalid"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, errors: dict | None = None, codes: dict | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.errors = errors
        # The code of each message in `errors` where the caller has one; the others are `invalid`.
        self.codes = {k: (codes or {}).get(k, ["invalid"] * len(v)) for k, v in (errors or {}).items()}

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": self.message}
        if self.errors:
            body["errors"] = self.errors
            body["codes"] = self.codes
        return body


class DocumentNotFound(DocumentError):
    code = "not_found"
    status = 404


class DocumentForbidden(DocumentError):
    code = "forbidden"
    status = 403


class InvalidDocument(DocumentError):
    code = "invalid"
    status = 400


class TemplateNotApplicable(DocumentError):
    """The form exists but does not fit the case in its present state (kind, round, state, a missing
    record such as the dialogue the minutes are of)."""

    code = "template_not_applicable"
    status = 409


# --- Templates ----------------------------------------------------------------------------------


def in_force(on: date) -> QuerySet[DocumentTemplate]:
    """The versions in force on `on` (the paper's date): one per code."""
    return DocumentTemplate.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on, code__in=list(LAYOUTS)
    ).order_by("code")


def _case_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "unit", "unit__level", "unit__head", "unit__parent", "respondent_unit", "first_round_case__unit"
    ).prefetch_related(
        Prefetch("case_parties", queryset=CaseParty.objects.select_related("party").order_by("id")),
        "deadlines",
        "transfers__unit",
    )


def _fits(template: DocumentTemplate, case: Case) -> bool:
    return (
        case.kind in template.case_kinds
        and (not template.rounds or case.round in template.rounds)
        and (not template.states or case.state in template.states)
    )


def why_not(template: DocumentTemplate, case: Case, on: date) -> str:
    """Why the template cannot be issued for the case now, or "" when it can."""
    if not _fits(template, case):
        return _("This form does not apply to a %(kind)s in state %(state)s.") % {
            "kind": case.get_kind_display(),
            "state": case.get_state_display(),
        }
    return LAYOUTS[template.code].unavailable(FormContext(case=case, unit=case.unit, on=on))


def applicable_templates(case: Case, on: date | None = None) -> list[DocumentTemplate]:
    """The templates (the versions in force on `on`, default today) that can be issued for `case`."""
    on = on or timezone.localdate()
    return [t for t in in_force(on) if not why_not(t, case, on)]


def may_issue(user, case: Case, template: DocumentTemplate) -> bool:
    return can_act_in(user, case.unit, set(template.issuer_roles))


def field_specs(code: str) -> tuple[FieldSpec, ...]:
    return (*COMMON_FIELDS, *LAYOUTS[code].fields)


# --- Validating what the officer entered -----------------------------------------------------------


def _parse(spec: FieldSpec, raw: Any) -> Any:
    """The value of one field, or raise ValueError with the message."""
    if spec.kind in ("text", "longtext"):
        if not isinstance(raw, str) or "\x00" in raw:  # NUL is no text (PostgreSQL cannot store it)
            raise ValueError(_("Enter text."))
        value = raw.strip()
        if len(value) > spec.max_length:
            raise ValueError(_("At most %(n)d characters.") % {"n": spec.max_length})
        return value
    if spec.kind == "date":
        value = raw if isinstance(raw, date) else parse_date(str(raw)) if raw else None
        if value is None:
            raise ValueError(_("Enter a date as YYYY-MM-DD."))
        return value
    if spec.kind == "integer":
        # The engine's parser for counts on actions (ASCII digits: str.isdigit also took "٣").
        value = as_whole_number(raw)
        if value is None:
            raise ValueError(_("Enter a whole number."))
        if not 0 < value < 10**9:
            raise ValueError(_("Enter a positive number."))
        return value
    if spec.kind == "boolean":
        value = as_boolean(raw)
        if value is None:
            raise ValueError(_("Enter true or false."))
        return value
    if spec.kind == "choice":
        if raw not in dict(spec.choices):
            raise ValueError(_("Choose one of: %(values)s.") % {"values": ", ".join(dict(spec.choices))})
        return raw
    raise ValueError(f"unknown field kind {spec.kind}")  # a programming error, not input


def clean_fields(code: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(values, errors) for the fields posted with the request; unknown fields are errors too."""
    specs = {s.name: s for s in field_specs(code)}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in data:
        if name not in specs:
            errors[name] = [_("This form has no such field.")]
    for name, spec in specs.items():
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                errors[name] = [_("This field is required.")]
            continue
        try:
            values[name] = _parse(spec, raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return values, errors


# --- Issuing --------------------------------------------------------------------------------------


def next_register_number(*, unit, year: int, document_kind: str) -> int:
    """The next outgoing number of the unit's register; the counter row stays locked until the
    caller's transaction ends, so concurrent issuers queue and no number is skipped or repeated."""
    lookup = {"unit": unit, "year": year, "document_kind": document_kind}
    counter = RegisterCounter.objects.select_for_update().filter(**lookup).first()
    if counter is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent first issuer may win the insert
                RegisterCounter.objects.create(**lookup)
        except IntegrityError:
            pass
        counter = RegisterCounter.objects.select_for_update().get(**lookup)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _check_form_code(code: str) -> None:
    if code not in LAYOUTS:
        raise InvalidDocument(
            _("Invalid input."), code="unknown_template", errors={"template": [_("No such form.")]}
        )


def _paper_date(
    values: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    earliest: date,
    too_early,
    too_early_code: str,
    codes: dict[str, list[str]] | None = None,
) -> date:
    """The date on the paper (today unless given), neither in the future nor before `earliest`; raises
    InvalidDocument with every field error collected so far, and the codes of the refusals that depend on
    today or on the case (`codes`, the caller's own among them)."""
    codes = dict(codes or {})
    today = timezone.localdate()
    on = values.get("issued_on") or today
    if "issued_on" in values and on > today:
        errors["issued_on"] = [_("The date on the paper cannot be in the future.")]
        codes["issued_on"] = ["in_future"]
    elif on < earliest:
        errors["issued_on"] = [too_early]
        codes["issued_on"] = [too_early_code]
    if errors:
        raise InvalidDocument(_("Invalid input."), errors=errors, codes=codes)
    return on


def _version_in_force(code: str, on: date) -> DocumentTemplate:
    template = in_force(on).filter(code=code).first()
    if template is None:
        raise TemplateNotApplicable(
            _("No version of this form is in force on %(date)s.") % {"date": f"{on:%d/%m/%Y}"},
            code="template_not_in_force",
        )
    return template


@transaction.atomic
def issue_document(*, case_id: int, template_code: str, actor, data: dict[str, Any]) -> Document:
    """Issue the form `template_code` for the case with the fields in `data`.

    Raises DocumentNotFound, DocumentForbidden, InvalidDocument or TemplateNotApplicable; on any of
    them nothing is written and no number is used."""
    try:
        case = _case_queryset().get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise DocumentNotFound(_("No such case.")) from None
    if not can_view_unit(actor, case.unit):
        raise DocumentNotFound(_("No such case."))
    _check_form_code(template_code)
    values, errors = clean_fields(template_code, data)
    on = _paper_date(
        values,
        errors,
        earliest=case.received_at,
        too_early=_("The date on the paper cannot be before the case was received."),
        too_early_code="before_received",
    )
    template = _version_in_force(template_code, on)
    if not may_issue(actor, case, template):
        raise DocumentForbidden(
            _("Your role in %(unit)s does not allow issuing this document.") % {"unit": case.unit}
        )
    reason = why_not(template, case, on)
    if reason:
        raise TemplateNotApplicable(reason)

    corrected = None
    if "corrects" in values:
        corrected = Document.objects.filter(pk=values["corrects"], case=case).first()
        if corrected is None:
            raise InvalidDocument(
                _("Invalid input."), errors={"corrects": [_("No such document on this case.")]}
            )

    ctx = FormContext(case=case, unit=case.unit, on=on, values=values)
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    if case.kind == CaseKind.DENUNCIATION:
        with translation.override("vi"):
            stored = strip_identity(stored, case)
    document, symbol = _register(ctx, template, actor=actor, stored=stored, corrected=corrected)
    events.case_noted(
        case=case,
        actor=actor,
        action=AuditStep.DOCUMENT_ISSUED,
        note=f"{symbol} — {template.title}",
        changes={
            "document": [None, symbol],
            "template": [None, f"{template.code} v{template.version}"],
            **({"corrects": [None, corrected.symbol]} if corrected else {}),
        },
    )
    return document


def _register(ctx: FormContext, template: DocumentTemplate, *, actor, stored: dict, corrected) -> tuple:
    """Fill the paper, take the register's next number and write the document (case or visit)."""
    layout = LAYOUTS[template.code]
    # The paper is filled before the number is taken: the counter row is locked only for the insert.
    with translation.override("vi"):  # the paper is Vietnamese whoever issues it
        paper = build(ctx, layout, template, symbol="{symbol}", corrects="")
    on, unit = ctx.on, ctx.unit
    number = next_register_number(unit=unit, year=on.year, document_kind=template.document_kind)
    symbol = number_symbol(number, template.document_kind, unit)
    paper.symbol = f"Số: {symbol}"
    if corrected is not None:
        paper.corrects = f"Thay thế văn bản số {corrected.symbol} ngày {corrected.issued_on:%d/%m/%Y}."
    document = Document.objects.create(
        case=ctx.case,
        visit=ctx.visit,
        unit=unit,
        template=template,
        year=on.year,
        document_kind=template.document_kind,
        number=number,
        symbol=symbol,
        issued_on=on,
        issued_by=actor,
        fields=stored,
        content=paper.as_dict(),
        corrects=corrected,
    )
    return document, symbol


# --- Issuing for a visit that produced no case ---------------------------------------------------------


def _visit_queryset() -> QuerySet[Visit]:
    return Visit.objects.select_related(
        "unit", "unit__level", "unit__head", "unit__parent", "officer"
    ).prefetch_related(
        Prefetch("visitors", queryset=Party.objects.order_by("id")),
        Prefetch(
            "cases",
            queryset=Case.objects.prefetch_related(
                Prefetch("case_parties", queryset=CaseParty.objects.select_related("party"))
            ),
        ),
    )


def visit_day(visit: Visit) -> date:
    return timezone.localtime(visit.visited_at).date()


def why_not_for_visit(code: str, visit: Visit) -> str:
    """Why the form `code` cannot be issued for the visit, or "" when it can."""
    if visit.outcome not in LAYOUTS[code].visit_outcomes:
        return _("This form is not issued for a visit with the outcome %(outcome)s.") % {
            "outcome": visit.get_outcome_display()
        }
    return ""


def visit_templates(visit: Visit, on: date | None = None) -> list[DocumentTemplate]:
    """The templates (versions in force on `on`, default today) that can be issued for the visit."""
    on = on or timezone.localdate()
    return [t for t in in_force(on) if not why_not_for_visit(t.code, visit)]


def may_issue_for_visit(user, visit: Visit, template: DocumentTemplate) -> bool:
    """The reception staff of the visit's unit and its head (the template's issuer roles there)."""
    return can_act_in(user, visit.unit, set(template.issuer_roles))


def visible_visits(user) -> QuerySet[Visit]:
    return Visit.objects.filter(unit__in=visible_units(user))


@transaction.atomic
def issue_visit_document(*, visit_id: int, template_code: str, actor, data: dict[str, Any]) -> Document:
    """Issue the form `template_code` for a visit that produced no case (the refusal-to-receive
    notice of a refused visit). The ground of refusal is the one recorded on the visit. The document
    takes its number from the unit's same register; the visitors whose identity it carries are
    logged as an export of personal data (a visit has no audit trail of its own: the append-only
    register line and that log are its record).

    Raises like issue_document; on any error nothing is written and no number is used."""
    try:
        visit = _visit_queryset().get(pk=visit_id)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise DocumentNotFound(_("No such visit.")) from None
    if not can_view_unit(actor, visit.unit):
        raise DocumentNotFound(_("No such visit."))
    _check_form_code(template_code)
    reason = why_not_for_visit(template_code, visit)
    if reason:  # before the fields: a visit that was not refused has no ground to fill the form
        raise TemplateNotApplicable(reason)
    specs = {s.name for s in field_specs(template_code)}
    if "refusal_reason" in specs and visit.refusal_reason:
        data = {"refusal_reason": visit.refusal_reason, **data}
    values, errors = clean_fields(template_code, data)
    codes: dict[str, list[str]] = {}
    if values.get("refusal_reason", visit.refusal_reason) != visit.refusal_reason and visit.refusal_reason:
        errors["refusal_reason"] = [_("The ground is the one recorded on the visit.")]
        codes["refusal_reason"] = ["not_as_recorded"]
    on = _paper_date(
        values,
        errors,
        earliest=visit_day(visit),
        too_early=_("The date on the paper cannot be before the visit."),
        too_early_code="before_visit",
        codes=codes,
    )
    template = _version_in_force(template_code, on)
    if not may_issue_for_visit(actor, visit, template):
        raise DocumentForbidden(
            _("Your role in %(unit)s does not allow issuing this document.") % {"unit": visit.unit}
        )

    corrected = None
    if "corrects" in values:
        corrected = Document.objects.filter(pk=values["corrects"], visit=visit).first()
        if corrected is None:
            raise InvalidDocument(
                _("Invalid input."), errors={"corrects": [_("No such document on this visit.")]}
            )

    ctx = FormContext(case=None, visit=visit, unit=visit.unit, on=on, values=values)
    with translation.override("vi"):
        stored = {k: (ctx.clean(v) if isinstance(v, str) else v) for k, v in values.items()}
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in stored.items()}
    document, symbol = _register(ctx, template, actor=actor, stored=stored, corrected=corrected)
    record_disclosure(
        user=actor,
        channel="document",
        detail=f"{symbol} ({template.code} v{template.version}) — visit {visit}",
        reads=[(None, party) for party in ctx.people()] or [(None, None)],
        kind=AccessLog.Kind.EXPORT,
    )
    return document


# --- Reading --------------------------------------------------------------------------------------


def visible_documents(user) -> QuerySet[Document]:
    """The register as `user` may read it: documents of the cases they can see, and of the visits in
    the reception books of their units."""
    return Document.objects.filter(
        Q(case__in=visible_cases(user).values("pk")) | Q(visit__in=visible_visits(user).values("pk"))
    )


@dataclass(frozen=True)
class Rendition:
    paper: Paper
    filename: str


def paper_for(document: Document, reader, *, channel: str = "document") -> Rendition:
    """The stored paper as `reader` receives it. A denunciation paper addressed to the denouncer gets
    the denouncer's name only for a reader who may see them (logged as an unmasked read); every
    download of a paper is logged as an export of personal data."""
    case = document.case
    paper = Paper.from_dict(document.content)
    layout = LAYOUTS[document.template.code]
    detail = f"{document.symbol} ({document.template.code})"
    if case is None:  # a visit's paper: stored as it may be shown, the visitors on it are exported
        visit = _visit_queryset().get(pk=document.visit_id)
        ctx = FormContext(case=None, visit=visit, unit=visit.unit, on=document.issued_on)
        reads = [(None, party) for party in ctx.people()] or [(None, None)]
        record_disclosure(
            user=reader, channel=channel, detail=detail, reads=reads, kind=AccessLog.Kind.EXPORT
        )
        safe = document.symbol.replace("/", "-")
        return Rendition(paper=paper, filename=f"{safe}_{document.template.code}")
    if case.kind == CaseKind.DENUNCIATION and layout.to_petitioner and can_see_denouncer(reader, case):
        links = [link for link in case.case_parties.all() if link.confidential]
        names = ", ".join(link.party.full_name for link in links if link.party.full_name.strip())
        if names:
            token = sealed_placeholder()
            paper = Paper.from_dict(_replace(paper.as_dict(), token, names))
            record_disclosure(
                user=reader, channel=channel, detail=detail, reads=[(case, link.party) for link in links]
            )
    record_disclosure(
        user=reader, channel=channel, detail=detail, reads=[(case, None)], kind=AccessLog.Kind.EXPORT
    )
    safe = document.symbol.replace("/", "-")
    return Rendition(paper=paper, filename=f"{safe}_{document.template.code}")


def _replace(value: Any, token: str, text: str) -> Any:
    if isinstance(value, str):
        return value.replace(token, text)
    if isinstance(value, dict):
        return {k: _replace(v, token, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, token, text) for v in value]
    return value

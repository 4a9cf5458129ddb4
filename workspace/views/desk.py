"""The reception desk: log a visit and open the case(s) it raises on one screen.

The person lookup and the "possible repeat" hints answer htmx requests while the officer types, so the
duplicate shows before anything is saved. One submit calls workflows.intake.record_visit, which writes
the visit and its cases in one transaction or nothing; its refusals come back as field errors.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import people, worklists
from casework.choices import TERMINAL_STATES, DeadlineKind, Role, VisitOutcome
from casework.models import Case, Deadline, Unit, Visit
from casework.selectors import reception_book
from workflows.errors import Forbidden, ValidationFailed
from workflows.forms import ACTION_LABELS
from workflows.intake import intake_checks, record_visit
from workflows.permissions import may_register
from workflows.service import available_actions

from .. import privacy
from ..desk_forms import DATE_FORMAT, MAX_CASES, NEW_PERSON, CaseFormSet, VisitForm, visit_day
from .documents import visit_documents_panel

CASES_PREFIX = "cases"
# What the officer usually does next with a letter just opened at the desk: put it into processing,
# offered beside the new case so that it costs one click from the saved visit.
NEXT_STEP_AFTER_INTAKE = "review"
# record_visit's error keys that name a field of the visit form under another name.
VISIT_ERROR_FIELDS = {"visitors": "full_name", "cases": "outcome"}
CASE_ERROR_FIELDS = {"first_round_case": "first_round_reference", "received_at": None, "petitioners": None}
CASE_ERROR_KEY = re.compile(r"^cases\[(\d+)\]\.(\w+)$")
# The desk names one visitor: intake's "visitors[0].phone" is the form's "phone" ("visitors[0]" its name).
VISITOR_ERROR_KEY = re.compile(r"^visitors\[0\](?:\.(\w+))?$")


def desk_units(user) -> list[Unit]:
    """The units where the user keeps the reception desk (the permission itself is the engine's)."""
    units = worklists.units_where(user, Role.RECEPTION_OFFICER, Role.UNIT_HEAD)
    return [u for u in dict.fromkeys(units) if may_register(user, u)]


def _units_or_403(user) -> list[Unit]:
    units = desk_units(user)
    if not units:
        raise PermissionDenied
    return units


def _forms(request, units: list[Unit], data=None):
    initial = {"visited_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = VisitForm(data, user=request.user, units=units, initial=initial)
    cases = CaseFormSet(data, user=request.user, prefix=CASES_PREFIX)
    return form, cases


def _visit_unit(form: VisitForm, units: list[Unit]) -> Unit:
    chosen = form.data.get("unit", "") if form.is_bound else ""
    return next((u for u in units if str(u.pk) == chosen), units[0])


@login_required
def desk(request):
    units = _units_or_403(request.user)
    if request.method == "POST":
        form, case_forms = _forms(request, units, request.POST)
        visit = _record(request, form, case_forms)
        if visit is not None:
            messages.success(request, _("Visit no. %(n)d recorded.") % {"n": visit.book_number})
            return redirect("workspace:desk-visit", visit_id=visit.pk)
    else:
        form, case_forms = _forms(request, units)
    return _render_desk(request, form, case_forms, units)


def _render_desk(request, form, case_forms, units):
    unit = _visit_unit(form, units)
    q = request.GET.get("q", "").strip()
    person = form.data.get("person", NEW_PERSON) if form.is_bound else NEW_PERSON
    found = privacy.people_found(request.user, people.find_people(request.user, q)) if q else []
    chosen = {str(p.party.pk) for p in found}
    if person != NEW_PERSON and person not in chosen and person.isdigit():
        # The chosen person stays on screen after a refused submit even if the lookup text changed.
        kept = people.person_on_file(request.user, int(person))
        found = privacy.people_found(request.user, [kept]) + found if kept else found
    _focus_first_error(form, case_forms)
    context = {
        "form": form,
        "case_forms": case_forms,
        "units": units,
        "unit": unit,
        "q": q,
        "found": found,
        "person": person,
        "ticked": {str(v) for v in (form.data.getlist("existing_cases") if form.is_bound else [])},
        "max_cases": MAX_CASES,
        "terminal_states": TERMINAL_STATES,
    }
    return render(request, "workspace/desk/desk.html", context, status=400 if form.is_bound else 200)


def _focus_first_error(form: VisitForm, case_forms) -> None:
    """After a refused submit the cursor goes to the first field to correct (keyboard users)."""
    for f in (form, *(case_forms.forms if form.is_bound else [])):
        for name in f.fields:
            if name in f.errors and name != "person" and not f.fields[name].widget.is_hidden:
                f.fields[name].widget.attrs["autofocus"] = True
                return


def _record(request, form: VisitForm, case_forms) -> Visit | None:
    """Parse, hand to the engine, and put its refusals on the fields; None when nothing was saved."""
    if not form.is_valid():
        case_forms.is_valid()  # show the case fields' own errors in the same round
        return None
    opening = form.cleaned_data["outcome"] == VisitOutcome.CASES_OPENED
    if opening and not case_forms.is_valid():
        return None
    cases = []
    if opening:
        day, summary = visit_day(form.cleaned_data["visited_at"]), form.cleaned_data["summary"]
        cases = [
            f.as_input(unit=form.cleaned_data["unit"], visit_summary=summary, visited_on=day)
            for f in case_forms
        ]
    try:
        return record_visit(form.as_input(cases), actor=request.user)
    except Forbidden as refusal:
        form.add_error(None, refusal.message)
    except ValidationFailed as failure:
        _attach_errors(form, case_forms, failure.errors)
    return None


def _attach_errors(form: VisitForm, case_forms, errors: dict[str, list[str]]) -> None:
    for key, messages_ in errors.items():
        match = CASE_ERROR_KEY.match(key)
        if match and int(match[1]) < len(case_forms.forms):
            target = case_forms.forms[int(match[1])]
            name = CASE_ERROR_FIELDS.get(match[2], match[2])
            name = name if name in target.fields else None
        else:
            target = form
            visitor = VISITOR_ERROR_KEY.match(key)
            name = (visitor[1] or "full_name") if visitor else VISIT_ERROR_FIELDS.get(key, key)
            name = name if name in form.fields else None
        for message in messages_:
            target.add_error(name, message)


@login_required
@require_GET
def lookup(request):
    """People on file matching the typed name or ID number, with their visits and cases."""
    units = _units_or_403(request.user)
    q = request.GET.get("q", "").strip()
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit", "")), units[0])
    found = privacy.people_found(request.user, people.find_people(request.user, q)) if q else []
    context = {
        "q": q,
        "found": found,
        "unit": unit,
        "person": request.GET.get("person", NEW_PERSON),
        "ticked": set(),
        "terminal_states": TERMINAL_STATES,
    }
    return render(request, "workspace/desk/people.html", context)


@login_required
@require_POST
def check(request):
    """The engine's intake checks on the draft, before saving: possible repeat, anonymous complaint,
    skipped level, lapsed limitation. Fields not yet filled are simply not checked."""
    units = _units_or_403(request.user)
    form, case_forms = _forms(request, units, request.POST)
    form.is_valid()
    cd = form.cleaned_data
    hints = []
    if "unit" in cd and "visited_at" in cd and cd.get("outcome") == VisitOutcome.CASES_OPENED:
        # Until a person is chosen or named, "anonymous" would only be noise.
        named = form.chosen is not None or cd.get("full_name", "").strip()
        visitors = [form.visitor()] if named and not form.has_error("id_number") else []
        day = visit_day(cd["visited_at"])
        for i, case_form in enumerate(case_forms):
            if not case_form.is_valid():
                continue
            draft = case_form.as_input(unit=cd["unit"], visit_summary=cd.get("summary", ""), visited_on=day)
            draft.petitioners = visitors
            if draft.summary.strip():
                hints += [
                    {**flag, "number": i + 1}
                    for flag in intake_checks(draft)
                    if visitors or not flag["code"].startswith("anonymous_")
                ]
    context = {"hints": hints, "several": len(case_forms.forms) > 1, "checked": True}
    return render(request, "workspace/desk/hints.html", context)


@login_required
@require_GET
def case_form(request):
    """One more case fieldset (a visit that raises several matters)."""
    _units_or_403(request.user)
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        raise Http404 from None
    if not 0 < index < MAX_CASES:
        raise Http404
    formset = CaseFormSet(user=request.user, prefix=CASES_PREFIX)
    form = formset._construct_form(index, **formset.get_form_kwargs(index))
    return render(
        request,
        "workspace/desk/case_fields.html",
        {"case_form": form, "number": index + 1, "total": index + 1, "max_cases": MAX_CASES, "oob": True},
    )


def _desk_visit(request, visit_id: int) -> Visit:
    units = desk_units(request.user)
    visit = (
        Visit.objects.filter(pk=visit_id, unit__in=units)
        .select_related("unit", "officer")
        .prefetch_related(
            "visitors",
            Prefetch(
                "cases",
                queryset=Case.objects.select_related("unit").prefetch_related(
                    Prefetch("deadlines", queryset=Deadline.objects.filter(kind=DeadlineKind.PROCESSING))
                ),
            ),
        )
        .first()
    )
    if visit is None:
        raise Http404
    return visit


@login_required
def visit_page(request, visit_id: int):
    visit = _desk_visit(request, visit_id)
    cases = list(visit.cases.all())
    context = {
        "visit": visit,
        "cases": cases,
        "visitors": privacy.visit_visitors(request.user, visit),
        "next_step": NEXT_STEP_AFTER_INTAKE,
        "next_step_label": ACTION_LABELS[NEXT_STEP_AFTER_INTAKE],
        "next_step_on": {c.pk for c in cases if NEXT_STEP_AFTER_INTAKE in available_actions(c, request.user)},
        "documents_panel": visit_documents_panel(visit, request.user),
    }
    return render(request, "workspace/desk/visit.html", context)


@login_required
def receipt(request, visit_id: int):
    visit = _desk_visit(request, visit_id)
    cases = list(visit.cases.all())
    appointments = [
        {"case": c, "due": next((d.due_date for d in c.deadlines.all()), None)}
        for c in cases
        if c.state not in TERMINAL_STATES
    ]
    context = {
        "visit": visit,
        "visitors": privacy.visit_visitors(request.user, visit),
        "appointments": appointments,
        "printed_on": timezone.localdate(),
    }
    return render(request, "workspace/desk/receipt.html", context)


@login_required
def visits(request):
    """The unit's reception book for one day (today unless another date is asked for)."""
    units = _units_or_403(request.user)
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit", "")), units[0])
    try:
        day = datetime.strptime(request.GET.get("date", "").strip(), DATE_FORMAT).date()
    except ValueError:
        day = timezone.localdate()
    rows = list(reception_book(unit=unit, date_from=day, date_to=day))
    context = {
        "units": units,
        "unit": unit,
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "rows": [{"visit": v, "sealed": privacy.visit_is_sealed(v)} for v in rows],
        "is_today": day == timezone.localdate(),
    }
    return render(request, "workspace/desk/visits.html", context)

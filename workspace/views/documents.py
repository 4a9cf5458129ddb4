"""The case page's "Văn bản" panel: the documents issued for the case (download as PDF or DOCX) and
the forms that apply now, each issued through documents.services.issue_document with the fields its
template asks for. Kept apart from workspace.views.case: the case page only includes the panel.
The desk's visit page has the same for a visit that produced no case (the refusal-to-receive notice
of a refused visit, documents.services.issue_visit_document)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import selectors
from casework.models import Case, Visit
from documents import render as paper_render
from documents.forms import COMMON_FIELDS, FieldSpec
from documents.services import (
    DocumentError,
    applicable_templates,
    field_specs,
    issue_document,
    issue_visit_document,
    may_issue,
    may_issue_for_visit,
    paper_for,
    visible_documents,
    visible_visits,
    visit_templates,
)


def _case_or_404(user, case_id: int) -> Case:
    case = selectors.case_page(user, case_id)
    if case is None:
        raise Http404(_("No such case."))
    return case


def documents_panel(case: Case, user) -> dict:
    """What the panel shows: the case's documents and the templates this user may issue now."""
    today = timezone.localdate()
    return {
        "documents": list(case.documents.select_related("template").order_by("-issued_on", "-id")),
        "templates": [t for t in applicable_templates(case, today) if may_issue(user, case, t)],
    }


def _form_field(spec: FieldSpec) -> forms.Field:
    common = {"label": spec.label, "required": spec.required}
    if spec.kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.kind == "integer":
        return forms.IntegerField(min_value=1, **common)
    if spec.kind == "boolean":
        return forms.BooleanField(**{**common, "required": False})
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *spec.choices], **common)
    if spec.kind == "longtext":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=spec.max_length, **common)
    return forms.CharField(max_length=spec.max_length, **common)


def issue_form(code: str, data=None, *, given: tuple[str, ...] = ()) -> forms.Form:
    """The form's own fields (from its template), then the ones every paper has; `given` are filled
    from the record (a refused visit's ground) and not asked."""
    specs = field_specs(code)
    common = len(COMMON_FIELDS)
    fields = {s.name: _form_field(s) for s in [*specs[common:], *specs[:common]] if s.name not in given}
    form_class = type("DocumentIssueForm", (forms.Form,), fields)
    return form_class(data=data)


@login_required
@require_http_methods(["GET", "POST"])
def case_document_issue(request, case_id: int, code: str):
    case = _case_or_404(request.user, case_id)
    template = next((t for t in applicable_templates(case) if t.code == code), None)
    if template is None or not may_issue(request.user, case, template):
        raise Http404(_("This form cannot be issued for this case now."))
    form = issue_form(code, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            document = issue_document(case_id=case.pk, template_code=code, actor=request.user, data=data)
        except DocumentError as exc:
            for name, errs in (exc.errors or {}).items():
                for e in errs:
                    form.add_error(name if name in form.fields else None, e)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Issued %(symbol)s.") % {"symbol": document.symbol})
            return redirect(reverse("workspace:case", args=[case.pk]) + "#documents")
    context = {
        "case": case,
        "form": form,
        "label": template.title,
        "template": template,
        "post_url": reverse("workspace:case-document-issue", args=[case.pk, code]),
    }
    if request.htmx:
        return render(request, "workspace/partials/document_form.html", context)
    return render(
        request, "workspace/case_form.html", {**context, "partial": "workspace/partials/document_form.html"}
    )


def visit_documents_panel(visit: Visit, user) -> dict:
    """The visit page's documents: those issued for it and the forms this user may issue now."""
    today = timezone.localdate()
    return {
        "documents": list(visit.documents.select_related("template").order_by("-issued_on", "-id")),
        "templates": [t for t in visit_templates(visit, today) if may_issue_for_visit(user, visit, t)],
    }


def _issue_with(form, issue) -> object | None:
    """The document issued from a valid form, or None with the engine's refusal put on the form."""
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    try:
        return issue(data)
    except DocumentError as exc:
        for name, errs in (exc.errors or {}).items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
        if not exc.errors:
            form.add_error(None, exc.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def visit_document_issue(request, visit_id: int, code: str):
    visit = visible_visits(request.user).select_related("unit").filter(pk=visit_id).first()
    if visit is None:
        raise Http404(_("No such visit."))
    template = next((t for t in visit_templates(visit) if t.code == code), None)
    if template is None or not may_issue_for_visit(request.user, visit, template):
        raise Http404(_("This form cannot be issued for this visit."))
    form = issue_form(code, request.POST if request.method == "POST" else None, given=("refusal_reason",))
    if request.method == "POST" and form.is_valid():
        document = _issue_with(
            form,
            lambda data: issue_visit_document(
                visit_id=visit.pk, template_code=code, actor=request.user, data=data
            ),
        )
        if document is not None:
            messages.success(request, _("Issued %(symbol)s.") % {"symbol": document.symbol})
            return redirect(reverse("workspace:desk-visit", args=[visit.pk]) + "#documents")
    back = reverse("workspace:desk-visit", args=[visit.pk])
    context = {
        "visit": visit,
        "form": form,
        "label": template.title,
        "template": template,
        "post_url": reverse("workspace:visit-document-issue", args=[visit.pk, code]),
        "cancel_url": back,
        "crumb": (back, _("Visit no. %(n)s/%(y)s") % {"n": visit.book_number, "y": visit.year}),
    }
    if request.htmx:
        return render(request, "workspace/partials/document_form.html", context)
    return render(
        request, "workspace/case_form.html", {**context, "partial": "workspace/partials/document_form.html"}
    )


@login_required
def document_download(request, document_id: int, fmt: str):
    if fmt not in paper_render.FORMATS:
        raise Http404
    document = get_object_or_404(
        visible_documents(request.user).select_related("case", "template"), pk=document_id
    )
    rendition = paper_for(document, request.user, channel="workspace")
    response = HttpResponse(paper_render.render(rendition.paper, fmt), content_type=paper_render.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{rendition.filename}.{fmt}"'
    return response

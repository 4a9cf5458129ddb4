"""The reception book (sổ tiếp công dân): visits recorded through workflows.intake.record_visit; visitors
sealed and text scrubbed when a visit opened a denunciation the reader may not see.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backoffice.admin.cases import ROUND_CHOICES, PetitionerFormSet, _filled, intake_units
from backoffice.admin.mixins import (
    CapitalizedLabelsMixin,
    CaseLinkedRecordMixin,
    ScopedUnitFilter,
    ServiceAddMixin,
    UnitChoiceField,
    log_personal_data_read,
)
from casework.access import visible_cases
from casework.choices import (
    CaseKind,
    Channel,
    ReceptionKind,
    RefusalReason,
)
from casework.confidentiality import (
    VISIT_FREE_TEXT,
    mask_label,
    visitors_masked_for,
)
from casework.models import (
    Case,
    Unit,
    Visit,
)
from workflows.errors import WorkflowError
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit

# --- Reception book -----------------------------------------------------------------------------


class VisitForm(CapitalizedLabelsMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("unit"))
    visited_at = forms.SplitDateTimeField(label=gettext_lazy("time of visit"), widget=AdminSplitDateTime)
    reception_kind = forms.ChoiceField(
        label=gettext_lazy("reception kind"), choices=ReceptionKind.choices, initial=ReceptionKind.REGULAR
    )
    received_by_head = forms.BooleanField(
        label=gettext_lazy("received by the unit head in person"), required=False
    )
    visitor_count = forms.IntegerField(
        label=gettext_lazy("number of visitors"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: the visitors listed below."),
    )
    summary = forms.CharField(label=gettext_lazy("summary of content"), widget=forms.Textarea)
    previously_handled_by = forms.CharField(
        label=gettext_lazy("body that already handled it"), max_length=200, required=False
    )
    open_case_kind = forms.ChoiceField(
        label=gettext_lazy("open a case of kind"),
        choices=[("", "—"), *CaseKind.choices],
        required=False,
        help_text=gettext_lazy("The visit raises a new matter: a case is registered with the visitors."),
    )
    open_case_round = forms.TypedChoiceField(
        label=gettext_lazy("complaint round"),
        choices=ROUND_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    existing_references = forms.CharField(
        label=gettext_lazy("existing cases discussed"),
        required=False,
        help_text=gettext_lazy("References, separated by commas."),
    )
    guidance = forms.CharField(label=gettext_lazy("guidance given"), widget=forms.Textarea, required=False)
    refusal_reason = forms.ChoiceField(
        label=gettext_lazy("refusal reason"), choices=[("", "—"), *RefusalReason.choices], required=False
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = intake_units(user)

    def clean_existing_references(self) -> list[Case]:
        refs = [r.strip() for r in self.cleaned_data["existing_references"].split(",") if r.strip()]
        found = {c.reference.lower(): c for c in visible_cases(self.user).filter(reference__in=refs)}
        missing = [r for r in refs if r.lower() not in found]
        if missing:
            raise forms.ValidationError(_("Unknown references: %(refs)s.") % {"refs": ", ".join(missing)})
        return list(found.values())

    def as_input(self, visitors: list[PetitionerInput]) -> VisitInput:
        cd = self.cleaned_data
        cases = []
        if cd["open_case_kind"]:
            cases.append(
                CaseInput(
                    unit=cd["unit"],
                    kind=cd["open_case_kind"],
                    channel=Channel.IN_PERSON,
                    received_at=timezone.localtime(cd["visited_at"]).date(),
                    summary=cd["summary"],
                    round=cd["open_case_round"],
                )
            )
        return VisitInput(
            unit=cd["unit"],
            visited_at=cd["visited_at"],
            summary=cd["summary"],
            visitors=visitors,
            cases=cases,
            visitor_count=cd["visitor_count"],
            reception_kind=cd["reception_kind"],
            received_by_head=cd["received_by_head"],
            refusal_reason=cd["refusal_reason"],
            guidance=cd["guidance"],
            previously_handled_by=cd["previously_handled_by"],
            existing_cases=cd["existing_references"],
            notes=cd["notes"],
        )


VISITOR_COLUMNS = ("full_name", "id_number", "address", "phone")


def _visit_is_sealed(visit: Visit) -> bool:
    """A visit that raised a denunciation names the denouncer among its visitors."""
    return any(c.kind == CaseKind.DENUNCIATION for c in visit.cases.all())


@admin.register(Visit)
class VisitAdmin(CaseLinkedRecordMixin, ServiceAddMixin, admin.ModelAdmin):
    """The reception book (sổ tiếp công dân), with the columns of the paper book."""

    service_errors = (WorkflowError,)
    list_display = (
        "book_number",
        "visit_date",
        "visitor_names",
        "short_summary",
        "people",
        "previously_handled_by",
        "action_taken",
        "short_notes",
    )
    list_display_links = ("book_number", "visit_date")
    list_filter = (ScopedUnitFilter, "outcome", "reception_kind", "received_by_head", "is_group")
    list_select_related = ("unit",)
    # No search on visitor names: a hit would reveal a sealed denouncer.
    search_fields = ("summary",)
    date_hierarchy = "visited_at"
    list_per_page = 100
    fields = (
        "unit",
        ("year", "book_number"),
        "officer",
        "visited_at",
        ("reception_kind", "received_by_head"),
        ("visitor_count", "is_group"),
        "summary",
        "previously_handled_by",
        "outcome",
        "refusal_reason",
        "guidance",
        "cases",
        "notes",
    )
    # A line of the book is a record; only the notes (follow-up of the result) are completed later.
    readonly_fields = tuple(
        f for line in fields for f in (line if isinstance(line, tuple) else (line,)) if f != "notes"
    )

    also_prefetch = ("visitors",)

    # The book's free text, scrubbed of a denouncer of a case opened at the visit the reader may not see.
    scrubbed_fields = VISIT_FREE_TEXT

    @admin.display(description=gettext_lazy("date"), ordering="visited_at")
    def visit_date(self, visit: Visit) -> str:
        return formats.date_format(timezone.localtime(visit.visited_at), "d/m/Y H:i")

    @admin.display(description=gettext_lazy("visitors"))
    def visitor_names(self, visit: Visit) -> str:
        if _visit_is_sealed(visit):
            return mask_label()  # lists never unmask; the visit page does, and logs it
        return "; ".join(p.full_name or str(_("(anonymous)")) for p in visit.visitors.all())

    @admin.display(description=gettext_lazy("notes"))
    def short_notes(self, visit: Visit) -> str:
        return visit.notes

    @admin.display(description=gettext_lazy("summary of content"))
    def short_summary(self, visit: Visit) -> str:
        return Truncator(visit.summary).chars(120)

    @admin.display(description=gettext_lazy("kind and number of people"))
    def people(self, visit: Visit) -> str:
        if visit.is_group:
            return _("Group of %(n)d") % {"n": visit.visitor_count}
        return ngettext("Individual", "%(n)d people", visit.visitor_count) % {"n": visit.visitor_count}

    @admin.display(description=gettext_lazy("action taken"), ordering="outcome")
    def action_taken(self, visit: Visit) -> str:
        detail = ""
        if visit.refusal_reason:
            detail = visit.get_refusal_reason_display()
        elif visit.cases.all():
            detail = ", ".join(c.reference for c in visit.cases.all())
        elif visit.guidance:
            detail = Truncator(visit.guidance).chars(60)
        return f"{visit.get_outcome_display()}: {detail}" if detail else visit.get_outcome_display()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        visit = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if visit is not None and self.has_view_permission(request, visit):
            extra["visitor_rows"] = self._visitor_rows(request, visit)
        return super().change_view(request, object_id, form_url, extra)

    def _visitor_rows(self, request, visit: Visit) -> list[dict]:
        if visitors_masked_for(request.user, visit):
            return [dict.fromkeys(VISITOR_COLUMNS, mask_label()) for _party in visit.visitors.all()]
        sealed = next((c for c in visit.cases.all() if c.kind == CaseKind.DENUNCIATION), None)
        rows = []
        for party in visit.visitors.all():
            if request.method == "GET":
                log_personal_data_read(
                    request.user,
                    case=sealed,
                    party=party,
                    unmasked=sealed is not None,
                    detail=f"reception book {visit}",
                )
            rows.append({column: getattr(party, column) for column in VISITOR_COLUMNS})
        return rows

    def build_add_forms(self, request, data):
        form = VisitForm(data, user=request.user, initial={"visited_at": timezone.localtime()})
        return form, [(_("Visitors"), PetitionerFormSet(data, prefix="visitors"))]

    def create_via_service(self, request, form, formsets):
        (_title, visitors), *_rest = formsets
        return record_visit(form.as_input(_filled(visitors)), actor=request.user)

    def after_service_add(self, request, visit: Visit) -> None:
        for case in visit.cases.all():
            for flag in case.intake_flags:
                self.message_user(
                    request,
                    f"{case.reference}: {flag.get('message', '')} [{flag.get('code', '')}]",
                    messages.WARNING,
                )

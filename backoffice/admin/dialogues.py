"""Dialogue sessions: recorded through casework.services.record_dialogue; the narrative is scrubbed of a
sealed denouncer for a reader who may not see them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.admin.mixins import (
    CapitalizedLabelsMixin,
    CaseLinkedRecordMixin,
    ScopedUnitFilter,
    ServiceAddMixin,
    UnitChoiceField,
    unit_queryset,
)
from casework.access import visible_cases, visible_units
from casework.choices import (
    CaseKind,
    CaseState,
    DialogueKind,
)
from casework.confidentiality import DIALOGUE_FREE_TEXT
from casework.models import (
    Case,
    Dialogue,
    Unit,
)
from casework.services import (
    record_dialogue,
)

User = get_user_model()


# --- Dialogues ----------------------------------------------------------------------------------


# Where a dialogue can still inform the resolution (LKN Art. 30).
DIALOGUE_STATES = (CaseState.ACCEPTED, CaseState.VERIFYING, CaseState.AWAITING_APPROVAL, CaseState.SUSPENDED)


class DialogueAddForm(CapitalizedLabelsMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("unit"))
    kind = forms.ChoiceField(choices=DialogueKind.choices, label=gettext_lazy("kind"))
    cases = forms.ModelMultipleChoiceField(
        queryset=Case.objects.none(),
        required=False,
        label=gettext_lazy("cases"),
        help_text=gettext_lazy("Open cases of the unit (not denunciations)."),
    )
    chair = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("chair"))
    held_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label=gettext_lazy("time"))
    place = forms.CharField(max_length=200, label=gettext_lazy("place"))
    participants = forms.CharField(widget=forms.Textarea, required=False, label=gettext_lazy("participants"))
    minutes = forms.CharField(widget=forms.Textarea, required=False, label=gettext_lazy("minutes"))
    agreed_points = forms.CharField(
        widget=forms.Textarea, required=False, label=gettext_lazy("agreed points")
    )
    complainant_attended = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("complainant attended")
    )
    absence_with_valid_reason = forms.BooleanField(
        required=False,
        label=gettext_lazy("absence had a valid reason"),
        help_text=Dialogue._meta.get_field("absence_with_valid_reason").help_text,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_queryset(visible_units(user))
        self.fields["unit"].queryset = units
        self.fields["cases"].queryset = (
            visible_cases(user)
            .exclude(kind=CaseKind.DENUNCIATION)
            .filter(state__in=DIALOGUE_STATES)
            .select_related("unit")
            .order_by("reference")
        )
        self.fields["chair"].queryset = (
            User.objects.filter(is_active=True, memberships__unit__in=units).distinct().order_by("username")
        )


@admin.register(Dialogue)
class DialogueAdmin(CaseLinkedRecordMixin, ServiceAddMixin, admin.ModelAdmin):
    list_display = ("held_at", "kind", "unit", "chair", "place", "attendance", "case_references")
    list_filter = ("kind", ScopedUnitFilter, "complainant_attended")
    list_select_related = ("unit", "chair")
    search_fields = ("place", "participants", "cases__reference")
    date_hierarchy = "held_at"
    # The facts the dialogue guard reads stay as recorded; the narrative can be completed later.
    readonly_fields = (
        "kind",
        "unit",
        "chair",
        "held_at",
        "place",
        "cases",
        "complainant_attended",
        "absence_with_valid_reason",
        "recorded_by",
        "created_at",
    )
    fields = (
        "kind",
        "unit",
        "chair",
        "held_at",
        "place",
        "cases",
        "participants",
        "minutes",
        "agreed_points",
        "complainant_attended",
        "absence_with_valid_reason",
        "recorded_by",
        "created_at",
    )

    # A reader who may not see a denouncer of a linked case reads the narrative scrubbed, and cannot edit it.
    scrubbed_fields = DIALOGUE_FREE_TEXT

    @admin.display(description=gettext_lazy("complainant"))
    def attendance(self, obj: Dialogue) -> str:
        if obj.complainant_attended:
            return _("attended")
        return _("absent with valid reason") if obj.absence_with_valid_reason else _("absent without reason")

    @admin.display(description=gettext_lazy("cases"))
    def case_references(self, obj: Dialogue) -> str:
        return ", ".join(c.reference for c in obj.cases.all())

    def build_add_forms(self, request, data):
        initial: dict[str, Any] = {"held_at": timezone.localtime()}
        case_ids = [v for v in request.GET.get("cases", "").split(",") if v.isdigit()]
        if case_ids:
            initial["cases"] = case_ids
            first = visible_cases(request.user).filter(pk__in=case_ids).first()
            if first is not None:
                initial["unit"] = first.unit_id
        if request.GET.get("kind") in DialogueKind.values:
            initial["kind"] = request.GET["kind"]
        initial.setdefault("chair", request.user.pk)
        return DialogueAddForm(data, user=request.user, initial=initial), []

    def create_via_service(self, request, form, formsets):
        return record_dialogue(
            actor=request.user, cases=list(form.cleaned_data.pop("cases")), **form.cleaned_data
        )

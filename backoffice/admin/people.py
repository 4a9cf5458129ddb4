"""Petitioners on file (the Party model). A sealed denouncer is reached only from the case page.

A person's identity changes only through the audited correction (casework.services.correct_party):
the change page asks for the reason and records who, when, why, old and new. People are never deleted
here (case files are kept, DOMAIN.md; the database refuses it too while a case names them). An
administrator answers a data subject's request with the "export personal data" action
(casework.personal_data), which is logged as a disclosure.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.admin.mixins import apply_service_errors, log_personal_data_read
from casework.access import all_roles, is_system_admin
from casework.choices import Role
from casework.confidentiality import visible_people
from casework.models import Party
from casework.personal_data import person_data
from casework.services import (
    CORRECTABLE_FIELDS,
    NotPermitted,
    ServiceError,
    check_party_correction,
    correct_party,
)

# --- People -------------------------------------------------------------------------------------


class PartyCorrectionForm(forms.ModelForm):
    """The identity as written, plus the reason that the correction record keeps."""

    reason = forms.CharField(
        label=_("reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the ID card shown. Kept with the old and new values in the correction record."),
    )
    actor = None  # the user saving the form (PartyAdmin.get_form)

    class Meta:
        model = Party
        fields = CORRECTABLE_FIELDS

    def corrections(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f, "") for f in self.changed_data if f in CORRECTABLE_FIELDS}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk is not None:
            original = Party.objects.get(pk=self.instance.pk)
            try:
                check_party_correction(
                    party=original,
                    actor=self.actor,
                    changes=self.corrections(),
                    reason=cleaned.get("reason", ""),
                )
            except (ServiceError, NotPermitted) as error:
                apply_service_errors(self, error)
        return cleaned


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyCorrectionForm
    list_display = ("full_name", "kind", "id_number", "phone", "address")
    list_filter = ("kind",)
    search_fields = ("full_name", "search_name", "id_number", "phone")
    fields = ("kind", *CORRECTABLE_FIELDS, "reason", "created_at")
    readonly_fields = ("kind", "created_at")
    actions = ("export_personal_data",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=visible_people(request.user, sealed=False).values("pk"))
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A reader who may not correct sees the record, not an empty "reason" box.
        return fields if self.has_change_permission(request, obj) else [f for f in fields if f != "reason"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The form has checked the correction (check_party_correction); this records it.
        correct_party(
            party=obj, actor=request.user, changes=form.corrections(), reason=form.cleaned_data["reason"]
        )

    def has_add_permission(self, request) -> bool:
        # People enter the system at intake (a case or a visit), where they are linked and scoped.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Case files are kept, not deleted (README "Security and operations": retention).
        return False

    def has_export_personal_data_permission(self, request) -> bool:
        user = request.user
        return is_system_admin(user) or Role.ADMINISTRATOR in all_roles(user)

    @admin.action(
        description=_("Export personal data (a data subject's request)"), permissions=["export_personal_data"]
    )
    def export_personal_data(self, request, queryset):
        """One JSON file for the selected records (select every record of the same person)."""
        parties = list(queryset)
        document = person_data(parties, user=request.user, channel="admin")
        ids = "-".join(str(p.pk) for p in sorted(parties, key=lambda p: p.pk))[:100]
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{ids}-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            party = self.get_object(request, object_id)
            if party is not None and self.has_view_or_change_permission(request, party):
                log_personal_data_read(
                    request.user, case=None, party=party, unmasked=False, detail="party detail"
                )
        return super().change_view(request, object_id, form_url, extra_context)

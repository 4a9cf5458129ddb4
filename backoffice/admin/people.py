"""Petitioners on file (the Party model). A sealed denouncer is reached only from the case page."""

from __future__ import annotations

from django.contrib import admin

from backoffice.admin.mixins import (
    log_personal_data_read,
)
from casework.confidentiality import visible_people
from casework.models import (
    Party,
)

# --- People -------------------------------------------------------------------------------------


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("full_name", "kind", "id_number", "phone", "address")
    list_filter = ("kind",)
    search_fields = ("full_name", "search_name", "id_number", "phone")
    fields = ("kind", "full_name", "id_number", "phone", "email", "address", "created_at")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=visible_people(request.user, sealed=False).values("pk"))
        )

    def has_add_permission(self, request) -> bool:
        # People enter the system at intake (a case or a visit), where they are linked and scoped.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            party = self.get_object(request, object_id)
            if party is not None and self.has_view_or_change_permission(request, party):
                log_personal_data_read(
                    request.user, case=None, party=party, unmasked=False, detail="party detail"
                )
        return super().change_view(request, object_id, form_url, extra_context)

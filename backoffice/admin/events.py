"""Evidence, read-only: the audit trail (notes scrubbed of a sealed denouncer), the outbox, the access log."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from backoffice.admin.mixins import (
    ReadOnlyAdminMixin,
    ScrubbedObjectMixin,
)
from casework.access import all_roles, is_system_admin, visible_cases
from casework.choices import (
    Role,
)
from casework.confidentiality import EVENT_FREE_TEXT, Secrets, secrets_for
from casework.models import (
    AccessLog,
    CaseEvent,
    OutboxMessage,
)

# --- Evidence: audit trail, outbox, access log --------------------------------------------------


@admin.register(CaseEvent)
class CaseEventAdmin(ScrubbedObjectMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "case", "actor", "action", "from_state", "to_state", "effective_date", "short_note")
    list_filter = ("action", "to_state")
    list_select_related = ("case", "actor")
    search_fields = ("case__reference", "note")
    date_hierarchy = "at"

    sealed_lookup = "case__case_parties__confidential"
    scrubbed_fields = EVENT_FREE_TEXT

    def get_queryset(self, request):
        # The case's people come along: notes are scrubbed of a denouncer the reader may not see.
        return (
            super()
            .get_queryset(request)
            .filter(case__in=visible_cases(request.user))
            .select_related("case__unit")
            .prefetch_related("case__case_parties__party")
        )

    def secrets(self, request, obj: CaseEvent) -> Secrets:
        return secrets_for(obj.case, request.user)

    @admin.display(description=gettext_lazy("note"))
    def short_note(self, obj: CaseEvent) -> str:
        return Truncator(obj.note).chars(80)  # scrubbed with the page rows (ScrubbedObjectMixin)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ScrubbedObjectMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    sealed_lookup = "case__case_parties__confidential"
    scrubbed_fields = ("payload",)
    scrub_list_rows = False  # the list shows no payload

    def secrets(self, request, obj: OutboxMessage) -> Secrets:
        return secrets_for(obj.case, request.user)

    list_display = ("id", "topic", "case", "status", "attempts", "created_at", "sent_at", "short_error")
    list_filter = ("status", "topic")
    list_select_related = ("case",)
    search_fields = ("topic", "dedup_key", "case__reference")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_system_admin(request.user):
            return qs
        return qs.filter(case__in=visible_cases(request.user))

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return Truncator(obj.last_error).chars(80)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "kind", "case", "party_ref", "channel", "detail")
    list_filter = ("kind", "channel")
    list_select_related = ("user", "case")
    search_fields = ("user__username", "case__reference")
    date_hierarchy = "at"
    # The party is shown by number only: the log of who saw a denouncer must not reveal the denouncer.
    exclude = ("party",)
    readonly_fields = ("party_ref",)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or Role.ADMINISTRATOR in all_roles(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_system_admin(request.user):
            return qs
        return qs.filter(case__in=visible_cases(request.user))

    @admin.display(description=gettext_lazy("person"))
    def party_ref(self, obj: AccessLog) -> str:
        return f"#{obj.party_id}" if obj.party_id else "—"

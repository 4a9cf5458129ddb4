"""Admin for deliveries (status, attempts and errors, with filters), letters to print and preferences.

Deliveries addressed to a denouncer are confidential: only those who may see the denouncer (the
resolver and the registering officer, casework.confidentiality.can_see_denouncer) see the address and text.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backoffice.admin.mixins import ReadOnlyAdminMixin, ScrubbedObjectMixin
from casework.access import all_roles, is_system_admin, visible_cases, visible_units
from casework.choices import Role
from casework.confidentiality import Secrets, can_see_denouncer, mask_label, secrets_for
from notifications import relay, services
from notifications.models import Letter, Notification, NotificationPreference


def _scoped(request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """Rows about cases (or, for digests, units) the user can see, plus their own notifications."""
    user = request.user
    if is_system_admin(user):
        return queryset
    about = Q(case__in=visible_cases(user).values("pk"))
    if queryset.model is Notification:
        about |= Q(recipient=user) | Q(case__isnull=True, unit__in=visible_units(user).values("pk"))
    return queryset.filter(about)


def _may_unmask(request: HttpRequest, obj) -> bool:
    return not obj.confidential or (obj.case is not None and can_see_denouncer(request.user, obj.case))


def _is_administrator(user) -> bool:
    return is_system_admin(user) or Role.ADMINISTRATOR in all_roles(user)


def _recipient_label(request: HttpRequest, obj: Notification) -> str:
    if obj.recipient_id:
        return obj.recipient.get_username()
    if not _may_unmask(request, obj):
        return mask_label()
    name = obj.party.full_name if obj.party_id else ""
    return f"{name} <{obj.address}>" if obj.channel == "email" else name


@admin.register(Notification)
class NotificationAdmin(ScrubbedObjectMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    sealed_lookup = "case__case_parties__confidential"
    scrubbed_fields = ("subject", "body")

    def secrets(self, request, obj) -> Secrets:
        return secrets_for(obj.case, request.user)

    list_filter = ("status", "channel", "kind", "language", ("created_at", admin.DateFieldListFilter))
    search_fields = ("key", "case__reference", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("case", "recipient", "party")
    actions = ["requeue_failed"]
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request))

    def get_list_display(self, request):
        def to(obj: Notification) -> str:
            return _recipient_label(request, obj)

        to.short_description = _("recipient")
        return (
            "id",
            "created_at",
            "kind",
            "channel",
            "status",
            to,
            "case",
            "attempts",
            "short_error",
            "sent_at",
        )

    def get_fields(self, request, obj=None):
        fields = [
            "key",
            "kind",
            "channel",
            "status",
            "case",
            "unit",
            "confidential",
            "language",
            "attempts",
            "last_error",
            "next_attempt_at",
            "handed_off_at",
            "message_id",
            "created_at",
            "sent_at",
            "read_at",
        ]
        if obj is None or _may_unmask(request, obj):
            fields += ["recipient", "party", "address", "subject", "body"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_requeue_permission(self, request) -> bool:
        return _is_administrator(request.user)

    @admin.action(description=_("Retry the selected failed deliveries"), permissions=["requeue"])
    def requeue_failed(self, request, queryset):
        count = relay.requeue(queryset)
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Letter)
class LetterAdmin(ScrubbedObjectMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    sealed_lookup = "case__case_parties__confidential"
    scrubbed_fields = ("subject", "text")

    def secrets(self, request, obj) -> Secrets:
        return secrets_for(obj.case, request.user)

    list_display = ("id", "created_at", "subject", "addressee", "case", "printed_at")
    list_filter = (("printed_at", admin.EmptyFieldListFilter), "language")
    search_fields = ("case__reference", "subject")
    list_select_related = ("case",)
    actions = ["download", "mark_printed"]
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request)).select_related("case", "case__unit")

    def get_fields(self, request, obj=None):
        fields = ["case", "subject", "language", "created_at", "printed_at", "printed_by"]
        if obj is None or _may_unmask(request, obj):
            fields = ["addressee_name", "addressee_address", *fields, "text"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("addressee"))
    def addressee(self, obj: Letter) -> str:
        return mask_label() if obj.confidential else obj.addressee_name

    def has_print_permission(self, request) -> bool:
        return self.has_view_permission(request)

    @admin.action(description=_("Download the selected letters to print"), permissions=["print"])
    def download(self, request, queryset):
        letters = [letter for letter in queryset.order_by("id") if _may_unmask(request, letter)]
        response = HttpResponse("\f\n".join(letter.text for letter in letters), content_type="text/plain")
        response["Content-Disposition"] = 'attachment; filename="letters.txt"'
        return response

    @admin.action(description=_("Mark the selected letters as printed"), permissions=["print"])
    def mark_printed(self, request, queryset):
        count = services.mark_letters_printed(letters=queryset, user=request.user)
        self.message_user(request, _("%(n)d marked as printed.") % {"n": count}, messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "email_enabled")
    list_filter = ("language", "email_enabled")
    search_fields = ("user__username",)
    autocomplete_fields = ("user",)

"""The citizens' ratings of the service and the communes' dialogue conferences, read-only here: ratings
are the citizens' own words (given through the public pages), conferences are run through the
workspace and casework.conferences. A rating's comment on a denunciation is scrubbed of the denouncer
for a reader the law does not entitle to see them, like every other text about a denunciation."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from backoffice.admin.mixins import ScopedUnitFilter
from casework.access import visible_units
from casework.confidentiality import scrub
from casework.models import DialogueConference, ServiceRating


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RatingUnitFilter(ScopedUnitFilter):
    unit_lookup = "case__unit"


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnlyAdmin):
    list_display = ("rated_at", "case", "unit", "satisfaction", "timeliness", "contacts", "staff_attitude")
    list_filter = (RatingUnitFilter, "satisfaction", "timeliness", "staff_attitude", "answer_clarity")
    date_hierarchy = "rated_at"
    fields = (
        "case",
        "rated_at",
        "satisfaction",
        "timeliness",
        "contacts",
        "staff_attitude",
        "answer_clarity",
        "comment",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(case__unit__in=visible_units(request.user))
            .select_related("case", "case__unit")
        )

    @admin.display(description=gettext_lazy("unit"), ordering="case__unit__name")
    def unit(self, rating) -> str:
        return rating.case.unit.name

    def get_object(self, request, object_id, from_field=None):
        # Read-only page: the comment is shown as this reader may read it, never saved back.
        rating = super().get_object(request, object_id, from_field)
        if rating is not None:
            rating.comment = scrub(rating.comment, rating.case, request.user)
        return rating


@admin.register(DialogueConference)
class DialogueConferenceAdmin(ReadOnlyAdmin):
    list_display = (
        "starts_at",
        "unit",
        "status",
        "reason",
        "notice_due_on",
        "announced_on",
        "held_on",
        "results_due_on",
        "results_published_on",
    )
    list_filter = (ScopedUnitFilter, "status", "reason", "format")
    date_hierarchy = "starts_at"
    filter_horizontal = ()

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(unit__in=visible_units(request.user)).select_related("unit")
        )

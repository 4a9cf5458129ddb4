"""Calendar exceptions (days off, make-up working days) through workflows.clocks."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import formats
from django.utils.translation import gettext_lazy, ngettext

from casework.models import (
    CalendarDay,
)
from workflows.clocks import remove_calendar_exception, set_calendar_exception

# --- Calendar exceptions ------------------------------------------------------------------------


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Days off and make-up working days. Saving or deleting one recomputes the running deadlines it
    touches (workflows.deadlines), and says how many moved."""

    list_display = ("date", "weekday", "kind", "reason", "created_by")
    list_filter = ("kind",)
    date_hierarchy = "date"
    fields = ("date", "kind", "reason")

    def get_readonly_fields(self, request, obj=None):
        return ("date",) if obj is not None else ()

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return formats.date_format(day.date, "l")

    def _report(self, request, moved: int) -> None:
        self.message_user(
            request,
            ngettext("%(n)d running deadline moved.", "%(n)d running deadlines moved.", moved) % {"n": moved},
            messages.INFO if moved else messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        moved = set_calendar_exception(day=obj.date, kind=obj.kind, reason=obj.reason, actor=request.user)
        saved = CalendarDay.objects.get(date=obj.date)
        obj.pk, obj.created_by = saved.pk, saved.created_by
        obj._state.adding = False
        self._report(request, moved)

    def delete_model(self, request, obj):
        self._report(request, remove_calendar_exception(day=obj.date, actor=request.user))

    def delete_queryset(self, request, queryset):
        moved = sum(
            remove_calendar_exception(day=d, actor=request.user)
            for d in queryset.values_list("date", flat=True)
        )
        self._report(request, moved)

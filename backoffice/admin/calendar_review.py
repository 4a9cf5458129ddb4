"""The calendar's sources in the admin: the CalendarDay list shows where each entry comes from, and the
yearly review page (`/admin/casework/calendarday/review/?year=2026`) lists the year's days off and
make-up working days with their source (statutory holiday from the `holidays` package, a named
government decision, or an administrator), where an administrator confirms or overrides a day.
Both go through workflows.clocks, which recomputes the running deadlines the day touches and records
each move on its case; the admin log records the calendar change itself.

The CalendarDay admin itself is registered with the other case admins; this module extends the
registered class rather than re-declaring it, so that class can move without this one changing."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casework.choices import CalendarDayKind, CalendarSource
from casework.models import CalendarDay
from casework.rules.calendar import WorkingCalendar
from workflows.clocks import confirm_calendar_day, override_calendar_day, set_calendar_exception
from workflows.errors import WorkflowError

from . import calendar  # noqa: F401  (registers the CalendarDay admin this module extends)

RegisteredCalendarDayAdmin = type(admin.site.get_model_admin(CalendarDay))


class ReviewActionForm(forms.Form):
    CONFIRM, OVERRIDE = "confirm", "override"

    day = forms.DateField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (OVERRIDE, OVERRIDE)], widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=CalendarDayKind.choices, required=False)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200, required=False)
    decision_reference = forms.CharField(
        label=gettext_lazy("decision reference"), max_length=200, required=False
    )


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "reason", "decision_reference"]


class CalendarReviewAdmin(RegisteredCalendarDayAdmin):
    form = CalendarDayForm
    list_display = (
        "date",
        "weekday",
        "kind",
        "reason",
        "source",
        "decision_reference",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = ("kind", "source")
    fields = ("date", "kind", "reason", "decision_reference")

    def save_model(self, request, obj, form, change):
        reference = (obj.decision_reference or "").strip()
        moved = set_calendar_exception(
            day=obj.date,
            kind=obj.kind,
            reason=obj.reason,
            actor=request.user,
            source=CalendarSource.DECISION if reference else CalendarSource.ADMINISTRATOR,
            decision_reference=reference,
        )
        saved = CalendarDay.objects.get(date=obj.date)
        obj.pk, obj.created_by, obj.source = saved.pk, saved.created_by, saved.source
        obj._state.adding = False
        self._report(request, moved)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("review/", self.admin_site.admin_view(self.review_view), name="{}_{}_review".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "review_year": timezone.localdate().year}
        return super().changelist_view(request, extra_context)

    def review_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 2000), 2100)
        review_url = reverse("admin:casework_calendarday_review", current_app=self.admin_site.name)
        here = f"{review_url}?year={year}"
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            self._apply(request, ReviewActionForm(request.POST))
            return HttpResponseRedirect(here)

        review = WorkingCalendar.load().year_review(year)
        rows = [
            {
                "status": status,
                "source_label": CalendarSource(status.source).label if status.source else "",
                "kind_label": CalendarDayKind(status.kind).label,
                "other_kind": (
                    CalendarDayKind.WORKING_DAY
                    if status.kind == CalendarDayKind.DAY_OFF
                    else CalendarDayKind.DAY_OFF
                ),
            }
            for status in review
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Calendar review %(year)d") % {"year": year},
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "rows": rows,
            "pending": sum(s.pending for s in review),
            "kinds": CalendarDayKind.choices,
            "can_change": self.has_change_permission(request),
            "review_url": review_url,
        }
        return TemplateResponse(request, "admin/casework/calendarday/review.html", context)

    def _apply(self, request, form: ReviewActionForm) -> None:
        if not form.is_valid():
            self.message_user(request, _("The form was incomplete; nothing changed."), messages.ERROR)
            return
        data = form.cleaned_data
        day: date = data["day"]
        try:
            if data["action"] == ReviewActionForm.CONFIRM:
                moved = confirm_calendar_day(day=day, actor=request.user)
                change = _("Confirmed in the calendar review")
            else:
                moved = override_calendar_day(
                    day=day,
                    kind=data["kind"],
                    reason=data["reason"],
                    decision_reference=data["decision_reference"],
                    actor=request.user,
                )
                change = _("Overridden in the calendar review")
        except WorkflowError as error:
            self.message_user(request, f"{error.message} [{error.code}]", messages.ERROR)
            return
        row = CalendarDay.objects.get(date=day)
        self.log_change(request, row, f"{change}: {row.get_kind_display()} — {row.reason}")
        self.message_user(
            request,
            ngettext(
                "%(day)s: %(change)s. %(n)d running deadline moved.",
                "%(day)s: %(change)s. %(n)d running deadlines moved.",
                moved,
            )
            % {"day": f"{day:%d/%m/%Y}", "change": change, "n": moved},
            messages.SUCCESS,
        )


admin.site.unregister(CalendarDay)
admin.site.register(CalendarDay, CalendarReviewAdmin)

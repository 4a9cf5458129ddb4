"""Failed sign-ins and lockouts (django-axes): administrators see who is locked out, from which address
and since when, and unlock a login by clearing its attempts."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext


def is_locked(attempt: AccessAttempt) -> bool:
    return (
        attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
        and attempt.attempt_time > timezone.now() - settings.AXES_COOLOFF_TIME
    )


class LockedNowFilter(admin.SimpleListFilter):
    title = gettext_lazy("locked now")
    parameter_name = "locked_now"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request, queryset):
        locked = {
            "failures_since_start__gte": settings.AXES_FAILURE_LIMIT,
            "attempt_time__gt": timezone.now() - settings.AXES_COOLOFF_TIME,
        }
        if self.value() == "yes":
            return queryset.filter(**locked)
        if self.value() == "no":
            return queryset.exclude(**locked)
        return queryset


@admin.register(AccessAttempt)
class LoginAttemptAdmin(AccessAttemptAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked", "path_info"]
    list_filter = [LockedNowFilter, "path_info"]
    actions = ["unlock"]

    @admin.display(boolean=True, description=gettext_lazy("locked now"))
    def locked(self, attempt: AccessAttempt) -> bool:
        return is_locked(attempt)

    @admin.action(description=gettext_lazy("Unlock the selected logins"), permissions=["delete"])
    def unlock(self, request, queryset):
        # Clearing the attempts is how django-axes unlocks (its own reset command does the same).
        names = sorted({a.username or "" for a in queryset})
        count, _deleted = queryset.delete()
        self.message_user(
            request,
            ngettext(
                "Unlocked %(n)d sign-in record (%(names)s).",
                "Unlocked %(n)d sign-in records (%(names)s).",
                count,
            )
            % {"n": count, "names": ", ".join(names)},
        )


@admin.register(AccessLog)
class LoginLogAdmin(AccessLogAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import checks  # noqa: F401  (registers system checks)
        from .models import CalendarDay
        from .prepared import generic_plans
        from .roles import sync_groups
        from .rules.calendar import forget_calendar

        post_migrate.connect(sync_groups, dispatch_uid="casework.sync_groups")
        connection_created.connect(generic_plans, dispatch_uid="casework.generic_plans")
        post_save.connect(forget_calendar, sender=CalendarDay, dispatch_uid="casework.forget_calendar.save")
        post_delete.connect(
            forget_calendar, sender=CalendarDay, dispatch_uid="casework.forget_calendar.delete"
        )

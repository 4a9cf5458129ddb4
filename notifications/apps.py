from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from casework import personal_data
        from casework.models import OutboxMessage

        from .hooks import outbox_saved
        from .personal_data import notices_to
        from .wakeup import ensure_row

        # A person's data request lists the notices sent to them.
        personal_data.register_section("notifications", notices_to)

        post_save.connect(outbox_saved, sender=OutboxMessage, dispatch_uid="notifications.outbox_saved")
        post_migrate.connect(ensure_row, sender=self, dispatch_uid="notifications.wakeup_row")

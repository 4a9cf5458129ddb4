from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from casework.models import OutboxMessage

        from .hooks import outbox_saved
        from .wakeup import ensure_row

        post_save.connect(outbox_saved, sender=OutboxMessage, dispatch_uid="notifications.outbox_saved")
        post_migrate.connect(ensure_row, sender=self, dispatch_uid="notifications.wakeup_row")

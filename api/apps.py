from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
        from .authentication import revoke_tokens_on_credential_change

        pre_save.connect(
            revoke_tokens_on_credential_change, sender=get_user_model(), dispatch_uid="api.revoke_tokens"
        )

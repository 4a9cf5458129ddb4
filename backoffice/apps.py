from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The Django admin as a front end of its own: administrators' and staff's pages over the same
    services and confidentiality rules as the API."""

    name = "backoffice"
    verbose_name = _("Back office")


class LoginLockoutConfig(AxesConfig):
    """django-axes (failed sign-ins and lockouts) under a name the admin can show in Vietnamese."""

    verbose_name = _("Sign-in lockouts")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (`load_demo`) and the synthetic generator (`generate_synthetic`); both drive the
    engine's own services and rules."""

    name = "demo"
    verbose_name = _("Demo data")

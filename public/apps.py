from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The citizens' pages at `/cong-dan/` (no login): submit online, follow a case with its receipt
    code, and the published pages. Same services as the staff workspace: business rules live in
    casework/ and workflows/, these views only collect input and render answers."""

    name = "public"
    verbose_name = _("Citizen pages")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The staff web app at `/`: one room per job (desk, worklists, approvals, case page, monitor
    board, inbox), over the same services and confidentiality rules as the API and the admin."""

    name = "workspace"
    verbose_name = _("Staff workspace")

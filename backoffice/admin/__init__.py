"""The Django admin, one module per model group: units and staff (`units`), petitioners (`people`),
cases with their list, page and action buttons (`cases`), the audit trail and logs (`events`), the
reception book (`visits`), dialogues (`dialogues`), service ratings and dialogue conferences
(`feedback`), the calendar (`calendar`) with its sources and yearly review (`calendar_review`),
notifications and letters (`notifications`), failed sign-ins and lockouts (`logins`); what they share
is in `mixins`."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from . import (  # noqa: F401  (registers the model admins)
    calendar,
    calendar_review,
    cases,
    dialogues,
    events,
    feedback,
    logins,
    notifications,
    people,
    units,
    visits,
)

admin.site.site_header = gettext_lazy("Tiếp công dân — Case management")
admin.site.site_title = gettext_lazy("Tiếp công dân")
admin.site.index_title = gettext_lazy("Citizen reception, petitions, complaints and denunciations")

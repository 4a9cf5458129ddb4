"""The Django admin, registered per model group: units, people and staff (`base`), cases, visits and
the calendar (`cases`), notifications and letters (`notifications`), the calendar's sources and
yearly review (`calendar_review`, extending the CalendarDay admin registered in `cases`)."""

from . import base, calendar_review, cases, notifications  # noqa: F401  (registers the model admins)

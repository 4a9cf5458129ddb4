"""The Django admin, registered per model group: units, people and staff (`base`), cases, visits and
the calendar (`cases`), notifications and letters (`notifications`)."""

from . import base, cases, notifications  # noqa: F401  (registers the model admins)

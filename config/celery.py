"""The Celery app: worker and beat run `celery -A config worker|beat`.

Settings come from Django settings prefixed CELERY_ (config/settings/base.py): the broker is the
file-system transport under var/broker/ unless CELERY_BROKER_URL names Redis; the beat schedule
(relay sweep, deadline scan, daily digest) is CELERY_BEAT_SCHEDULE, built from NOTIFICATIONS.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("tiepdan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

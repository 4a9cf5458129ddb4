import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if getattr(settings, "REFUSE_DEMO_CREDENTIALS", False):
    from casework.security import assert_no_demo_credentials

    assert_no_demo_credentials()

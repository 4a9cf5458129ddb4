"""Refuse to run a production deployment that still has the demo logins with their demo password or the
public development secret key.

Imported by the settings (for DEFAULT_SECRET_KEY), so nothing here may touch models at import time."""

from django.core.exceptions import ImproperlyConfigured

# The development default is public on purpose; config.settings.prod and `check --deploy` refuse it.
DEFAULT_SECRET_KEY = "dev-insecure-change-me-tiepdan"

DEMO_USERNAMES = ("reception", "handler", "head", "p_handler", "p_head", "monitor", "admin")
DEMO_PASSWORD = "demo"


def demo_users_with_demo_password() -> list[str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True)
    return [u.username for u in users if u.check_password(DEMO_PASSWORD)]


def assert_no_demo_credentials() -> None:
    found = demo_users_with_demo_password()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: demo logins still use the demo password: "
            + ", ".join(found)
            + ". Change or deactivate them (manage.py changepassword / admin) before running in production."
        )

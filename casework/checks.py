from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .security import DEFAULT_SECRET_KEY, demo_users_with_demo_password


@checks.register(checks.Tags.security, deploy=True)
def demo_credentials_check(app_configs, **kwargs):
    try:
        found = demo_users_with_demo_password()
    except DatabaseError:  # database not migrated yet: nothing to check
        return []
    if found:
        return [
            checks.Error(
                "Demo logins still have the demo password: " + ", ".join(found),
                hint="Change their passwords or deactivate them before deploying.",
                id="casework.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def default_secret_key_check(app_configs, **kwargs):
    if settings.SECRET_KEY == DEFAULT_SECRET_KEY:
        return [checks.Error("SECRET_KEY is the public development default.", id="casework.E002")]
    return []

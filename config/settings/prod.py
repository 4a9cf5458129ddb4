"""Production settings: refuse to start with anything that is only fit for a demo."""

import os

from django.core.exceptions import ImproperlyConfigured

from casework.security import DEFAULT_SECRET_KEY

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY

DEBUG = False
if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 32 characters for production.")

# The WSGI entry point checks this and refuses to serve while demo logins still have their demo password.
REFUSE_DEMO_CREDENTIALS = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# gunicorn serves the collected static files itself (compressed, cache-busting names).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

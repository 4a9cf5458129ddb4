"""Production settings: refuse to start with anything that is only fit for a demo."""

import os

from django.core.exceptions import ImproperlyConfigured

from casework.security import DEFAULT_SECRET_KEY

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, TRUSTED_PROXIES

DEBUG = False
if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 32 characters for production.")

# The WSGI entry point checks this and refuses to serve while demo logins still have their demo password.
REFUSE_DEMO_CREDENTIALS = True

# HTTPS only: secure cookies, plain HTTP redirected, browsers told to come back over HTTPS (HSTS).
# SECURE_COOKIES=0 turns all of it off at once, to try the stack over plain HTTP (docker/rehearse.py).
# Behind a TLS-terminating reverse proxy, name it in TRUSTED_PROXIES: its X-Forwarded-Proto then says
# whether the client used HTTPS (config.middleware drops that header when anyone else sends it).
HTTPS_ONLY = os.environ.get("SECURE_COOKIES", "1") == "1"
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1" if HTTPS_ONLY else "0") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if HTTPS_ONLY else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
# The preload directive only allows submitting the host to browsers' preload list; nothing is submitted.
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# gunicorn serves the collected static files itself (compressed, cache-busting names).
_AFTER = MIDDLEWARE.index("config.middleware.SecurityHeadersMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_AFTER], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_AFTER:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

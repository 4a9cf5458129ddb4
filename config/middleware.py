"""Response headers every page gets, and forwarded headers only from trusted proxies.

- `ForwardedHeadersMiddleware` (first): X-Forwarded-For/-Proto/-Host from a peer that is not one of
  settings.TRUSTED_PROXIES are dropped, so neither Django's SECURE_PROXY_SSL_HEADER nor anything else
  believes a header the client wrote.
- `SecurityHeadersMiddleware`: the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: scripts,
  styles, images and connections from this site only; no inline script, style or event handler anywhere,
  which the workspace, the admin and the API docs are written for), and `Cache-Control: no-store` on any
  response that did not choose its own caching: pages and API answers carry personal data, and a shared
  computer at a reception desk must not keep them.
"""

from __future__ import annotations

from django.conf import settings

from casework.security import is_trusted_proxy

FORWARDED = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)


class ForwardedHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for name in FORWARDED:
                request.META.pop(name, None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

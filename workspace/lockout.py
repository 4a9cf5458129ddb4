"""What a locked-out login sees (django-axes calls `lockout_response`, settings.AXES_LOCKOUT_CALLABLE):
a page in the workspace's style for the workspace and the admin, a JSON error with a code for the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins with this login name from your address. Try again in %(minutes)d "
        "minutes, or ask an administrator to unlock the login."
    ) % {"minutes": cooloff_minutes()}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    status = settings.AXES_HTTP_RESPONSE_CODE
    wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        body = {"code": "locked_out", "detail": lockout_message(), "wait": wait}
        return JsonResponse(body, status=status, headers={"Retry-After": str(wait)})
    response = render(
        request,
        "workspace/locked_out.html",
        {"message": lockout_message(), "login_url": request.path},
        status=status,
    )
    response["Retry-After"] = str(wait)
    return response

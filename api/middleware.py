"""JSON error bodies on the API's paths whatever produced the error.

DRF views answer their own errors in JSON (api.exceptions), but an unknown URL, an unhandled exception or
a request Django refuses before any view (too large, bad host) gets Django's HTML page, and under DEBUG
its technical page, while the schema promises JSON with a `code`. This replaces any HTML error response
under /api/ and /open311/ with the documented body; the exception itself is still logged (and raised in
tests) by Django's own handling, which ran before."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

API_PREFIXES = ("/api/", "/open311/")
ERRORS = {
    400: ("bad_request", _("Bad request.")),
    403: ("forbidden", _("You do not have permission to perform this action.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("Method not allowed.")),
    413: ("request_too_large", _("The request is too large.")),
    500: ("server_error", _("Server error: the request was not carried out.")),
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) and not path.startswith("/api/docs/")


def json_error(path: str, status: int) -> JsonResponse:
    code, message = ERRORS.get(status, ("error", _("Error.")))
    detail = str(message)
    if path.startswith("/open311/"):  # GeoReport v2 errors are a list
        return JsonResponse([{"code": status, "description": detail}], status=status, safe=False)
    return JsonResponse({"code": code, "detail": detail}, status=status)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            replacement = json_error(request.path, response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

"""One exception handler for the whole API: every error body carries a stable machine-readable `code`.

Engine errors (workflows.errors, casework.services) map to HTTP here and nowhere else; DRF's own
errors are reshaped into the same envelope. Open311 views get the GeoReport v2 error list instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from casework.services import NotPermitted, ServiceError
from documents.services import DocumentError
from workflows import errors as wf


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = gettext_lazy("This Idempotency-Key was already used with a different request.")


# --- Error bodies, typed for the OpenAPI schema --------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `not_found`, `forbidden`.")
    detail = serializers.CharField(help_text="Human-readable message in the request's language.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field; nested fields use dotted paths such as `petitioners[0].full_name`.",
    )
    codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The machine-readable code of each message in `errors` (same keys, same order), e.g. "
        "`required`, `does_not_exist` (an id or code that names nothing), `before_previous_step`.",
    )


class ConflictErrorSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(required=False, help_text="With `stale_version`.")
    allowed_actions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What the requesting user may do to the case now.",
    )


class ThrottledErrorSerializer(ErrorSerializer):
    wait = serializers.IntegerField(required=False, allow_null=True, help_text="Seconds until retry.")


class Open311ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="The HTTP status.")
    description = serializers.CharField()
    # An addition to GeoReport v2's error (clients ignore unknown keys): a client, or the API's fuzz test,
    # can tell a refusal that depends on the server's data from a malformed request without parsing text.
    codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With a 400 on fields: the machine-readable code of each message in `description`, per "
        "field (same order), as `codes` in the API's other errors.",
    )


# --- Mapping ---------------------------------------------------------------------------------------

WORKFLOW_STATUS = {
    wf.CaseNotFound: status.HTTP_404_NOT_FOUND,
    wf.Forbidden: status.HTTP_403_FORBIDDEN,
    wf.StaleVersion: status.HTTP_409_CONFLICT,
    wf.TransitionNotAllowed: status.HTTP_409_CONFLICT,
    wf.RuleViolation: status.HTTP_409_CONFLICT,
    wf.ValidationFailed: status.HTTP_400_BAD_REQUEST,
    wf.TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
}

# DRF's default codes renamed to the API's vocabulary.
DRF_CODES = {
    "permission_denied": "forbidden",
    "not_found": "not_found",
    "not_authenticated": "not_authenticated",
    "authentication_failed": "authentication_failed",
    "throttled": "throttled",
}


def flatten_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {"field.sub[0].x": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            # A ListSerializer's errors are keyed by item index.
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            for k, v in flatten_errors(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            out[prefix or "non_field_errors"] = [str(item) for item in data]
        else:
            for i, item in enumerate(data):
                for k, v in flatten_errors(item, f"{prefix}[{i}]").items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(data)]
    return out


def _engine_error(exc: Exception) -> tuple[int, dict] | None:
    if isinstance(exc, wf.WorkflowError):
        code = next((s for cls, s in WORKFLOW_STATUS.items() if isinstance(exc, cls)), 400)
        body = {k: v for k, v in exc.as_dict().items() if v is not None}
        body["detail"] = str(body.get("detail", ""))
        if isinstance(exc, wf.ValidationFailed):
            body["detail"] = _("Invalid input.")
        return code, body
    if isinstance(exc, DocumentError):
        return exc.status, exc.as_dict()
    if isinstance(exc, ServiceError):
        return status.HTTP_400_BAD_REQUEST, {
            "code": "invalid",
            "detail": _("Invalid input."),
            "errors": exc.errors,
            "codes": exc.codes,
        }
    if isinstance(exc, NotPermitted):
        return status.HTTP_403_FORBIDDEN, {"code": "forbidden", "detail": str(exc)}
    return None


def _drf_body(exc: exceptions.APIException, data: Any) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        return {
            "code": "invalid",
            "detail": _("Invalid input."),
            "errors": flatten_errors(data),
            "codes": flatten_errors(exc.get_codes()),
        }
    detail = data.get("detail", "") if isinstance(data, dict) else data
    code = getattr(detail, "code", None) or exc.default_code
    body = {"code": DRF_CODES.get(code, code), "detail": str(detail)}
    if isinstance(exc, exceptions.Throttled):
        body["wait"] = exc.wait if exc.wait is None else int(exc.wait)
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    engine = _engine_error(exc)
    if engine is not None:
        code, body = engine
        set_rollback()
        response = Response(body, status=code)
    else:
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(_("No such object."))
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        response = drf_exception_handler(exc, context)
        if response is None:
            return None  # an unexpected error: Django's 500 handling and logging take over
        response.data = _drf_body(exc, response.data)
    view = context.get("view")
    if getattr(view, "open311_errors", False):
        data = response.data
        message = data.get("detail", "")
        if data.get("errors"):
            message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in data["errors"].items())
        error = {"code": response.status_code, "description": message}
        if data.get("errors") and data.get("codes"):
            error["codes"] = data["codes"]
        response.data = [error]
    return response


def not_found(request, exception=None):
    """JSON 404 for unknown URLs under the API prefixes (Django's handler404 renders HTML)."""
    from django.views.defaults import page_not_found

    if request.path.startswith(("/api/", "/open311/")):
        if request.path.startswith("/open311/"):
            return JsonResponse([{"code": 404, "description": _("Not found.")}], status=404, safe=False)
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)

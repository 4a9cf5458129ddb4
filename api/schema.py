"""OpenAPI generation: every operation documents the error bodies it can answer with, typed.

Views declare their success bodies with extend_schema; the error statuses follow from what the view
is (authenticated, has a body, has path parameters, is a paginated list, is throttled) so no view
can forget one.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type
from rest_framework.permissions import AllowAny

from .exceptions import (
    ConflictErrorSerializer,
    ErrorSerializer,
    Open311ErrorSerializer,
    ThrottledErrorSerializer,
    ValidationErrorSerializer,
)


class ApiAutoSchema(AutoSchema):
    def _error_statuses(self) -> dict[str, object]:
        view = self.view
        statuses: dict[str, object] = {}
        has_body = self.method in ("POST", "PUT", "PATCH")
        is_list = self.method == "GET" and self._is_list_view()
        if has_body or is_list or getattr(view, "filterset_class", None):
            statuses["400"] = ValidationErrorSerializer
        if view.get_authenticators():
            statuses["401"] = ErrorSerializer
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()) or (
            has_body and view.get_authenticators()
        ):
            statuses["403"] = ErrorSerializer
        if "{" in self.path or is_list:
            statuses["404"] = ErrorSerializer  # no such object, or an invalid pagination cursor
        if getattr(view, "conflict_statuses", False):
            statuses["409"] = ConflictErrorSerializer
        if getattr(view, "idempotent", False) and has_body:
            statuses["422"] = ErrorSerializer
        if view.get_throttles():
            statuses["429"] = ThrottledErrorSerializer
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        open311 = getattr(self.view, "open311_errors", False)
        for code, serializer in self._error_statuses().items():
            if code in responses:
                continue
            if open311:  # GeoReport v2 errors are a list; spectacular wraps lists only for 2xx
                serializer = build_array_type(
                    self.resolve_serializer(Open311ErrorSerializer(), direction).ref
                )
            responses[code] = self._get_response_for_code(serializer, code, direction=direction)
        return dict(sorted(responses.items()))


class Open311ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.open311.ApiKeyAuthentication"
    name = "open311ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "query",
            "name": "api_key",
            "description": "GeoReport v2 api_key: the API token of the integration user.",
        }

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
from .serializers import strict

REQUEST_RULES: dict[str, dict] = {}  # component name -> JSON Schema keywords between its fields


class ApiAutoSchema(AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        # A permission that lets anonymous callers read (Open311's public reads, when the deployment
        # allows them) makes credentials optional for this operation: `{}` in its security list.
        anonymous = [getattr(p, "allows_anonymous", None) for p in self.view.get_permissions()]
        if {} not in auths and any(check and check(self.method) for check in anonymous):
            auths.append({})
        return auths

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # Rules between fields that the API enforces on a request body (e.g. only complaints have a
        # round), stated as JSON Schema by the serializer that reads the body.
        # Merged by apply_request_rules, after drf-spectacular has turned enums into components.
        rules = getattr(serializer, "request_schema_rules", None)
        if direction == "request" and rules:
            REQUEST_RULES[self._get_serializer_name(serializer, direction)] = rules
        return schema

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
        if "{" in self.path or is_list or getattr(view, "not_found_statuses", False):
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


# Text that may not be blank is refused when it holds no visible character (DRF strips it first); the
# schema says "at least one non-space" (strict.VISIBLE). NUL is refused in every text too (PostgreSQL
# cannot store it), which the API description states once instead of a `pattern` on every string: a
# pattern on each would make every generator of the schema's text (schemathesis, hypothesis) much slower.


def _require_visible(schema: dict) -> None:
    if schema.get("type") != "string" or "enum" in schema or "format" in schema or "pattern" in schema:
        return
    if schema.get("minLength", 0) >= 1:  # a CharField that may not be blank
        schema["pattern"] = strict.VISIBLE


def _walk_request_schema(schema, components: dict, seen: set[str]) -> None:
    if isinstance(schema, list):
        for item in schema:
            _walk_request_schema(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            _walk_request_schema(components.get(name), components, seen)
        return
    _require_visible(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            for sub in value.values():
                _walk_request_schema(sub, components, seen)
        elif key in ("items", "additionalProperties", "allOf", "anyOf", "oneOf", "not"):
            _walk_request_schema(value, components, seen)


def require_visible_request_text(result, generator, request, public):
    """drf-spectacular postprocessing hook: non-blank request text (minLength 1) gets strict.VISIBLE."""
    components = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _require_visible(parameter.get("schema", {}))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _walk_request_schema(media.get("schema"), components, seen)
    return result


def apply_request_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook: the serializers' `request_schema_rules` on their components."""
    components = result.get("components", {}).get("schemas", {})
    for name, rules in REQUEST_RULES.items():
        if name in components:
            components[name].update(rules)
    return result

"""The OpenAPI schema (settings: REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] and SPECTACULAR_SETTINGS'
hooks): drf-spectacular's, plus every error answer an operation can give."""

import inspect
import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from focusflow.fields import RejectUnknownFields


class ApiErrorSerializer(serializers.Serializer):
    """Every error answer: a message, a machine code, field messages for bad input, and sometimes
    more (e.g. `active_session_id` on a 409 from start, `ended_at` on a 409 from ping or end)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERROR_DESCRIPTIONS = {
    400: "Bad input: field messages in `errors`.",
    401: "Not signed in (token or session).",
    403: "Acting for another person_id, or a session-authenticated write without its CSRF token.",
    404: "No such record (another person's records are never revealed to exist), or no such page.",
    409: "The session's state does not allow it (already active, already ended).",
    413: "Body over 64 KB.",
    415: "Body is not JSON.",
    429: "Throttled (see the Retry-After header); for a ping also the session's ceiling on pings (`ping_ceiling`).",
}


# What each error answer really looks like (focusflow/api_errors.py), shown in the docs instead of
# a generated placeholder ("additionalProp1").
ERROR_EXAMPLES = {
    400: {
        "detail": "Invalid input.",
        "code": "invalid",
        "errors": {"estimated_duration": ["Ensure this value is less than or equal to 600."]},
    },
    401: {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    403: {"detail": "You can only act for your own person_id.", "code": "permission_denied"},
    404: {"detail": "Not found.", "code": "not_found"},
    409: {
        "detail": "A focus session is already active; end it before starting another.",
        "code": "conflict",
        "active_session_id": "3f0c8d52-6a4e-4c1b-9a5e-2d7b1f0e8c11",
    },
    413: {"detail": "Request body is too large.", "code": "too_large"},
    415: {"detail": 'Unsupported media type "text/plain" in request.', "code": "unsupported_media_type"},
    429: {"detail": "Request was throttled. Expected available in 12 seconds.", "code": "throttled"},
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, so clients (and the
    schema fuzz test) know every status the API may return. A view lists its domain errors (404 for
    an id in the body, 409) in `error_statuses`; the rest follow from the operation's shape."""

    # Words for an operation nobody summarized (extend_schema(summary=...) always wins): "List
    # webhooks", "Get a webhook", "Change a webhook".
    ACTION_VERBS = {
        "list": "List {plural}",
        "create": "Add a {one}",
        "retrieve": "Get a {one}",
        "update": "Replace a {one}",
        "partial_update": "Change a {one}",
        "destroy": "Delete a {one}",
    }
    METHOD_VERBS = {
        "get": "Get {plural}",
        "post": "Send {plural}",
        "put": "Replace {plural}",
        "patch": "Change {plural}",
        "delete": "Delete {plural}",
    }

    def get_description(self) -> str:  # type: ignore[override]
        """The view's own docstring (or its method's), never one inherited from a mixin or a DRF base
        class ("Mixin for API views: …" is not what an operation does)."""
        view_class = type(self.view)
        name = getattr(self.view, "action", None) or self.method.lower()
        for klass in view_class.__mro__:
            if klass.__module__.startswith(("rest_framework", "focusflow.people")):
                break
            method = klass.__dict__.get(name)
            if method is not None and method.__doc__:
                return inspect.cleandoc(method.__doc__)
        own = view_class.__dict__.get("__doc__")
        return inspect.cleandoc(own) if own else ""

    def get_summary(self) -> str | None:
        """The first sentence of the description when it is short, else the verb and the path's noun."""
        description = self.get_description()
        first = re.split(r"(?<=\.)\s|\n", description, maxsplit=1)[0].rstrip(".") if description else ""
        if first and len(first) <= 90 and first.count("(") == first.count(")"):
            return first
        action = getattr(self.view, "action", None)
        pattern = self.ACTION_VERBS.get(action or "") or self.METHOD_VERBS.get(self.method.lower(), "{plural}")
        words = [w for w in self.path.strip("/").split("/") if w and not w.startswith("{")]
        plural = words[-1].replace("_", " ") if words else "the API"
        return pattern.format(plural=plural, one=plural.removesuffix("s"))

    def _error_statuses(self) -> set[int]:
        statuses = set(getattr(self.view, "error_statuses", ()))
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = bool(self.get_override_parameters()) or bool(self._get_filter_parameters())
        if self.path_regex and "{" in self.path:
            statuses |= {400, 404}
        if has_body:
            statuses |= {400, 413, 415}
        if has_query:
            statuses.add(400)
        if self._is_list_view() and self._get_paginator() is not None and self.method == "GET":
            statuses |= {400, 404}  # a page out of range is a 404
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses |= {401, 403}
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in sorted(self._error_statuses()):
            if str(status_code) not in responses:
                response = self._get_response_for_code(
                    OpenApiResponse(
                        ApiErrorSerializer,
                        description=ERROR_DESCRIPTIONS[status_code],
                        examples=[
                            OpenApiExample(
                                f"{status_code}",
                                value=ERROR_EXAMPLES[status_code],
                                status_codes=[str(status_code)],
                                response_only=True,
                            )
                        ],
                    ),
                    str(status_code),
                    direction=direction,
                )
                if status_code == 429:
                    response["headers"] = {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds until the rate allows a call.",
                        }
                    }
                responses[str(status_code)] = response
        return responses

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body of one of several shapes (POST /focus/respond) is still required: drf-spectacular
        # cannot tell from a PolymorphicProxySerializer.
        if schema and isinstance(force_instance(serializer), PolymorphicProxySerializer):
            required = True
        return schema, required

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # Request bodies refuse unknown keys (a typo must not be silently dropped): say so.
        if direction == "request" and isinstance(force_instance(serializer), RejectUnknownFields):
            schema["additionalProperties"] = False
        return schema


def allow_empty_optional_query(result, generator, request, public):
    """Postprocessing hook: an optional query parameter sent empty (`?state=`) counts as not sent,
    as DRF reads it; say so in the schema (allowEmptyValue)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result

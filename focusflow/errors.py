"""Errors the services raise, and how the API turns every error into a clear JSON answer."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler

from focusflow.fields import RejectUnknownFields
from focusflow.parsers import RequestTooLarge

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the product was broken; carries the HTTP status the API answers with."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def as_payload(self) -> dict:
        return {"detail": self.detail, "code": self.code, **self.extra}


class InvalidInput(DomainError):
    """Bad input found by a service (e.g. a task of another person); extra holds field errors."""


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):  # a model's full_clean() in a service
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(f"Request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    elif isinstance(exc, SuspiciousOperation):  # e.g. RequestDataTooBig, too many fields
        exc = exceptions.ParseError(str(exc) or "Bad request.")
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data["code"] = getattr(detail, "code", None) or "error"
    elif response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": response.data}
    return response


def _wants_json(request) -> bool:
    path = request.path
    return path.startswith(("/focus/", "/planner/", "/rhythm/", "/api/", "/healthz")) or (
        "application/json" in request.headers.get("Accept", "")
    )


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    from django.views.defaults import bad_request as default

    return default(request, exception)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Permission denied.", "code": "permission_denied"}, status=403)
    from django.views.defaults import permission_denied as default

    return default(request, exception or PermissionDenied())


def server_error(request):
    logger.error("Unhandled server error on %s", request.path)
    if _wants_json(request):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    from django.views.defaults import server_error as default

    return default(request)


# --------------------------------------------------------------------------- the errors in the schema


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


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers each operation can give, so clients (and the
    schema fuzz test) know every status the API may return. A view lists its domain errors (404 for
    an id in the body, 409) in `error_statuses`; the rest follow from the operation's shape."""

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
                    OpenApiResponse(ApiErrorSerializer, description=ERROR_DESCRIPTIONS[status_code]),
                    str(status_code), direction=direction,
                )
                if status_code == 429:
                    response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                           "description": "Seconds until the rate allows a call."}}
                responses[str(status_code)] = response
        return responses

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

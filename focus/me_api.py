"""A person's own settings and data: /api/me/preferences, /api/me/export, and deleting /api/me.

Thin views: validate, call one service, serialize. A service account (focusflow.act_for_any_person)
names the person with `person_id` (query or body), and its access is recorded (PersonAccessAudit).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from focus.me_serializers import (
    DELETE_EXAMPLE,
    EXPORT_EXAMPLE,
    PREFERENCES_EXAMPLE,
    PREFERENCES_PATCH_EXAMPLE,
    DeletedSerializer,
    DeleteInput,
    ExportSerializer,
    PersonQuery,
    PreferencesInput,
    PreferencesSerializer,
    preference_values,
)
from focus.personal_data import person_erase, person_export
from focus.preferences import preferences_change
from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id, record_erasure
from rhythm.services import preferences_for


class PreferencesApi(PersonAccessAudit, APIView):
    """Your preferences: kinds to hold, notifications and sound, the start's defaults, time zone and working hours."""

    @extend_schema(
        parameters=[PersonQuery],
        responses={200: PreferencesSerializer},
        examples=[PREFERENCES_EXAMPLE],
        summary="Your preferences",
    )
    def get(self, request):
        person_id = acting_person_id(request, validated(PersonQuery, request.query_params).get("person_id"))
        return Response(PreferencesSerializer(preferences_for(person_id=person_id)).data)

    @extend_schema(
        request=PreferencesInput,
        responses={200: PreferencesSerializer},
        examples=[PREFERENCES_PATCH_EXAMPLE, PREFERENCES_EXAMPLE],
        summary="Change your preferences",
    )
    def patch(self, request):
        data = validated(PreferencesInput, request.data)
        person_id = acting_person_id(request, data.get("person_id"))
        preferences = preferences_change(person_id=person_id, values=preference_values(data))
        return Response(PreferencesSerializer(preferences).data)


class ExportApi(PersonAccessAudit, APIView):
    """Everything FocusFlow holds about you, as one JSON file to download (rate-limited: THROTTLE_EXPORT_RATE)."""

    throttle_scope = "me_export"

    @extend_schema(
        parameters=[PersonQuery],
        responses={200: ExportSerializer},
        examples=[EXPORT_EXAMPLE],
        summary="Download everything held about you",
    )
    def get(self, request):
        person_id = acting_person_id(request, validated(PersonQuery, request.query_params).get("person_id"))
        response = Response(person_export(person_id=person_id))
        name = f"focusflow-data-{timezone.now():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class DeleteApi(PersonAccessAudit, APIView):
    """Delete your account and everything held about you, at once and for good."""

    error_statuses = (409,)

    @extend_schema(
        request=DeleteInput,
        responses={200: DeletedSerializer},
        examples=[DELETE_EXAMPLE],
        summary="Delete your account and all of its data",
    )
    def post(self, request):
        data = validated(DeleteInput, request.data)
        person_id = acting_person_id(request, data.get("person_id"))
        deleted = person_erase(person_id=person_id)
        record_erasure(request, person_id)
        return Response({"deleted": deleted})

"""A person's own settings and data: /api/me/preferences, /api/me/export, and deleting /api/me.

Thin views: validate, call one service, serialize. A service account (focusflow.act_for_any_person)
names the person with `person_id` (query or body), and its access is recorded (PersonAccessAudit).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from focus.me_serializers import (
    PREFERENCES_EXAMPLE,
    PREFERENCES_PATCH_EXAMPLE,
    PreferencesInput,
    PreferencesSerializer,
    preference_values,
)
from focus.preferences import preferences_change
from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id
from rhythm.services import preferences_for


class PersonQuery(serializers.Serializer):
    person_id = serializers.UUIDField(required=False, help_text="Service accounts only: whose.")


class PreferencesApi(PersonAccessAudit, APIView):
    """Your preferences: kinds to hold, notifications and sound, the start's defaults, time zone and working hours."""

    @extend_schema(parameters=[PersonQuery], responses={200: PreferencesSerializer}, examples=[PREFERENCES_EXAMPLE])
    def get(self, request):
        person_id = acting_person_id(request, validated(PersonQuery, request.query_params).get("person_id"))
        return Response(PreferencesSerializer(preferences_for(person_id=person_id)).data)

    @extend_schema(
        request=PreferencesInput,
        responses={200: PreferencesSerializer},
        examples=[PREFERENCES_PATCH_EXAMPLE, PREFERENCES_EXAMPLE],
    )
    def patch(self, request):
        data = validated(PreferencesInput, request.data)
        person_id = acting_person_id(request, data.get("person_id"))
        preferences = preferences_change(person_id=person_id, values=preference_values(data))
        return Response(PreferencesSerializer(preferences).data)

"""Rhythm state read/update at /rhythm/state/ (service accounts pass ?person_id= or a body person_id)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id
from rhythm import selectors, services
from rhythm.serializers import RhythmQuery, RhythmStateSerializer, RhythmUpdateInput


class RhythmStateApi(PersonAccessAudit, APIView):
    @extend_schema(
        parameters=[RhythmQuery],
        responses={200: RhythmStateSerializer},
        summary="Your rhythm state",
        description="Current energy, stress and fatigue (0-1), their recent history, the emotion baseline and "
        "the focus habit strength (0-1: grows slowly with sessions finished near their estimate).",
    )
    def get(self, request):
        person_id = acting_person_id(request, validated(RhythmQuery, request.query_params).get("person_id"))
        return Response(RhythmStateSerializer(selectors.person_state(person_id=person_id)).data)

    @extend_schema(
        request=RhythmUpdateInput,
        responses={200: RhythmStateSerializer},
        summary="Set your rhythm state",
        description="Any of `energy`, `stress`, `fatigue` (0-1); each change is kept in the history.",
        examples=[OpenApiExample("Tired", value={"energy": 0.4, "fatigue": 0.7}, request_only=True)],
    )
    def put(self, request):
        data = validated(RhythmUpdateInput, request.data)
        person_id = acting_person_id(request, data.pop("person_id", None))
        services.rhythm_update(person_id=person_id, **data)
        return Response(RhythmStateSerializer(selectors.person_state(person_id=person_id)).data)

    patch = put

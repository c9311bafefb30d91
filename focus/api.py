"""Thin DRF views: validate, call one service or selector, serialize."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from focus import selectors, services
from focus.serializers import (
    EndInput,
    EventSerializer,
    EventsQuery,
    PingInput,
    SessionListQuery,
    SessionSerializer,
    StartInput,
)
from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id, readable_person_id, visible_person_id


class SessionStartApi(PersonAccessAudit, APIView):
    throttle_scope = "focus_start"
    error_statuses = (409,)

    @extend_schema(
        request=StartInput,
        responses={201: SessionSerializer},
        operation_id="focus_start",
        summary="Start a focus session",
        description="Starts a session for the signed-in person (leave out `person_id`; only a service account "
        "names someone else's). The first tick is queued at once; ticks follow every FOCUS_TICK_SECONDS. "
        "409 with `active_session_id` while another session of the person is running.",
        examples=[
            OpenApiExample(
                "A 45-minute deep-work session, no task",
                value={"task_id": None, "estimated_duration": 45, "mode": "deep"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = validated(StartInput, request.data)
        session = services.session_start(
            person_id=acting_person_id(request, data.get("person_id")),
            task_id=data.get("task_id"),
            estimated_duration=data["estimated_duration"],
            mode=data["mode"],
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionPingApi(PersonAccessAudit, APIView):
    throttle_scope = "focus_ping"
    error_statuses = (404, 409)  # 429 too: the throttle, and the ceiling on pings per session

    @extend_schema(
        request=PingInput,
        responses={201: EventSerializer},
        operation_id="focus_ping",
        summary="Ping biomarkers during a session",
        description="Any of the readings, all optional: `energy`, `stress`, `fatigue`, `focus` are 0-1 (the "
        "dashboard shows them as %), `heart_rate` bpm, `hrv_ms`, `activity`, `app_switches`, a `note`. Energy, "
        "stress and fatigue also update the rhythm state. 409 once the session has ended.",
        examples=[
            OpenApiExample(
                "A check-in",
                value={
                    "session_id": "3f0c8d52-6a4e-4c1b-9a5e-2d7b1f0e8c11",
                    "energy": 0.7,
                    "stress": 0.3,
                    "focus": 0.8,
                    "activity": "active",
                    "app_switches": 3,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = validated(PingInput, request.data)
        session_id = data.pop("session_id")
        # The login's person and rights were read once with the throttles (focusflow.people.actor).
        event = services.session_ping(session_id=session_id, person_id=visible_person_id(request), values=data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class SessionEndApi(PersonAccessAudit, APIView):
    error_statuses = (404, 409)

    @extend_schema(
        request=EndInput,
        responses={200: SessionSerializer},
        operation_id="focus_end",
        summary="End a session and get its summary",
        description="Ends the session once (a second end is a 409 and changes nothing) and answers it with its "
        "`summary`. Leave out `early_end` to have it worked out (ended before the estimate); sending `false` "
        "records an early end as not early.",
        examples=[
            OpenApiExample(
                "Ended with a score and a note",
                value={
                    "session_id": "3f0c8d52-6a4e-4c1b-9a5e-2d7b1f0e8c11",
                    "completion_score": 0.8,
                    "session_quality": {"rating": 4, "note": "outline done"},
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = validated(EndInput, request.data)
        session = services.session_end(
            session_id=data["session_id"],
            person_id=visible_person_id(request),
            completion_score=data.get("completion_score"),
            session_quality=data.get("session_quality"),
            early_end=data.get("early_end"),
        )
        return Response(SessionSerializer(session).data)


@extend_schema(
    parameters=[SessionListQuery],
    summary="List sessions",
    description="The person's sessions, newest first; `?state=active|ended`; service accounts may filter by "
    "`?person_id=` (403 for others).",
)
class SessionListApi(PersonAccessAudit, generics.ListAPIView):
    """Sessions, newest first; `?state=active|ended`; service accounts may filter by `?person_id=` (403 for others)."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        query = validated(SessionListQuery, self.request.query_params)
        return selectors.session_list(
            person_id=readable_person_id(self.request, query.get("person_id")), state=query.get("state")
        )


class SessionDetailApi(PersonAccessAudit, APIView):
    @extend_schema(
        responses={200: SessionSerializer},
        summary="One session",
        description="With its summary once ended. Another person's session is a 404.",
    )
    def get(self, request, session_id):
        session = selectors.session_get(session_id=session_id, person_id=visible_person_id(request))
        return Response(SessionSerializer(session).data)


class SessionEventsApi(PersonAccessAudit, APIView):
    @extend_schema(
        parameters=[EventsQuery],
        responses={200: EventSerializer(many=True)},
        summary="A session's events, newest first",
        description="Every tick writes one event (`nudge`, `break`, or `tick` with the reason nothing was sent), "
        "plus `ping`, `flow_start`, `flow_end`, `distraction`, `session_start`, `session_end`. `?after=` an event "
        "id or a time for incremental polling.",
    )
    def get(self, request, session_id):
        query = validated(EventsQuery, request.query_params)
        session = selectors.session_get(session_id=session_id, person_id=visible_person_id(request))
        after = query.get("after") or {}
        events = selectors.session_events(session=session, **after)[: query["limit"]]
        return Response(EventSerializer(events, many=True).data)

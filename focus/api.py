"""Thin DRF views: validate, call one service or selector, serialize."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from focus import controls, selectors, services
from focus.policy.answers import learned
from focus.serializers import (
    RESPOND_REQUEST,
    EndInput,
    EventSerializer,
    EventsQuery,
    LearnedQuery,
    LearnedSerializer,
    PingInput,
    RespondInput,
    SessionControlInput,
    SessionListQuery,
    SessionSerializer,
    StartInput,
)
from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id, readable_person_id, visible_person_id
from rhythm import selectors as rhythm_selectors
from rhythm import services as rhythm_services


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
            estimated_duration=data.get("estimated_duration"),  # None: the person's default
            mode=data.get("mode"),
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
        "dashboard shows them as %), `heart_rate` bpm, `hrv_ms`, `activity`, `app_switches` (and what it counts, "
        "`app_switches_counter`), a `note`. Energy, stress and fatigue also update the rhythm state. 409 once the "
        "session has ended.",
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
                    "app_switches_counter": "last_5_minutes",
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


_SESSION_ID_EXAMPLE = OpenApiExample(
    "A session", value={"session_id": "0b6c5a52-3a4b-4f4e-9d61-2c7a9d1e8f10"}, request_only=True
)


class _SessionControlApi(PersonAccessAudit, APIView):
    """A session control: the POST body names the session, ``control`` (a focus.controls service)
    changes it, and the answer is the session as it now is."""

    error_statuses = (404, 409)
    control = None  # set by each control: a callable (session_id, person_id) -> FocusSession

    def post(self, request):
        data = validated(SessionControlInput, request.data)
        session = type(self).control(session_id=data["session_id"], person_id=visible_person_id(request))
        return Response(SessionSerializer(session).data)


@extend_schema_view(
    post=extend_schema(
        request=SessionControlInput,
        responses={200: SessionSerializer},
        operation_id="focus_pause",
        summary="Pause a session",
        examples=[_SESSION_ID_EXAMPLE],
    )
)
class SessionPauseApi(_SessionControlApi):
    """Pause a running session: no tick runs and no time counts until it is resumed. 409 if paused or ended."""

    control = staticmethod(controls.pause_session)


@extend_schema_view(
    post=extend_schema(
        request=SessionControlInput,
        responses={200: SessionSerializer},
        operation_id="focus_resume",
        summary="Resume a paused session",
        examples=[_SESSION_ID_EXAMPLE],
    )
)
class SessionResumeApi(_SessionControlApi):
    """Resume a paused session; its next tick is one tick period from now. 409 if it is not paused."""

    control = staticmethod(controls.resume_session)


class NudgeRespondApi(PersonAccessAudit, APIView):
    """Answer a nudge or break once: done (taken), snooze (5, 10 or 15 minutes) or dismiss.

    Only a `nudge` or `break` event of an active session, answered at most once (409 otherwise);
    another person's event is a 404."""

    error_statuses = (404, 409)

    @extend_schema(
        request=RESPOND_REQUEST,
        responses={201: EventSerializer},
        operation_id="focus_respond",
        summary="Answer a nudge or break",
        examples=[
            OpenApiExample("Taken", value={"event_id": 1234, "response": "done"}, request_only=True),
            OpenApiExample(
                "Snoozed", value={"event_id": 1234, "response": "snooze", "snooze_minutes": 10}, request_only=True
            ),
            OpenApiExample("Dismissed", value={"event_id": 1234, "response": "dismiss"}, request_only=True),
            OpenApiExample(
                "The nudge_response event",
                value={
                    "id": 1240,
                    "session_id": "0b6c5a52-3a4b-4f4e-9d61-2c7a9d1e8f10",
                    "event_type": "nudge_response",
                    "ts": "2026-03-02T09:41:00Z",
                    "content": {"event_id": 1234, "kind": "micro_break", "response": "snooze", "snooze_minutes": 10},
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request):
        data = validated(RespondInput, request.data)
        event = controls.respond(
            event_id=data["event_id"],
            response=data["response"],
            snooze_minutes=data.get("snooze_minutes"),
            person_id=visible_person_id(request),
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class LearnedApi(PersonAccessAudit, APIView):
    """What the policy learned from how a person answered nudges, per kind; DELETE forgets it."""

    _example = OpenApiExample(
        "Mostly dismissed check-ins",
        value={
            "person_id": "5f0e7c1a-9c1d-4a57-8a8e-3b0c9f3e2d11",
            "kinds": [
                {
                    "kind": "check_in",
                    "counts": {"taken": 1, "snoozed": 1, "dismissed": 7, "ignored": 0},
                    "factor": 2.56,
                    "sentence": "Check-ins come less often: you dismissed 7 of the last 9.",
                }
            ],
        },
        response_only=True,
    )

    @extend_schema(
        parameters=[LearnedQuery],
        responses={200: LearnedSerializer},
        examples=[_example],
        summary="What the policy learned from your answers",
    )
    def get(self, request):
        query = validated(LearnedQuery, request.query_params)
        person_id = acting_person_id(request, query.get("person_id"))
        return Response({"person_id": person_id, "kinds": learned(rhythm_selectors.nudge_answers(person_id=person_id))})

    @extend_schema(
        parameters=[LearnedQuery],
        responses={200: LearnedSerializer},
        operation_id="me_learned_reset",
        summary="Forget what the policy learned from your answers",
    )
    def delete(self, request):
        query = validated(LearnedQuery, request.query_params)
        person_id = acting_person_id(request, query.get("person_id"))
        rhythm_services.nudge_answers_reset(person_id=person_id)
        return Response({"person_id": person_id, "kinds": []})


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

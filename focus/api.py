"""Thin DRF views: validate, call one service or selector, serialize."""

from drf_spectacular.utils import extend_schema
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

    @extend_schema(request=StartInput, responses={201: SessionSerializer}, operation_id="focus_start")
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

    @extend_schema(request=PingInput, responses={201: EventSerializer}, operation_id="focus_ping")
    def post(self, request):
        data = validated(PingInput, request.data)
        session_id = data.pop("session_id")
        # The login's person and rights were read once with the throttles (focusflow.people.actor).
        event = services.session_ping(session_id=session_id, person_id=visible_person_id(request), values=data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class SessionEndApi(PersonAccessAudit, APIView):
    error_statuses = (404, 409)

    @extend_schema(request=EndInput, responses={200: SessionSerializer}, operation_id="focus_end")
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


@extend_schema(parameters=[SessionListQuery])
class SessionListApi(PersonAccessAudit, generics.ListAPIView):
    """Sessions, newest first; `?state=active|ended`; service accounts may filter by `?person_id=` (403 for others)."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        query = validated(SessionListQuery, self.request.query_params)
        return selectors.session_list(
            person_id=readable_person_id(self.request, query.get("person_id")), state=query.get("state")
        )


class SessionDetailApi(PersonAccessAudit, APIView):
    @extend_schema(responses={200: SessionSerializer})
    def get(self, request, session_id):
        session = selectors.session_get(session_id=session_id, person_id=visible_person_id(request))
        return Response(SessionSerializer(session).data)


class SessionEventsApi(PersonAccessAudit, APIView):
    @extend_schema(parameters=[EventsQuery], responses={200: EventSerializer(many=True)})
    def get(self, request, session_id):
        query = validated(EventsQuery, request.query_params)
        session = selectors.session_get(session_id=session_id, person_id=visible_person_id(request))
        after = query.get("after") or {}
        events = selectors.session_events(session=session, **after)[: query["limit"]]
        return Response(EventSerializer(events, many=True).data)

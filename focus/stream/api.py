"""``GET /focus/sessions/{id}/stream``: a session's events as Server-Sent Events (DESIGN.md "Live delivery").

The view itself is an ordinary DRF view (authentication, 401/404, throttles, the access audit, the
OpenAPI description): it checks who asks, then hands back a streaming response whose body is an
async generator. Under ASGI (focusflow/asgi.py) that body runs on the event loop: an open stream is a
coroutine waiting on a queue, holding no thread, no process and no database connection. Under WSGI
(``runserver``, the test client) the answer is what there is now, then the stream closes (the client
reconnects with Last-Event-ID, which turns the stream into polling).
"""

from __future__ import annotations

import asyncio
import random
import uuid

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from focus import selectors
from focus.stream.hub import current_hub, events_after
from focus.stream.sse import (
    KEEPALIVE,
    RETRY_JITTER_MS,
    RETRY_MS,
    parse_last_event_id,
    sse_message,
    sse_preamble,
    sse_retry,
)
from focus.vocabulary import EVENT_TYPES, SESSION_END
from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, actor, acts_for_any_person, visible_person_id

STREAM_HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Accel-Buffering": "no",  # a buffering proxy (nginx) would hold the events back
}


class StreamQuery(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=0, help_text="Send the events after this event id (Last-Event-ID wins if both)."
    )


class StreamMessage(serializers.Serializer):
    """One message of the stream, as an SSE client parses it."""

    id = serializers.RegexField(r"^[0-9]+$", help_text="The event id (send it back as Last-Event-ID).")
    event = serializers.ChoiceField(choices=EVENT_TYPES, help_text="The event's event_type.")
    data = serializers.CharField(help_text="The JSON object the events list returns for this event.")


def _render(deliveries) -> tuple[str, bool]:
    """SSE text for deliveries, cut after session_end; and whether the stream is over."""
    parts = []
    for event_id, event_type, data in deliveries:
        parts.append(sse_message(event_id=event_id, event_type=event_type, data=data))
        if event_type == SESSION_END:
            return "".join(parts), True
    return "".join(parts), False


async def event_stream(session_id: uuid.UUID, after: int | None):
    """The body of an open stream: replay, then live, then close after session_end."""
    hub = current_hub()
    stream = hub.open(session_id, after)  # registered before its replay is read
    keepalive = settings.FOCUS_STREAM_KEEPALIVE_SECONDS
    try:
        yield sse_preamble(RETRY_MS + random.randrange(RETRY_JITTER_MS))
        while True:
            try:
                deliveries = await asyncio.wait_for(stream.queue.get(), keepalive)
            except TimeoutError:
                yield KEEPALIVE
                continue
            text, over = _render(deliveries)
            if stream.retry_ms is not None and not over:  # the process is stopping: come back later
                yield text + sse_retry(stream.retry_ms)
                return
            yield text
            if over:
                return
    finally:
        hub.close(stream)


STREAM_SCHEMA = extend_schema(
    operation_id="focus_session_stream",
    summary="A session's events, live (Server-Sent Events)",
    description=(
        "`text/event-stream`: one message per committed event of the session, in commit order, "
        "`id:` the event id, `event:` its event_type, `data:` the same JSON object the events list "
        "returns for it. `Last-Event-ID` (sent by EventSource on reconnect) or `?after=` first replays "
        "every later event, then the stream goes live: nothing lost, nothing twice. A `: keepalive` "
        "comment at least every 25 s. The stream closes after `session_end`; a session that has ended "
        "with nothing left to send answers 204 (EventSource stops reconnecting). Try: "
        "`curl -N -H 'Authorization: Token <key>' .../focus/sessions/<id>/stream`."
    ),
    parameters=[
        StreamQuery,
        OpenApiParameter(
            "Last-Event-ID",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=False,
            description="The id of the last event received (digits); resumes after it.",
            pattern=r"^[0-9]{1,18}$",
        ),
    ],
    responses={
        (200, "text/event-stream"): OpenApiResponse(
            StreamMessage, description="The event stream: one such message per event, then more as they commit."
        ),
        204: OpenApiResponse(description="The session has ended and every event was already sent."),
    },
)


class SessionStreamApi(PersonAccessAudit, APIView):
    def perform_content_negotiation(self, request, force=False):
        # EventSource asks for text/event-stream: errors are still answered as JSON, not 406.
        return super().perform_content_negotiation(request, force=True)

    @STREAM_SCHEMA
    def get(self, request, session_id):
        query = validated(StreamQuery, request.query_params)
        try:
            header = parse_last_event_id(request.headers.get("Last-Event-ID"))
        except ValueError as error:
            raise ValidationError({"Last-Event-ID": [str(error)]}) from None
        after = header if header is not None else query.get("after")
        session = selectors.session_get(session_id=session_id, person_id=visible_person_id(request))
        if acts_for_any_person(request):
            actor(request).persons.add(session.person_id)  # the access record names whose stream it is
        if not isinstance(request._request, ASGIRequest):
            # No event loop to hold the stream open: what there is now, then close.
            text, _ = _render(events_after({session.id: after or 0}).get(session.id, []))
            if session.ended_at is not None and not text:
                return Response(status=status.HTTP_204_NO_CONTENT)
            return HttpResponse(sse_preamble() + text, content_type="text/event-stream", headers=STREAM_HEADERS)
        if session.ended_at is not None and not session.events.filter(id__gt=after or 0).exists():
            return Response(status=status.HTTP_204_NO_CONTENT)
        return StreamingHttpResponse(
            event_stream(session.id, after), content_type="text/event-stream", headers=STREAM_HEADERS
        )

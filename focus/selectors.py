"""Reads of sessions and events, always scoped to the person asking (None = staff, any person)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet

from focus.models import FocusEvent, FocusSession
from focusflow.errors import NotFound


def sessions_visible_to(*, person_id: uuid.UUID | None) -> QuerySet[FocusSession]:
    sessions = FocusSession.objects.select_related("task")
    return sessions if person_id is None else sessions.filter(person_id=person_id)


def session_get(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> FocusSession:
    """The session, or NotFound: another person's session is never revealed to exist."""
    session = sessions_visible_to(person_id=person_id).filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    return session


def session_list(
    *, person_id: uuid.UUID | None, state: str | None = None, for_person: uuid.UUID | None = None
) -> QuerySet[FocusSession]:
    sessions = sessions_visible_to(person_id=person_id)
    if for_person is not None:
        sessions = sessions.filter(person_id=for_person)
    if state == "active":
        sessions = sessions.filter(ended_at__isnull=True)
    elif state == "ended":
        sessions = sessions.filter(ended_at__isnull=False)
    return sessions.order_by("-started_at")


def active_session_for(*, person_id: uuid.UUID) -> FocusSession | None:
    return FocusSession.objects.filter(person_id=person_id, ended_at__isnull=True).first()


def session_events(
    *, session: FocusSession, after_id: int | None = None, after_ts: datetime | None = None
) -> QuerySet[FocusEvent]:
    """Newest first; `after_*` narrows to events newer than what a poller has already seen."""
    events = session.events.order_by("-ts", "-id")
    if after_id is not None:
        events = events.filter(id__gt=after_id)
    if after_ts is not None:
        events = events.filter(ts__gt=after_ts)
    return events

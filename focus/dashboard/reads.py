"""What the dashboard reads from the database, all scoped to one person, through focus.selectors."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet

from focus import selectors
from focus.models import FocusEvent, FocusSession
from focus.vocabulary import USER_FACING_EVENT_TYPES
from planner.models import Task


def ended_sessions_since(*, person_id: uuid.UUID, since: datetime) -> QuerySet[FocusSession]:
    return (
        selectors.session_list(person_id=person_id, state="ended").filter(started_at__gte=since).select_related("task")
    )


def open_tasks(*, person_id: uuid.UUID) -> list[Task]:
    return list(Task.objects.filter(person_id=person_id).exclude(status=Task.Status.DONE)[:100])


def history_sessions(
    *, person_id: uuid.UUID, since: datetime, task_id: uuid.UUID | None = None, mode: str | None = None
) -> list[FocusSession]:
    sessions = ended_sessions_since(person_id=person_id, since=since)
    if task_id is not None:
        sessions = sessions.filter(task_id=task_id)
    if mode:
        sessions = sessions.filter(mode=mode)
    return list(sessions)


def tasks_with_sessions(*, person_id: uuid.UUID) -> list[Task]:
    return list(Task.objects.filter(person_id=person_id, sessions__isnull=False).distinct().order_by("title"))


def recent_events(*, session: FocusSession, limit: int) -> list[FocusEvent]:
    """The session's newest events, newest first."""
    return list(selectors.session_events(session=session)[:limit])


def user_facing_events(*, session: FocusSession, limit: int) -> list[FocusEvent]:
    """The session's nudges and breaks, oldest first."""
    return list(
        selectors.session_events(session=session)
        .filter(event_type__in=USER_FACING_EVENT_TYPES)
        .order_by("ts", "id")[:limit]
    )


def recent_session_pings(*, session: FocusSession, limit: int) -> list[FocusEvent]:
    """The session's newest pings, newest first (where the live page's sliders start)."""
    return list(selectors.session_events(session=session).filter(event_type="ping")[:limit])

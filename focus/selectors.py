"""Reads of sessions and events, always scoped to the person asking (None = staff, any person)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from focus.models import FocusEvent, FocusSession
from focusflow.errors import NotFound
from rhythm.models import PersonAccount, PersonalModel, RhythmState


def sessions_visible_to(*, person_id: uuid.UUID | None) -> QuerySet[FocusSession]:
    sessions = FocusSession.objects.select_related("task")
    return sessions if person_id is None else sessions.filter(person_id=person_id)


def session_get(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> FocusSession:
    """The session, or NotFound: another person's session is never revealed to exist."""
    session = sessions_visible_to(person_id=person_id).filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    return session


def belongs_to_login(login_id: int) -> Q:
    """A session of the person this login (user id) maps to, matched inside the query that reads the
    session: the hot path does not look the mapping up on its own. A login without one matches nothing."""
    return Q(person_id__in=PersonAccount.objects.filter(user_id=login_id).values("person_id"))


def session_for_ping(
    *, session_id: uuid.UUID, person_id: uuid.UUID | None = None, login_id: int | None = None
) -> FocusSession | None:
    """Lock the session row for this transaction and read, in the same statement, what a ping's event
    needs: its task (for the snapshot) and the person's rhythm and emotion now, as `rhythm_now` and
    `emotion_now` (the values rhythm.selectors.rhythm_snapshot and emotion_baseline give).

    Only the person's session (`person_id`), or the session of the person a login maps to
    (`login_id`); neither: any session (staff). None if there is no such session."""
    rhythm = RhythmState.objects.filter(person_id=OuterRef("person_id")).values(
        snapshot=JSONObject(energy="energy", stress="stress", fatigue="fatigue"))[:1]
    emotion = PersonalModel.objects.filter(person_id=OuterRef("person_id"), emotion__isnull=False).values(
        snapshot=JSONObject(emotion="emotion", source="emotion_source"))[:1]
    # Only the session row is locked (of=self): the task is on the nullable side of the join.
    sessions = (
        FocusSession.objects.select_for_update(of=("self",)).select_related("task")
        .only("person_id", "ended_at", "ping_count", "task")
        .annotate(rhythm_now=Subquery(rhythm), emotion_now=Subquery(emotion))
        .filter(pk=session_id)
    )
    if person_id is not None:
        sessions = sessions.filter(person_id=person_id)
    if login_id is not None:
        sessions = sessions.filter(belongs_to_login(login_id))
    session = sessions.first()
    if session is not None:
        if session.rhythm_now is None:  # no update yet: the defaults a first update starts from
            session.rhythm_now = RhythmState(person_id=session.person_id).as_snapshot()
        if session.emotion_now is None:
            session.emotion_now = {"emotion": PersonalModel.Emotion.NEUTRAL, "source": "default"}
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

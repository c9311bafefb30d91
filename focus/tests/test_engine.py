"""run_tick: one locked session, exactly one event, skips what ended / is not due / is stale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focus import engine
from focus.models import USER_FACING_EVENTS, FocusEvent, FocusSession
from focus.services import session_end, session_ping, session_start

pytestmark = pytest.mark.django_db

TICK_EVENTS = ("tick", "nudge", "break")


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def session(alice_api, t0):
    return session_start(person_id=alice_api.person_id, task_id=None, estimated_duration=45, mode="deep", now=t0)


def tick_events(session):
    return list(FocusEvent.objects.filter(session=session, event_type__in=TICK_EVENTS).order_by("ts", "id"))


def test_the_first_tick_is_due_at_start_and_writes_one_event(session, t0):
    assert engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=1)) == "tick"
    session.refresh_from_db()
    assert [e.content["reason"] for e in tick_events(session)] == ["settling_in"]
    assert session.tick_count == 1 and session.last_tick_at == t0 + timedelta(seconds=1)
    assert session.next_tick_at == t0 + timedelta(seconds=300)
    event = tick_events(session)[0]
    assert event.rhythm_snapshot and event.emotion_snapshot == {"emotion": "neutral", "source": "default"}


def test_a_tick_that_is_not_due_writes_nothing(session, t0):
    engine.run_tick(session_id=session.id, now=t0)
    assert engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=299)) == engine.SKIPPED_NOT_DUE
    assert len(tick_events(session)) == 1
    assert engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=300)) in TICK_EVENTS
    assert len(tick_events(session)) == 2


def test_a_duplicate_delivery_of_one_tick_writes_one_event(session, t0):
    assert engine.run_tick(session_id=session.id, now=t0) == "tick"
    assert engine.run_tick(session_id=session.id, now=t0) == engine.SKIPPED_NOT_DUE
    assert len(tick_events(session)) == 1


def test_a_stale_sequence_is_skipped(session, t0):
    FocusSession.objects.filter(pk=session.pk).update(tick_seq=5)
    assert engine.run_tick(session_id=session.id, seq=4, now=t0) == engine.SKIPPED_STALE
    assert engine.run_tick(session_id=session.id, seq=5, now=t0) == "tick"


def test_nothing_is_written_after_the_end(session, t0):
    session_end(session_id=session.id, person_id=None, now=t0 + timedelta(minutes=1))
    assert engine.run_tick(session_id=session.id, now=t0 + timedelta(hours=1)) == engine.SKIPPED_ENDED
    assert tick_events(session) == []


def test_a_late_tick_keeps_the_cadence_unless_a_whole_period_was_missed(session, t0):
    engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=20))
    session.refresh_from_db()
    assert session.next_tick_at == t0 + timedelta(seconds=300)
    engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=1000))
    session.refresh_from_db()
    assert session.next_tick_at == t0 + timedelta(seconds=1300)


def test_a_stress_rise_gets_one_recovery_break_and_the_guardrails_count_it(alice_api, t0, settings):
    settings.FOCUS_MAX_NUDGES = 1
    session = session_start(person_id=alice_api.person_id, task_id=None, estimated_duration=15, mode="deep", now=t0)
    for n in range(8):
        now = t0 + timedelta(seconds=300 * n)
        if n == 1:  # a short break (fatigue 0.5 → 10 min), then the wrap-up meets the cap
            session_ping(
                session_id=session.id,
                person_id=None,
                now=now - timedelta(seconds=10),
                values={"stress": 0.95, "fatigue": 0.5, "activity": "active"},
            )
        engine.run_tick(session_id=session.id, now=now)
    session.refresh_from_db()
    facing = [e for e in tick_events(session) if e.event_type in USER_FACING_EVENTS]
    assert [e.content["kind"] for e in facing] == ["recovery_break"]
    assert facing[0].content["break_minutes"] == 10 and facing[0].content["tone"] == "micro"
    assert session.nudges_sent == 1
    assert any(e.content.get("reason") == "cap" for e in tick_events(session))
    assert session.tick_count == len(tick_events(session)) == 8

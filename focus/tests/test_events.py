"""focus/events.py: every event is written there, and handed on once its transaction commits."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from focus import engine, events
from focus.models import FocusEvent
from focus.services import session_ping, session_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_on(monkeypatch):
    calls: list[list[tuple[int, str]]] = []
    monkeypatch.setattr(events, "LISTENERS", [lambda written: calls.append([(e.id, e.event_type) for e in written])])
    return calls


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def session(alice_api, t0):
    return session_start(person_id=alice_api.person_id, task_id=None, estimated_duration=45, mode="deep", now=t0)


def test_a_ping_is_handed_on_after_commit_with_its_id(session, handed_on, t0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ping = session_ping(
            session_id=session.id, person_id=None, values={"stress": 0.4}, now=t0 + timedelta(seconds=5)
        )
        assert handed_on == []  # not before the commit
    assert handed_on == [[(ping.id, "ping")]]


def test_a_tick_batch_is_written_once_and_handed_on_once(session, handed_on, t0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=1)) == "tick"
    tick = FocusEvent.objects.get(session=session, event_type="tick")
    assert handed_on == [[(tick.id, "tick")]]


def test_nothing_is_handed_on_for_a_rolled_back_write(session, handed_on, t0, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        events.event_write(session=session, event_type="ping", ts=t0, content={})
        raise RuntimeError("the request failed")
    assert handed_on == []
    assert not FocusEvent.objects.filter(session=session, event_type="ping").exists()


def test_with_no_listener_nothing_is_queued_on_commit(session, t0, django_capture_on_commit_callbacks, monkeypatch):
    from focus.stream.publish import events_publish

    assert events.LISTENERS[:] == [events_publish]  # live delivery's announcement (focus/stream/)
    monkeypatch.setattr(events, "LISTENERS", [])
    with django_capture_on_commit_callbacks() as callbacks:
        session_ping(session_id=session.id, person_id=None, values={"stress": 0.4}, now=t0 + timedelta(seconds=5))
    assert callbacks == []

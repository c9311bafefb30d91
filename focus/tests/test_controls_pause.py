"""Pause and resume (POST /focus/pause, /focus/resume; focus/controls.py): no tick while paused, and
paused time counts in no duration. Time is pinned with time-machine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings

from focus import engine, long_pauses, scheduler
from focus.controls import pause_session, resume_session
from focus.models import EventType, FocusEvent, FocusSession
from focus.services import session_end, session_ping, session_start
from focusflow.errors import Conflict

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def start(person_id, *, estimate: int = 45) -> FocusSession:
    with time_machine.travel(T0, tick=False):
        return session_start(person_id=person_id, task_id=None, estimated_duration=estimate, mode="deep")


def post(client, path, session_id, when):
    with time_machine.travel(when, tick=False):
        return client.post(path, {"session_id": str(session_id)}, format="json")


def test_pausing_answers_the_session_paused_and_writes_a_pause_event(alice_api):
    session = start(alice_api.person_id)
    response = post(alice_api, "/focus/pause", session.id, at(10))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["paused_at"] == at(10).isoformat().replace("+00:00", "Z")
    assert body["paused_minutes"] == 0 and body["next_tick_at"] is None and body["actual_duration"] == 10
    event = FocusEvent.objects.filter(session=session).order_by("-id").first()
    assert event.event_type == EventType.PAUSE and event.content == {"reason": "person"}


def test_resuming_leaves_the_pause_out_and_schedules_the_next_tick_from_now(alice_api):
    session = start(alice_api.person_id)
    post(alice_api, "/focus/pause", session.id, at(10))
    response = post(alice_api, "/focus/resume", session.id, at(40))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["paused_at"] is None and body["paused_minutes"] == 30
    assert body["actual_duration"] == 10  # the 30 paused minutes count in no duration
    session.refresh_from_db()
    assert session.next_tick_at == at(40) + timedelta(seconds=settings.FOCUS_TICK_SECONDS)
    event = FocusEvent.objects.filter(session=session).order_by("-id").first()
    assert event.event_type == EventType.RESUME and event.content == {"paused_minutes": 30.0}


def test_pause_on_a_paused_or_ended_session_and_resume_on_a_running_one_are_409s(alice_api):
    session = start(alice_api.person_id)
    assert post(alice_api, "/focus/resume", session.id, at(1)).status_code == 409  # running
    assert post(alice_api, "/focus/pause", session.id, at(2)).status_code == 200
    second = post(alice_api, "/focus/pause", session.id, at(3))
    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert FocusEvent.objects.filter(session=session, event_type=EventType.PAUSE).count() == 1  # changed nothing
    with time_machine.travel(at(4), tick=False):
        session_end(session_id=session.id, person_id=None)
    assert post(alice_api, "/focus/pause", session.id, at(5)).status_code == 409
    assert post(alice_api, "/focus/resume", session.id, at(5)).status_code == 409


def test_another_persons_session_is_a_404_and_bad_input_a_400(alice_api, bob_api):
    session = start(alice_api.person_id)
    assert post(bob_api, "/focus/pause", session.id, at(1)).status_code == 404
    assert post(bob_api, "/focus/resume", session.id, at(1)).status_code == 404
    assert alice_api.post("/focus/pause", {"session_id": "nope"}, format="json").status_code == 400
    assert alice_api.post("/focus/pause", {}, format="json").status_code == 400
    assert FocusSession.objects.get(pk=session.id).paused_at is None


def test_the_sweep_never_claims_a_paused_session_and_claims_it_again_after_resume(alice_api):
    session = start(alice_api.person_id)
    pause_session(session_id=session.id, now=at(1))
    for minutes in (5, 30, 59):
        assert scheduler.claim_due_sessions(now=at(minutes)) == []
    resume_session(session_id=session.id, now=at(60))
    assert scheduler.claim_due_sessions(now=at(62)) == []  # due one tick period after the resume
    claims = scheduler.claim_due_sessions(now=at(65))
    assert [session_id for session_id, _ in claims] == [str(session.id)]


def test_a_tick_message_in_flight_when_the_session_paused_is_skipped(alice_api):
    session = start(alice_api.person_id)
    ((session_id, seq),) = scheduler.claim_due_sessions(now=at(0))
    pause_session(session_id=session.id, now=at(0.5))
    assert engine.run_tick(session_id=session_id, seq=seq, now=at(1)) == engine.SKIPPED_STALE
    assert engine.run_tick(session_id=session_id, now=at(1)) == engine.SKIPPED_NOT_DUE
    assert not FocusEvent.objects.filter(session=session, event_type=EventType.TICK).exists()


def test_the_summary_leaves_the_pause_out_of_its_minutes_and_the_energy_curve(alice_api):
    session = start(alice_api.person_id, estimate=30)
    session_ping(session_id=session.id, values={"energy": 0.8}, now=at(5))
    pause_session(session_id=session.id, now=at(10))
    resume_session(session_id=session.id, now=at(70))
    session_ping(session_id=session.id, values={"energy": 0.4}, now=at(80))
    with time_machine.travel(at(90), tick=False):
        ended = session_end(session_id=session.id, person_id=None, completion_score=1.0)
    summary = ended.summary
    assert ended.actual_duration == 30  # 90 minutes on the wall, 60 of them paused
    assert summary["duration"]["actual_minutes"] == 30 and summary["duration"]["paused_minutes"] == 60
    assert [p["minute"] for p in summary["energy_curve"]["points"]][-1] == 20  # the ping at 80 is minute 20
    assert "Paused for 60 minutes" in summary["headline"]


def test_ending_a_paused_session_closes_the_pause(alice_api):
    session = start(alice_api.person_id)
    pause_session(session_id=session.id, now=at(20))
    with time_machine.travel(at(50), tick=False):
        ended = session_end(session_id=session.id, person_id=None)
    assert ended.paused_at is None and ended.actual_duration == 20 and ended.paused_minutes() == 30
    assert ended.early_end is True  # 20 of 45 minutes


def test_a_session_paused_past_the_maximum_ends_itself_early_and_the_summary_says_so(alice_api, bob_api):
    paused = start(alice_api.person_id)
    pause_session(session_id=paused.id, now=at(15))
    running = start(bob_api.person_id)
    limit = settings.FOCUS_MAX_PAUSE_MINUTES
    assert long_pauses.end_long_paused_sessions(now=at(15 + limit - 1)) == 0
    assert long_pauses.end_long_paused_sessions(now=at(16 + limit)) == 1
    assert long_pauses.end_long_paused_sessions(now=at(17 + limit)) == 0
    paused.refresh_from_db()
    assert paused.ended_at == at(16 + limit) and paused.early_end and paused.actual_duration == 15
    assert paused.summary["ended_after_pause"] is True
    assert paused.summary["sentences"][0].startswith("Ended by itself after a pause longer than 60 minutes")
    assert FocusSession.objects.get(pk=running.id).ended_at is None


def test_the_pause_sweep_leaves_a_session_resumed_since_alone(alice_api):
    session = start(alice_api.person_id)
    pause_session(session_id=session.id, now=at(1))
    resume_session(session_id=session.id, now=at(100))
    assert long_pauses.end_long_paused_sessions(now=at(101)) == 0
    with pytest.raises(Conflict):  # the sweep's end checks the pause under the lock
        session_end(session_id=session.id, person_id=None, ended_after_pause_minutes=60, require_paused_before=at(100))


@pytest.mark.parametrize("value", ["0", "-5", "an hour", "1e9"])
def test_a_bad_pause_maximum_stops_the_process_and_names_the_variable(value):
    from focus.tests.test_security_settings import run_django

    done = run_django(["manage.py", "check"], FOCUS_MAX_PAUSE_MINUTES=value)
    assert done.returncode != 0 and "FOCUS_MAX_PAUSE_MINUTES" in done.stderr, done.stderr[-500:]


def test_the_pause_sweep_is_installed_as_its_own_beat_entry_and_task(alice_api):
    from django_celery_beat.models import PeriodicTask

    from focus.tasks import end_long_paused_sessions

    entry = PeriodicTask.objects.get(name="focus.end_long_paused_sessions")
    assert entry.enabled and entry.task == "focus.end_long_paused_sessions" and entry.queue == settings.FOCUS_QUEUE
    assert entry.interval.every == settings.LONG_PAUSE_SWEEP_SECONDS <= 60
    session = start(alice_api.person_id)
    pause_session(session_id=session.id, now=at(1))
    with time_machine.travel(at(2 + settings.FOCUS_MAX_PAUSE_MINUTES), tick=False):
        assert end_long_paused_sessions() == 1  # the task body calls the sweep

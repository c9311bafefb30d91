"""The max-age sweep: a session nobody ended ends by itself FOCUS_MAX_SESSION_HOURS after it
started, once, through the normal session_end (focus/overdue.py). Time is pinned with time-machine."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from focus import overdue
from focus.models import EventType, FocusEvent, FocusSession
from focus.services import session_end, session_ping, session_start
from focus.tests.test_security_settings import run_django
from focusflow.errors import Conflict
from rhythm.models import MemoryShortTerm, PersonalModel

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def start(person_id, *, at: datetime, estimate: int = 45) -> FocusSession:
    with time_machine.travel(at, tick=False):
        return session_start(person_id=person_id, task_id=None, estimated_duration=estimate, mode="deep")


@pytest.mark.django_db
def test_a_session_left_running_past_the_maximum_ends_by_itself_once_and_says_so(alice_api, bob_api):
    forgotten = start(alice_api.person_id, at=T0)
    session_ping(session_id=forgotten.id, person_id=None, values={"energy": 0.7}, now=T0 + timedelta(minutes=10))
    recent = start(bob_api.person_id, at=T0 + timedelta(hours=1))

    with time_machine.travel(T0 + timedelta(hours=12, seconds=-1), tick=False):
        assert overdue.end_overdue_sessions() == 0  # not quite 12 hours yet
    sweep_at = T0 + timedelta(hours=12, minutes=1)
    with time_machine.travel(sweep_at, tick=False):
        assert overdue.end_overdue_sessions() == 1
        assert overdue.end_overdue_sessions() == 0  # a second sweep finds nothing to end

    forgotten.refresh_from_db()
    assert forgotten.ended_at == sweep_at and forgotten.early_end is True and forgotten.next_tick_at is None
    summary = forgotten.summary
    assert summary["ended_automatically"] is True and summary["early_end"] is True
    assert summary["sentences"][0].startswith("Ended automatically after 12 hours against a 45-minute estimate")
    assert any(f["kind"] == "early_end" and "ended automatically" in f["detail"] for f in summary["friction_points"])
    last = FocusEvent.objects.filter(session=forgotten).order_by("-ts", "-id").first()
    assert last.event_type == EventType.SESSION_END and last.content["ended_automatically"] is True
    (memory,) = MemoryShortTerm.objects.filter(session_id=forgotten.id)
    assert memory.content == summary and memory.sentiment is None
    # A forgotten timer is not practice: the habit does not grow.
    assert not PersonalModel.objects.filter(person_id=alice_api.person_id, focus_habit_strength__gt=0).exists()
    assert FocusSession.objects.get(pk=recent.id).ended_at is None
    with pytest.raises(Conflict):
        session_end(session_id=forgotten.id, person_id=None)


@pytest.mark.django_db
def test_an_auto_end_leaves_the_habit_and_the_emotion_baseline_as_they_were(alice_api):
    earlier = start(alice_api.person_id, at=T0 - timedelta(days=1))
    session_end(
        session_id=earlier.id,
        person_id=None,
        completion_score=1.0,
        session_quality={"rating": 5},
        now=T0 - timedelta(days=1) + timedelta(minutes=45),
    )
    before = PersonalModel.objects.get(person_id=alice_api.person_id)
    assert before.emotion == "positive" and before.focus_habit_strength > 0
    start(alice_api.person_id, at=T0)

    with time_machine.travel(T0 + timedelta(hours=13), tick=False):
        assert overdue.end_overdue_sessions() == 1

    after = PersonalModel.objects.get(person_id=alice_api.person_id)
    assert (after.emotion, after.focus_habit_strength, after.last_session_at) == (
        before.emotion,
        before.focus_habit_strength,
        before.last_session_at,
    )


@pytest.mark.django_db
def test_the_maximum_is_configurable(alice_api, settings):
    settings.FOCUS_MAX_SESSION_HOURS = 2
    session = start(alice_api.person_id, at=T0, estimate=30)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=59), tick=False):
        assert overdue.end_overdue_sessions() == 0
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert overdue.end_overdue_sessions() == 1
    session.refresh_from_db()
    assert session.summary["sentences"][0].startswith("Ended automatically after 2 hours against a 30-minute")


@pytest.mark.django_db
def test_a_session_its_person_ended_meanwhile_is_skipped(alice_api, monkeypatch):
    session = start(alice_api.person_id, at=T0)
    real_end = overdue.session_end

    def person_ends_first(**kwargs):
        # The person presses End after the sweep's query and before its end.
        real_end(session_id=kwargs["session_id"], person_id=alice_api.person_id, completion_score=0.8)
        return real_end(**kwargs)

    monkeypatch.setattr(overdue, "session_end", person_ends_first)
    with time_machine.travel(T0 + timedelta(hours=12, minutes=1), tick=False):
        assert overdue.end_overdue_sessions() == 0
    session.refresh_from_db()
    assert session.summary["ended_automatically"] is False and session.completion_score == 0.8
    assert MemoryShortTerm.objects.filter(session_id=session.id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_end_each_session_once(alice_api, bob_api):
    """Two beats by mistake, or two workers: both sweeps see the same overdue sessions."""
    sessions = [start(alice_api.person_id, at=T0), start(bob_api.person_id, at=T0 + timedelta(minutes=5))]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        from django.db import connection

        try:
            barrier.wait(timeout=30)
            results.append(overdue.end_overdue_sessions())
        except BaseException as exc:  # surfaced below: an error in a thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(T0 + timedelta(hours=12, minutes=10), tick=False):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    assert not errors and sorted(results) in ([0, 2], [1, 1])
    for session in sessions:
        assert MemoryShortTerm.objects.filter(session_id=session.id).count() == 1
        assert FocusEvent.objects.filter(session=session, event_type=EventType.SESSION_END).count() == 1


@pytest.mark.parametrize("value", ["0", "-1", "twelve", "1e9"])
def test_a_bad_maximum_stops_the_process_and_names_the_variable(value):
    done = run_django(["manage.py", "check"], FOCUS_MAX_SESSION_HOURS=value)
    assert done.returncode != 0 and "FOCUS_MAX_SESSION_HOURS" in done.stderr, done.stderr[-500:]


@pytest.mark.django_db
def test_the_sweep_is_installed_as_its_own_beat_entry_and_task(alice_api, settings):
    from django_celery_beat.models import PeriodicTask

    from focus.tasks import end_overdue_sessions

    entry = PeriodicTask.objects.get(name="focus.end_overdue_sessions")
    assert entry.enabled and entry.task == "focus.end_overdue_sessions" and entry.queue == settings.FOCUS_QUEUE
    assert entry.interval.every == settings.OVERDUE_SWEEP_SECONDS <= 60
    start(alice_api.person_id, at=T0)
    with time_machine.travel(T0 + timedelta(hours=12), tick=False):
        assert end_overdue_sessions() == 1  # the task body calls the sweep

"""POST /focus/start, /focus/ping, /focus/end: the seed's flow and its rules."""

import uuid

import pytest
import redis
import time_machine
from django.conf import settings
from django.utils import timezone

from focus.models import FocusEvent, FocusSession
from planner.tests.factories import TaskFactory
from rhythm.models import MemoryShortTerm, PersonalModel, RhythmState

pytestmark = pytest.mark.django_db


def start(client, **body):
    return client.post(
        "/focus/start", {"task_id": None, "estimated_duration": 45, "mode": "deep", **body}, format="json"
    )


def test_it_starts_a_session_with_its_start_state_and_a_session_start_event(alice_api):
    task = TaskFactory(person_id=alice_api.person_id, title="Write the report")
    response = start(alice_api, task_id=str(task.id), person_id=str(alice_api.person_id))
    assert response.status_code == 201, response.json()
    body = response.json()
    session = FocusSession.objects.get(pk=body["session_id"])
    assert body["is_active"] and body["mode"] == "deep" and body["estimated_duration"] == 45
    assert session.person_id == alice_api.person_id and session.task == task
    assert set(session.start_state) == {"rhythm", "task", "emotion"}
    assert session.start_state["task"]["title"] == "Write the report"
    assert session.start_state["emotion"] == {"emotion": "neutral", "source": "default"}
    assert list(session.events.values_list("event_type", flat=True)) == ["session_start"]
    assert session.next_tick_at is not None  # the first tick is due at once (the sweep's safety net)


def test_it_enqueues_the_first_tick_on_the_focus_queue_after_commit(alice_api, django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(settings.FOCUS_QUEUE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = start(alice_api)
    assert response.status_code == 201
    assert len(callbacks) == 2  # the first tick's enqueue, and live delivery's announcement of the start
    assert broker.llen(settings.FOCUS_QUEUE) == 1
    message = broker.lpop(settings.FOCUS_QUEUE).decode()
    assert "focus.run_focus_tick" in message and response.json()["session_id"] in message


def test_a_person_may_omit_person_id_and_staff_act_for_anyone(alice_api, staff_api):
    assert start(alice_api).json()["person_id"] == str(alice_api.person_id)
    somebody = uuid.uuid4()
    response = start(staff_api, person_id=str(somebody))
    assert response.status_code == 201
    assert response.json()["person_id"] == str(somebody)


def test_a_second_start_is_a_409_naming_the_active_session(alice_api):
    first = start(alice_api).json()
    response = start(alice_api, estimated_duration=25)
    assert response.status_code == 409
    assert response.json()["active_session_id"] == first["session_id"]
    assert FocusSession.objects.count() == 1


def test_a_task_of_another_person_is_refused(alice_api, bob_api):
    task = TaskFactory(person_id=bob_api.person_id)
    response = start(alice_api, task_id=str(task.id))
    assert response.status_code == 400
    assert "task_id" in response.json()["errors"]
    assert not FocusSession.objects.exists()


def test_a_ping_logs_the_values_and_moves_the_rhythm_state(alice_api):
    session_id = start(alice_api).json()["session_id"]
    response = alice_api.post(
        "/focus/ping",
        {
            "session_id": session_id,
            "heart_rate": 72,
            "hrv_ms": 41.5,
            "stress": 0.7,
            "activity": "active",
            "app_switches": 3,
            "note": "deep in it",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    event = FocusEvent.objects.get(pk=response.json()["id"])
    assert event.event_type == "ping"
    assert event.content == {
        "heart_rate": 72,
        "hrv_ms": 41.5,
        "stress": 0.7,
        "activity": "active",
        "app_switches": 3,
        "note": "deep in it",
    }
    assert RhythmState.objects.get(person_id=alice_api.person_id).stress == 0.7


def test_end_writes_the_summary_once_and_strengthens_the_habit(alice_api):
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        session_id = start(alice_api, estimated_duration=30).json()["session_id"]
    with time_machine.travel(started + timezone.timedelta(minutes=30), tick=False):
        response = alice_api.post(
            "/focus/end",
            {
                "session_id": session_id,
                "completion_score": 0.8,
                "session_quality": {"note": "test"},
                "early_end": False,
            },
            format="json",
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ended_at"] is not None and not body["is_active"]
    assert body["actual_duration"] == 30.0
    assert body["completion_score"] == 0.8 and body["session_quality"] == {"note": "test"}
    assert body["summary"]["duration"]["estimated_minutes"] == 30
    memories = MemoryShortTerm.objects.filter(user_id=alice_api.person_id, kind="focus_summary")
    assert memories.count() == 1
    assert PersonalModel.objects.get(person_id=alice_api.person_id).focus_habit_strength > 0
    session = FocusSession.objects.get(pk=session_id)
    assert session.events.first().event_type == "session_end"
    assert session.next_tick_at is None


def test_a_second_end_is_a_409_and_writes_nothing(alice_api):
    session_id = start(alice_api).json()["session_id"]
    assert alice_api.post("/focus/end", {"session_id": session_id}, format="json").status_code == 200
    strength = PersonalModel.objects.get(person_id=alice_api.person_id).focus_habit_strength
    events = FocusEvent.objects.count()
    response = alice_api.post("/focus/end", {"session_id": session_id, "completion_score": 1.0}, format="json")
    assert response.status_code == 409
    assert FocusEvent.objects.count() == events
    assert MemoryShortTerm.objects.count() == 1
    assert PersonalModel.objects.get(person_id=alice_api.person_id).focus_habit_strength == strength


def test_a_ping_on_an_ended_session_is_a_409(alice_api):
    session_id = start(alice_api).json()["session_id"]
    alice_api.post("/focus/end", {"session_id": session_id}, format="json")
    response = alice_api.post("/focus/ping", {"session_id": session_id, "focus": 0.5}, format="json")
    assert response.status_code == 409
    assert not FocusEvent.objects.filter(event_type="ping").exists()


def test_early_end_defaults_to_ending_before_the_estimate(alice_api):
    session_id = start(alice_api, estimated_duration=45).json()["session_id"]
    body = alice_api.post("/focus/end", {"session_id": session_id}, format="json").json()
    assert body["early_end"] is True


def test_after_an_end_a_new_session_may_start(alice_api):
    session_id = start(alice_api).json()["session_id"]
    alice_api.post("/focus/end", {"session_id": session_id}, format="json")
    assert start(alice_api).status_code == 201

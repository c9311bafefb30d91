"""POST /focus/ping, the API's hot path: the ceiling on pings per session (FOCUS_MAX_PINGS_PER_SESSION),
what a ping writes (the event and its snapshots, the rhythm state and its history sample) by either
of its two write paths, who may ping which session, and the session row lock a ping shares with the
end. The statement count is in test_query_counts.py."""

from __future__ import annotations

import importlib
import threading
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from focus import selectors, services
from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from focus.tests.stack import wait_for
from planner.tests.factories import TaskFactory
from rhythm.models import PersonalModel, RhythmSample, RhythmState

pytestmark = pytest.mark.django_db

START = {"task_id": None, "estimated_duration": 45, "mode": "deep"}


@pytest.fixture
def ceiling(settings) -> int:
    settings.FOCUS_MAX_PINGS_PER_SESSION = 3
    return 3


def started(client, **fields) -> str:
    response = client.post("/focus/start", {**START, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["session_id"]


def ping(client, session_id: str, **values):
    return client.post("/focus/ping", {"session_id": session_id, **values}, format="json")


def written(person_id) -> dict:
    """Everything a ping may write for this person, to compare before and after."""
    return {
        "events": list(FocusEvent.objects.filter(session__person_id=person_id).values_list("id", flat=True)),
        "rhythm": list(RhythmState.objects.filter(person_id=person_id).values("energy", "stress", "fatigue")),
        "samples": RhythmSample.objects.filter(person_id=person_id).count(),
        "ping_counts": list(FocusSession.objects.filter(person_id=person_id).values_list("ping_count", flat=True)),
    }


# --------------------------------------------------------------------------- the ceiling


def test_beyond_the_ceiling_a_ping_is_a_429_that_says_why_and_writes_nothing(alice_api, ceiling):
    session_id = started(alice_api)
    for n in range(ceiling):
        assert ping(alice_api, session_id, stress=0.2 + n / 10).status_code == 201
    before = written(alice_api.person_id)

    response = ping(alice_api, session_id, stress=0.9, heart_rate=80)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "ping_ceiling" and body["max_pings"] == ceiling
    assert f"its {ceiling} pings" in body["detail"] and "end it" in body["detail"]
    assert "Retry-After" not in response  # waiting does not help: only a new session does
    assert written(alice_api.person_id) == before
    assert FocusSession.objects.get(pk=session_id).ping_count == ceiling


def test_the_ceiling_is_per_session_and_the_full_session_still_ends(alice_api, ceiling):
    session_id = started(alice_api)
    for _ in range(ceiling):
        ping(alice_api, session_id, focus=0.7)
    assert ping(alice_api, session_id, focus=0.7).status_code == 429

    assert alice_api.post("/focus/end", {"session_id": session_id}, format="json").status_code == 200
    assert ping(alice_api, started(alice_api), focus=0.7).status_code == 201


def test_only_pings_that_are_written_count_toward_the_ceiling(alice_api, bob_api, ceiling):
    session_id = started(alice_api)
    assert ping(alice_api, session_id, stress=2).status_code == 400
    assert ping(bob_api, session_id, stress=0.5).status_code == 404
    assert FocusSession.objects.get(pk=session_id).ping_count == 0
    for _ in range(ceiling):
        assert ping(alice_api, session_id, stress=0.5).status_code == 201
    assert ping(alice_api, session_id, stress=0.5).status_code == 429
    assert FocusSession.objects.get(pk=session_id).ping_count == ceiling


def test_an_ended_session_is_a_409_before_the_ceiling_is_looked_at(alice_api, ceiling):
    session_id = started(alice_api)
    for _ in range(ceiling):
        ping(alice_api, session_id, focus=0.5)
    alice_api.post("/focus/end", {"session_id": session_id}, format="json")
    assert ping(alice_api, session_id, focus=0.5).status_code == 409


def test_the_dashboard_form_at_the_ceiling_says_so_instead_of_failing(alice, alice_api, ceiling):
    session_id = started(alice_api)
    for _ in range(ceiling):
        ping(alice_api, session_id, focus=0.5)
    web = Client()
    web.force_login(alice)
    url = reverse("dashboard-ping", args=[session_id])

    page = web.post(url, {"note": "one more"}, follow=True)
    assert page.status_code == 200 and f"its {ceiling} pings" in page.content.decode()
    as_json = web.post(url, {"note": "one more"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 429 and as_json.json()["code"] == "ping_ceiling"
    assert FocusSession.objects.get(pk=session_id).ping_count == ceiling


def test_the_migration_counts_the_pings_sessions_already_have():
    migration = importlib.import_module("focus.migrations.0003_session_ping_count")
    busy, quiet = FocusSessionFactory(), FocusSessionFactory()
    FocusEventFactory.create_batch(4, session=busy, event_type=EventType.PING, content={"focus": 0.5})
    FocusEventFactory.create_batch(2, session=busy, event_type=EventType.TICK)
    FocusEventFactory(session=quiet, event_type=EventType.NUDGE)
    FocusSession.objects.update(ping_count=0)

    with connection.cursor() as cursor:
        cursor.execute(migration.COUNT_PINGS)

    assert FocusSession.objects.get(pk=busy.pk).ping_count == 4
    assert FocusSession.objects.get(pk=quiet.pk).ping_count == 0


# --------------------------------------------------------------------------- what a ping writes


@pytest.fixture(params=["postgresql", "orm"])
def write_path(request, monkeypatch) -> str:
    """Both ways a ping is read and written: PostgreSQL's two statements, and the ORM path the SQLite
    quick start takes. Each must read the same snapshots and write the same rows."""
    if request.param == "orm":
        monkeypatch.setattr(selectors, "_ping_target_postgresql", selectors._ping_target_orm)
        monkeypatch.setattr(services, "_ping_write_postgresql", services._ping_write_orm)
    return request.param


def test_a_ping_with_rhythm_values_moves_the_state_records_a_sample_and_snapshots_the_new_state(alice_api, write_path):
    task = TaskFactory(
        person_id=alice_api.person_id,
        title="Write the report",
        estimate=90,
        priority=3,
        due=datetime(2026, 12, 24, 17, 30, tzinfo=dt_timezone.utc),
    )
    PersonalModel.objects.create(person_id=alice_api.person_id, emotion="positive", emotion_source="memory")
    RhythmState.objects.create(person_id=alice_api.person_id, energy=0.5, stress=0.2, fatigue=0.1)
    session_id = started(alice_api, task_id=str(task.id))

    response = ping(alice_api, session_id, stress=0.7, fatigue=0.4, heart_rate=75, activity="active")

    assert response.status_code == 201, response.content
    event = FocusEvent.objects.get(pk=response.json()["id"])
    assert event.event_type == EventType.PING and str(event.session_id) == session_id
    assert event.content == {"stress": 0.7, "fatigue": 0.4, "heart_rate": 75, "activity": "active"}
    assert event.rhythm_snapshot == {"energy": 0.5, "stress": 0.7, "fatigue": 0.4}
    assert event.task_snapshot == task.as_snapshot() and event.task_snapshot["due"] == "2026-12-24T17:30:00+00:00"
    assert event.emotion_snapshot == {"emotion": "positive", "source": "memory"}
    body = response.json()
    assert {k: body[k] for k in ("rhythm_snapshot", "task_snapshot", "emotion_snapshot", "content")} == {
        "rhythm_snapshot": event.rhythm_snapshot,
        "task_snapshot": event.task_snapshot,
        "emotion_snapshot": event.emotion_snapshot,
        "content": event.content,
    }
    assert body["ts"].replace("Z", "+00:00") == event.ts.isoformat()
    state = RhythmState.objects.get(person_id=alice_api.person_id)
    assert (state.energy, state.stress, state.fatigue) == (0.5, 0.7, 0.4)
    sample = RhythmSample.objects.get(person_id=alice_api.person_id)
    assert (sample.source, sample.energy, sample.stress, sample.fatigue) == ("ping", None, 0.7, 0.4)
    assert FocusSession.objects.get(pk=session_id).ping_count == 1


def test_a_first_rhythm_value_starts_from_the_defaults(alice_api, write_path):
    session_id = started(alice_api)
    RhythmState.objects.filter(person_id=alice_api.person_id).delete()

    event = FocusEvent.objects.get(pk=ping(alice_api, session_id, energy=0.3).json()["id"])

    defaults = RhythmState(person_id=alice_api.person_id).as_snapshot()
    assert event.rhythm_snapshot == {**defaults, "energy": 0.3}
    state = RhythmState.objects.get(person_id=alice_api.person_id)
    assert state.as_snapshot() == {**defaults, "energy": 0.3}


def test_a_ping_without_rhythm_values_snapshots_the_state_and_leaves_it(alice_api, write_path):
    session_id = started(alice_api)
    RhythmState.objects.update_or_create(
        person_id=alice_api.person_id, defaults={"energy": 0.45, "stress": 0.25, "fatigue": 0.35}
    )

    response = ping(alice_api, session_id, heart_rate=64, note="calm", focus=0.9)

    event = FocusEvent.objects.get(pk=response.json()["id"])
    assert event.content == {"heart_rate": 64, "note": "calm", "focus": 0.9}
    assert event.rhythm_snapshot == {"energy": 0.45, "stress": 0.25, "fatigue": 0.35}
    assert event.task_snapshot is None  # no task: SQL NULL, as the ORM writes it
    assert FocusEvent.objects.filter(pk=event.pk, task_snapshot__isnull=True).exists()
    assert event.emotion_snapshot == {"emotion": "neutral", "source": "default"}
    assert not RhythmSample.objects.filter(person_id=alice_api.person_id, source="ping").exists()


# --------------------------------------------------------------------------- who may ping, and the lock


def test_only_the_owner_and_service_accounts_may_ping_a_session(alice_api, bob_api, staff_api, django_user_model):
    from rest_framework.test import APIClient

    from focusflow.tokens import token_create

    session_id = started(alice_api)
    before = written(alice_api.person_id)
    assert ping(bob_api, session_id, stress=0.9).status_code == 404
    newcomer = APIClient()  # a login that has never been mapped to a person
    dave = django_user_model.objects.create_user("dave")
    newcomer.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=dave)}")
    assert ping(newcomer, session_id, stress=0.9).status_code == 404
    assert written(alice_api.person_id) == before

    assert ping(alice_api, session_id, stress=0.4).status_code == 201
    assert ping(staff_api, session_id, stress=0.5).status_code == 201
    assert FocusSession.objects.get(pk=session_id).ping_count == 2


@pytest.mark.django_db(transaction=True)
def test_a_ping_waits_for_an_end_that_holds_the_session_and_then_writes_nothing(alice_api):
    """Ping and end serialise on the session's row lock: a ping that arrives while the end holds it
    waits, sees the session ended and is a 409; nothing lands after `session_end`."""
    session_id = started(alice_api)
    ping(alice_api, session_id, stress=0.3)
    outcome: dict = {}

    def ping_in_its_own_connection() -> None:
        try:
            services.session_ping(session_id=session_id, values={"stress": 0.9}, person_id=alice_api.person_id)
            outcome["result"] = "written"
        except services.Conflict:
            outcome["result"] = "conflict"
        except BaseException as exc:  # surfaced below, not lost in the thread
            outcome["result"] = exc
        finally:
            connection.close()

    def ping_is_waiting_for_a_lock() -> bool:  # for a lock this transaction holds
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for this transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
            return cursor.fetchone()[0] > 0

    pinger = threading.Thread(target=ping_in_its_own_connection)
    with transaction.atomic():
        FocusSession.objects.select_for_update().get(pk=session_id)  # the end's lock, taken first
        pinger.start()
        wait_for(ping_is_waiting_for_a_lock, timeout=30, what="the ping to wait for the session lock")
        services.session_end(session_id=session_id, person_id=None)
    pinger.join(30)

    assert not pinger.is_alive() and outcome["result"] == "conflict", outcome
    events = list(FocusEvent.objects.filter(session_id=session_id).order_by("id").values_list("event_type", "ts"))
    assert events[-1][0] == EventType.SESSION_END
    assert max(ts for _, ts in events) == events[-1][1]
    assert FocusSession.objects.get(pk=session_id).ping_count == 1
    assert RhythmState.objects.get(person_id=alice_api.person_id).stress == 0.3

"""Session list/detail, events with incremental polling, /api/me, /healthz, the schema."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focus.tests.factories import FocusEventFactory, FocusSessionFactory

pytestmark = pytest.mark.django_db


def test_it_lists_own_sessions_newest_first_with_a_state_filter(alice_api, bob_api):
    now = timezone.now()
    old = FocusSessionFactory(person_id=alice_api.person_id, started_at=now - timedelta(days=1), ended_at=now)
    active = FocusSessionFactory(person_id=alice_api.person_id, started_at=now)
    FocusSessionFactory(person_id=bob_api.person_id)
    body = alice_api.get("/focus/sessions/").json()
    assert body["count"] == 2
    assert [s["session_id"] for s in body["results"]] == [str(active.id), str(old.id)]
    assert [s["session_id"] for s in alice_api.get("/focus/sessions/?state=active").json()["results"]] == [
        str(active.id)
    ]
    assert [s["session_id"] for s in alice_api.get("/focus/sessions/?state=ended").json()["results"]] == [str(old.id)]


def test_the_list_is_paginated(alice_api):
    now = timezone.now()
    for day in range(55):
        FocusSessionFactory(person_id=alice_api.person_id, started_at=now - timedelta(days=day + 1), ended_at=now)
    first = alice_api.get("/focus/sessions/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    assert len(alice_api.get("/focus/sessions/?page=2").json()["results"]) == 5


def test_events_come_newest_first_and_after_narrows_to_new_ones(alice_api):
    session = FocusSessionFactory(person_id=alice_api.person_id)
    now = timezone.now()
    events = [FocusEventFactory(session=session, ts=now + timedelta(seconds=i)) for i in range(5)]
    url = f"/focus/sessions/{session.id}/events/"
    assert [e["id"] for e in alice_api.get(url).json()] == [e.id for e in reversed(events)]
    assert [e["id"] for e in alice_api.get(f"{url}?after={events[2].id}").json()] == [events[4].id, events[3].id]
    after_ts = (now + timedelta(seconds=3)).isoformat().replace("+00:00", "Z")
    assert [e["id"] for e in alice_api.get(url, {"after": after_ts}).json()] == [events[4].id]
    assert len(alice_api.get(f"{url}?limit=2").json()) == 2


def test_detail_shows_the_session(alice_api):
    session = FocusSessionFactory(person_id=alice_api.person_id)
    body = alice_api.get(f"/focus/sessions/{session.id}/").json()
    assert body["session_id"] == str(session.id) and body["is_active"] is True


def test_me_says_who_i_am(alice_api, staff_api):
    assert alice_api.get("/api/me").json() == {
        "username": "alice",
        "person_id": str(alice_api.person_id),
        "is_staff": False,
    }
    assert staff_api.get("/api/me").json()["is_staff"] is True


def test_healthz_reports_database_and_broker(anon_api):
    response = anon_api.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["broker"]["ok"] and body["status"] == "ok"


def test_healthz_says_503_when_the_broker_is_unreachable(anon_api, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = anon_api.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False and response.json()["database"]["ok"] is True


def test_the_openapi_schema_and_docs_are_served(alice_api):
    schema = alice_api.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/focus/start", "/focus/ping", "/focus/end", "/focus/sessions/", "/planner/tasks/", "/rhythm/state"):
        assert path in text
    docs = alice_api.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()

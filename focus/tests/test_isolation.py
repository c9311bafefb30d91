"""A person acts only on their own data: another person's session is 404 everywhere."""

import uuid

import pytest

from focus.models import FocusEvent
from focus.tests.factories import FocusSessionFactory
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_session(bob_api):
    return FocusSessionFactory(person_id=bob_api.person_id)


@pytest.mark.parametrize("method, path, body", [
    ("get", "/focus/sessions/{id}/", None),
    ("get", "/focus/sessions/{id}/events/", None),
    ("post", "/focus/ping", {"session_id": "{id}", "focus": 0.5}),
    ("post", "/focus/end", {"session_id": "{id}"}),
])
def test_another_persons_session_is_not_found(alice_api, bobs_session, method, path, body):
    url = path.format(id=bobs_session.id)
    payload = {k: (v.format(id=bobs_session.id) if isinstance(v, str) else v) for k, v in (body or {}).items()}
    response = getattr(alice_api, method)(url, payload or None, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such session."
    bobs_session.refresh_from_db()
    assert bobs_session.ended_at is None
    assert not FocusEvent.objects.exists()


def test_another_persons_sessions_are_not_listed(alice_api, bobs_session):
    assert alice_api.get("/focus/sessions/").json()["count"] == 0


def test_acting_for_another_person_id_is_forbidden(alice_api, bob_api):
    response = alice_api.post("/focus/start", {"person_id": str(bob_api.person_id), "estimated_duration": 45,
                                               "mode": "deep"}, format="json")
    assert response.status_code == 403
    assert alice_api.get(f"/rhythm/state/?person_id={bob_api.person_id}").status_code == 403


def test_staff_see_and_end_anyones_session(staff_api, bobs_session):
    assert staff_api.get(f"/focus/sessions/{bobs_session.id}/").status_code == 200
    assert staff_api.post("/focus/end", {"session_id": str(bobs_session.id)}, format="json").status_code == 200


def test_another_persons_task_is_not_found(alice_api, bob_api):
    task = TaskFactory(person_id=bob_api.person_id)
    assert alice_api.get(f"/planner/tasks/{task.id}/").status_code == 404
    assert alice_api.patch(f"/planner/tasks/{task.id}/", {"title": "mine"}, format="json").status_code == 404
    assert alice_api.delete(f"/planner/tasks/{task.id}/").status_code == 404
    task.refresh_from_db()
    assert task.title != "mine"


@pytest.mark.parametrize("method, path", [
    ("post", "/focus/start"), ("post", "/focus/ping"), ("post", "/focus/end"), ("get", "/focus/sessions/"),
    ("get", f"/focus/sessions/{uuid.uuid4()}/"), ("get", "/planner/tasks/"), ("get", "/rhythm/state/"),
    ("get", "/api/me"),
])
def test_anonymous_calls_are_401(anon_api, method, path):
    response = getattr(anon_api, method)(path, {}, format="json")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response

"""A person acts only on their own data: another person's session is 404 everywhere."""

import uuid

import pytest

from focus.models import FocusEvent
from focus.tests.factories import FocusSessionFactory
from focusflow.models import PersonAccess
from planner.tests.factories import TaskFactory
from rhythm.models import RhythmSample

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_session(bob_api):
    return FocusSessionFactory(person_id=bob_api.person_id)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/focus/sessions/{id}/", None),
        ("get", "/focus/sessions/{id}/events/", None),
        ("post", "/focus/ping", {"session_id": "{id}", "focus": 0.5}),
        ("post", "/focus/end", {"session_id": "{id}"}),
    ],
)
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
    response = alice_api.post(
        "/focus/start", {"person_id": str(bob_api.person_id), "estimated_duration": 45, "mode": "deep"}, format="json"
    )
    assert response.status_code == 403
    assert alice_api.get(f"/rhythm/state/?person_id={bob_api.person_id}").status_code == 403


def test_a_service_account_sees_and_ends_anyones_session_and_each_access_is_recorded(staff_api, bob_api, bobs_session):
    assert staff_api.get(f"/focus/sessions/{bobs_session.id}/").status_code == 200
    assert staff_api.post("/focus/end", {"session_id": str(bobs_session.id)}, format="json").status_code == 200
    recorded = list(PersonAccess.objects.order_by("id").values_list("actor_username", "person_id", "method", "path"))
    assert recorded == [
        ("charlie", bob_api.person_id, "GET", f"/focus/sessions/{bobs_session.id}/"),
        ("charlie", bob_api.person_id, "POST", "/focus/end"),
    ]


def test_a_service_accounts_record_names_the_sessions_person_whatever_json_the_client_sent(
    staff_api, bob_api, bobs_session
):
    body = {
        "session_id": str(bobs_session.id),
        "session_quality": {"person_id": "not-a-uuid", "session_id": str(uuid.uuid4()), "results": [1]},
    }
    assert staff_api.post("/focus/end", body, format="json").status_code == 200
    assert list(PersonAccess.objects.values_list("person_id", flat=True)) == [bob_api.person_id]


def test_a_service_account_listing_everyone_records_each_person_on_the_page(
    staff_api, alice_api, bob_api, bobs_session
):
    FocusSessionFactory(person_id=alice_api.person_id)
    assert staff_api.get("/focus/sessions/").json()["count"] == 2
    assert set(PersonAccess.objects.values_list("person_id", flat=True)) == {alice_api.person_id, bob_api.person_id}


def test_a_service_account_acting_for_itself_is_not_recorded(staff_api):
    assert staff_api.post("/focus/start", {"estimated_duration": 25}, format="json").status_code == 201
    assert staff_api.get("/focus/sessions/").status_code == 200
    assert not PersonAccess.objects.exists()


def test_a_refused_call_of_a_service_account_records_nothing(staff_api, bobs_session):
    bobs_session.ended_at = bobs_session.started_at
    bobs_session.save()
    assert staff_api.post("/focus/end", {"session_id": str(bobs_session.id)}, format="json").status_code == 409
    assert not PersonAccess.objects.exists()


def test_a_service_accounts_write_and_its_record_are_one_transaction(staff_api, bob_api, monkeypatch):
    """If the record cannot be written, the write is rolled back too: no unrecorded cross-person write."""
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(PersonAccess.objects, "bulk_create", broken)
    staff_api.raise_request_exception = False
    response = staff_api.put("/rhythm/state/", {"person_id": str(bob_api.person_id), "stress": 0.9}, format="json")
    assert response.status_code == 500
    assert not RhythmSample.objects.filter(person_id=bob_api.person_id).exists()


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/focus/sessions/{id}/", None),
        ("get", "/focus/sessions/{id}/events/", None),
        ("post", "/focus/ping", {"session_id": "{id}", "focus": 0.5}),
        ("post", "/focus/end", {"session_id": "{id}"}),
    ],
)
def test_plain_staff_get_404_for_another_persons_session(plain_staff_api, bobs_session, method, path, body):
    url = path.format(id=bobs_session.id)
    payload = {k: (v.format(id=bobs_session.id) if isinstance(v, str) else v) for k, v in (body or {}).items()}
    response = getattr(plain_staff_api, method)(url, payload or None, format="json")
    assert response.status_code == 404
    bobs_session.refresh_from_db()
    assert bobs_session.ended_at is None
    assert not FocusEvent.objects.exists()


def test_plain_staff_get_403_for_another_person_id_and_see_no_list(plain_staff_api, bob_api, bobs_session):
    other = str(bob_api.person_id)
    assert plain_staff_api.get(f"/rhythm/state/?person_id={other}").status_code == 403
    assert plain_staff_api.get(f"/focus/sessions/?person_id={other}").status_code == 403
    assert (
        plain_staff_api.post("/focus/start", {"person_id": other, "estimated_duration": 45}, format="json").status_code
        == 403
    )
    assert plain_staff_api.post("/planner/tasks/", {"person_id": other, "title": "x"}, format="json").status_code == 403
    assert plain_staff_api.get("/focus/sessions/").json()["count"] == 0
    TaskFactory(person_id=bob_api.person_id)
    assert plain_staff_api.get("/planner/tasks/").json()["count"] == 0


def test_another_persons_task_is_not_found(alice_api, bob_api):
    task = TaskFactory(person_id=bob_api.person_id)
    assert alice_api.get(f"/planner/tasks/{task.id}/").status_code == 404
    assert alice_api.patch(f"/planner/tasks/{task.id}/", {"title": "mine"}, format="json").status_code == 404
    assert alice_api.delete(f"/planner/tasks/{task.id}/").status_code == 404
    task.refresh_from_db()
    assert task.title != "mine"


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/focus/start"),
        ("post", "/focus/ping"),
        ("post", "/focus/end"),
        ("get", "/focus/sessions/"),
        ("get", f"/focus/sessions/{uuid.uuid4()}/"),
        ("get", "/planner/tasks/"),
        ("get", "/rhythm/state/"),
        ("get", "/api/me"),
    ],
)
def test_anonymous_calls_are_401(anon_api, method, path):
    response = getattr(anon_api, method)(path, {}, format="json")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response

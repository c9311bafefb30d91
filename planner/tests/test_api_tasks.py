import uuid

import pytest

from focus.tests.factories import FocusSessionFactory
from planner.models import Task
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_person_creates_lists_updates_and_deletes_own_tasks(alice_api):
    created = alice_api.post("/planner/tasks/", {"title": "Write report", "estimate": 50, "priority": 3}, format="json")
    assert created.status_code == 201, created.json()
    task_id = created.json()["id"]
    assert created.json()["person_id"] == str(alice_api.person_id)
    assert [t["id"] for t in alice_api.get("/planner/tasks/").json()["results"]] == [task_id]
    updated = alice_api.patch(f"/planner/tasks/{task_id}/", {"status": "done"}, format="json")
    assert updated.status_code == 200 and updated.json()["status"] == "done"
    assert [t["id"] for t in alice_api.get("/planner/tasks/?status=done").json()["results"]] == [task_id]
    assert alice_api.get("/planner/tasks/?status=todo").json()["results"] == []
    assert alice_api.delete(f"/planner/tasks/{task_id}/").status_code == 204
    assert not Task.objects.exists()


def test_deleting_a_task_keeps_its_sessions(alice_api):
    task = TaskFactory(person_id=alice_api.person_id)
    session = FocusSessionFactory(person_id=alice_api.person_id, task=task)
    alice_api.delete(f"/planner/tasks/{task.id}/")
    session.refresh_from_db()
    assert session.task is None


def test_tasks_of_others_are_not_listed(alice_api, bob_api):
    TaskFactory(person_id=bob_api.person_id)
    assert alice_api.get("/planner/tasks/").json()["count"] == 0


def test_staff_create_a_task_for_any_person(staff_api):
    person = uuid.uuid4()
    response = staff_api.post("/planner/tasks/", {"title": "For someone", "person_id": str(person)}, format="json")
    assert response.status_code == 201
    assert Task.objects.get().person_id == person


def test_a_person_cannot_create_a_task_for_someone_else(alice_api, bob_api):
    response = alice_api.post("/planner/tasks/", {"title": "x", "person_id": str(bob_api.person_id)}, format="json")
    assert response.status_code == 403
    assert not Task.objects.exists()


# --------------------------------------------------------------------------- due: one parser for times from outside

# A due time the database cannot store is a 400 with a field message on `due`, and nothing is written.
BAD_DUES = [
    ("offset +23:30", "0415-04-23T02:40:30+23:30"),
    ("offset -16:00", "2026-05-06T09:00:00-16:00"),
    ("year 1 east of UTC", "0001-01-01T00:30:00+01:00"),
    ("year 9999 west of UTC", "9999-12-31T23:00:00-05:00"),
    ("leap second", "2016-12-31T23:59:60Z"),
    ("naive", "2026-05-06T09:00:00"),
    ("not a time", "tomorrow"),
    ("a number", 1767225600),
]


def _task_rows() -> list[tuple]:
    return list(Task.objects.order_by("id").values_list("id", "title", "due", "updated_at"))


def _assert_refused_due(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]["due"], response.json()


@pytest.mark.parametrize("name, due", BAD_DUES, ids=[c[0] for c in BAD_DUES])
def test_creating_a_task_with_an_unstorable_due_is_a_400_and_writes_nothing(alice_api, name, due):
    response = alice_api.post("/planner/tasks/", {"title": "Report", "due": due}, format="json")
    _assert_refused_due(response)
    assert not Task.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("name, due", BAD_DUES, ids=[c[0] for c in BAD_DUES])
def test_updating_a_task_with_an_unstorable_due_is_a_400_and_changes_nothing(alice_api, name, due, method):
    TaskFactory(person_id=alice_api.person_id)
    before = _task_rows()
    task_id = before[0][0]
    response = getattr(alice_api, method)(f"/planner/tasks/{task_id}/", {"title": "Renamed", "due": due}, format="json")
    _assert_refused_due(response)
    assert _task_rows() == before


def test_a_due_with_an_offset_is_stored_and_answered_in_utc(alice_api):
    created = alice_api.post("/planner/tasks/", {"title": "Report", "due": "2026-05-06T09:00:00+15:59"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["due"] == "2026-05-05T17:01:00Z"
    assert Task.objects.get().due.isoformat() == "2026-05-05T17:01:00+00:00"


def test_a_task_title_counts_its_length_as_sent_and_is_stored_trimmed(alice_api):
    assert alice_api.post("/planner/tasks/", {"title": " " + "x" * 200}, format="json").status_code == 400
    assert alice_api.post("/planner/tasks/", {"title": " \t "}, format="json").status_code == 400
    created = alice_api.post("/planner/tasks/", {"title": "  Report  "}, format="json")
    assert created.status_code == 201 and created.json()["title"] == "Report"

import uuid

import pytest

from focus.tests.factories import FocusSessionFactory
from planner.models import Task
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_person_creates_lists_updates_and_deletes_own_tasks(alice_api):
    created = alice_api.post("/planner/tasks/", {"title": "Write report", "estimate": 50, "priority": 3},
                             format="json")
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

"""A person's data is theirs: they download everything held about them, and deleting their account
leaves nothing of theirs in any table of the database, nor in any page of the admin.

The check after an erasure is generic: it walks every table PostgreSQL has (not a list of ours),
so a table added later that keeps something of a person's fails here until the erasure covers it.
"""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from focus import engine
from focus.models import FocusEvent, FocusSession
from focusflow.models import PersonAccess
from focusflow.people import account_person_id
from focusflow.tokens import token_create
from rhythm.models import PersonPreferences
from rhythm.services import preferences_update

pytestmark = pytest.mark.django_db

ERIN = "erin-3f9c2a"  # a name no other row can contain by chance
ERIN_PASSWORD = "erin-pass-123"
PERSONAL_TABLES = {
    "focus_sessions",
    "focus_events",
    "memory_short_term",
    "personal_model",
    "person_preferences",
    "planner_tasks",
    "rhythm_state",
    "rhythm_samples",
    "person_access_log",
}


class Person:
    """A person who has used everything: logins (one failed), a token, preferences, a task, a session
    ticked, pinged and ended, a rhythm update; a service account read their data; an admin edited
    their session."""

    def __init__(self, user, *, service_api, superuser):
        self.user = user
        self.person_id = account_person_id(user=user)
        self.api = _api(user)
        self.browser = Client()
        self.browser.post(reverse("login"), {"username": user.username, "password": "wrong"})  # axes logs it
        assert (
            self.browser.post(reverse("login"), {"username": user.username, "password": ERIN_PASSWORD}).status_code
            == 302
        )
        preferences_update(person_id=self.person_id, held_kinds=["check_in"], time_zone="Europe/Berlin")
        task = self.api.post("/planner/tasks/", {"title": "Write the report"}, format="json").json()
        session = self.api.post("/focus/start", {"task_id": task["id"], "estimated_duration": 30}, format="json").json()
        self.api.post("/focus/ping", {"session_id": session["id"], "stress": 0.4, "note": "going"}, format="json")
        engine.run_tick(session_id=session["id"])
        self.api.put("/rhythm/state/", {"energy": 0.7}, format="json")
        self.api.post("/focus/end", {"session_id": session["id"], "completion_score": 0.8}, format="json")
        service_api.get(f"/focus/sessions/?person_id={self.person_id}")
        LogEntry.objects.create(
            user_id=superuser.pk,
            content_type_id=ContentType.objects.get_for_model(FocusSession).pk,
            object_id=session["id"],
            object_repr=f"session {session['id']}",
            action_flag=CHANGE,
            change_message="Edited in the admin",
        )
        self.session_id = session["id"]
        self.task_id = task["id"]

    def traces(self) -> list[str]:
        """Strings that name this person or their records."""
        return [str(self.person_id), self.user.username, self.session_id, self.task_id]


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user, expires=False)}")
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def erin(django_user_model, staff_api, superuser):
    user = django_user_model.objects.create_user(ERIN, password=ERIN_PASSWORD, email="erin@example.org")
    return Person(user, service_api=staff_api, superuser=superuser)


@pytest.fixture
def bob_with_data(bob_api):
    session = bob_api.post("/focus/start", {"estimated_duration": 20}, format="json").json()
    bob_api.post("/focus/ping", {"session_id": session["id"], "energy": 0.5}, format="json")
    return session


def rows_naming(traces: list[str]) -> dict[str, int]:
    """Every table of the database whose rows, read as text, contain one of the traces."""
    found = {}
    patterns = [f"%{trace}%" for trace in traces]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} AS r WHERE r::text LIKE ANY(%s)", [patterns])
            if (n := cursor.fetchone()[0]) > 0:
                found[table] = n
    return found


def rows_of_login(user_pk: int) -> dict[str, int]:
    """Every row that points at the login by id: foreign keys to the user table, and the id columns
    that name a login without one (the access log's actor_id)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            constraints = connection.introspection.get_constraints(cursor, table)
            columns = {
                c["columns"][0]
                for c in constraints.values()
                if c["foreign_key"] and c["foreign_key"][0] == "auth_user" and len(c["columns"]) == 1
            }
            described = {col.name for col in connection.introspection.get_table_description(cursor, table)}
            columns |= described & {"actor_id"}
            if table == "auth_user":
                columns.add("id")
            for column in columns:
                cursor.execute(
                    f"SELECT count(*) FROM {connection.ops.quote_name(table)} WHERE {connection.ops.quote_name(column)} = %s",
                    [user_pk],
                )
                if (n := cursor.fetchone()[0]) > 0:
                    found[f"{table}.{column}"] = n
    return found


# --------------------------------------------------------------------------- export


def test_a_person_downloads_everything_held_about_them_as_one_json_file(erin, bob_with_data):
    response = erin.api.get("/api/me/export")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="focusflow-data-')
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["format"] == "focusflow-export/1" and data["person_id"] == str(erin.person_id)
    assert data["account"]["username"] == ERIN and data["account"]["email"] == "erin@example.org"
    tables = data["tables"]
    assert set(tables) >= PERSONAL_TABLES
    for table in PERSONAL_TABLES:
        assert tables[table], f"{table} is empty in the export"
    assert {row["id"] for row in tables["focus_sessions"]} == {erin.session_id}
    assert {row["event_type"] for row in tables["focus_events"]} >= {"session_start", "ping", "session_end"}
    assert tables["person_preferences"][0]["held_kinds"] == ["check_in"]
    assert tables["memory_short_term"][0]["kind"] == "focus_summary"
    assert "axes_accesslog" in tables and "axes_accessfailurelog" in tables  # their logins
    assert str(bob_with_data["id"]) not in response.content.decode()
    assert "digest" not in response.content.decode()  # no token secret, hashed or not


def test_the_export_is_rate_limited(erin, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "me_export": "2/hour"}
    settings.REST_FRAMEWORK = rest
    assert [erin.api.get("/api/me/export").status_code for _ in range(3)] == [200, 200, 429]
    assert int(erin.api.get("/api/me/export")["Retry-After"]) > 0


def test_a_service_account_exports_for_a_person_and_it_is_recorded(erin, staff_api):
    before = PersonAccess.objects.count()
    response = staff_api.get(f"/api/me/export?person_id={erin.person_id}")
    assert response.status_code == 200 and response.json()["person_id"] == str(erin.person_id)
    new = list(PersonAccess.objects.order_by("id").values_list("actor_username", "person_id", "method"))[before:]
    assert new == [("charlie", erin.person_id, "GET")]


def test_another_person_cannot_export_or_delete_someone(erin, bob_api):
    assert bob_api.get(f"/api/me/export?person_id={erin.person_id}").status_code == 403
    response = bob_api.post(
        "/api/me/delete", {"person_id": str(erin.person_id), "confirm": "delete my account"}, format="json"
    )
    assert response.status_code == 403
    assert FocusSession.objects.filter(person_id=erin.person_id).exists()


# --------------------------------------------------------------------------- deletion


def test_after_deletion_nothing_of_theirs_is_left_in_any_table(erin, bob_with_data, bob_api):
    assert set(rows_naming(erin.traces())) >= PERSONAL_TABLES | {"auth_user", "django_admin_log"}
    assert rows_of_login(erin.user.pk)
    bob_before = rows_naming([str(bob_api.person_id)])

    response = erin.api.post("/api/me/delete", {"confirm": "delete my account"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["deleted"]["focus_events"] >= 4
    assert rows_naming(erin.traces()) == {}
    assert rows_of_login(erin.user.pk) == {}
    assert not any(s.get_decoded().get("_auth_user_id") == str(erin.user.pk) for s in Session.objects.all())
    assert rows_naming([str(bob_api.person_id)]) == bob_before  # nobody else's data went with it
    assert erin.api.get("/api/me").status_code == 401  # their token went too
    assert erin.browser.get("/").status_code == 302  # and their browser session


def test_a_deletion_needs_the_confirmation_and_a_refused_one_deletes_nothing(erin):
    for body in ({}, {"confirm": "yes"}, {"confirm": "delete my account", "extra": 1}):
        assert erin.api.post("/api/me/delete", body, format="json").status_code == 400
    assert rows_naming([str(erin.person_id)])


def test_nothing_of_theirs_is_shown_in_the_admin_after_deletion(erin, superuser, client):
    erin.api.post("/api/me/delete", {"confirm": "delete my account"}, format="json")
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url).content.decode()
        for trace in erin.traces():
            assert trace not in page, (url, trace)
    assert not any(trace in client.get(reverse("admin:index")).content.decode() for trace in erin.traces())


def test_a_service_account_deletes_a_person_and_the_record_keeps_that_not_whom(erin, staff_api):
    response = staff_api.post(
        "/api/me/delete", {"person_id": str(erin.person_id), "confirm": "delete my account"}, format="json"
    )
    assert response.status_code == 200
    assert rows_naming(erin.traces()) == {}
    last = PersonAccess.objects.order_by("-id").first()
    assert (last.actor_username, last.person_id, last.method, last.path) == ("charlie", None, "POST", "/api/me/delete")


def test_a_service_account_cannot_delete_itself_here(staff_api):
    response = staff_api.post("/api/me/delete", {"confirm": "delete my account"}, format="json")
    assert response.status_code == 409
    assert "administrator" in response.json()["detail"]


def test_the_access_log_still_refuses_every_other_delete_and_every_update(erin):
    assert PersonAccess.objects.filter(person_id=erin.person_id).exists()
    for sql in ("DELETE FROM person_access_log", "UPDATE person_access_log SET status = 200"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    # Naming the person in the setting opens only their rows, and only for DELETE.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('focusflow.erasing_person', %s, true)", [str(erin.person_id)])
        cursor.execute("UPDATE person_access_log SET status = 200 WHERE person_id = %s", [erin.person_id])


# --------------------------------------------------------------------------- the page


def test_the_page_deletes_the_account_with_the_password_and_logs_out(erin):
    page = erin.browser.get(reverse("dashboard-preferences"))
    assert page.status_code == 200 and "Delete my account" in page.content.decode()
    wrong = erin.browser.post(
        reverse("dashboard-account-delete"), {"confirmation": "delete my account", "password": "nope"}
    )
    assert wrong.status_code == 400 and FocusEvent.objects.filter(session_id=erin.session_id).exists()
    done = erin.browser.post(
        reverse("dashboard-account-delete"), {"confirmation": "Delete my account", "password": ERIN_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert rows_naming(erin.traces()) == {}
    assert not PersonPreferences.objects.filter(person_id=erin.person_id).exists()


def test_the_page_links_the_download(erin):
    page = erin.browser.get(reverse("dashboard-preferences")).content.decode()
    assert f'href="{reverse("me-export")}"' in page
    response = erin.browser.get(reverse("me-export"))  # the session cookie is enough for a download
    assert response.status_code == 200 and response.json()["person_id"] == str(erin.person_id)


def test_a_service_account_is_not_deleted_from_the_page_and_stays_signed_in(charlie, client):
    charlie.set_password("charlie-pass-123")
    charlie.save()
    client.force_login(charlie)
    response = client.post(
        reverse("dashboard-account-delete"), {"confirmation": "delete my account", "password": "charlie-pass-123"}
    )
    assert response.status_code == 409 and "administrator" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 200

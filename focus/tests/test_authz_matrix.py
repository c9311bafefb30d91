"""The authorization matrix: every API endpoint and method, for five callers.

anonymous → 401 (with WWW-Authenticate), another person → 404 on a record of alice's (403 when the
body or query names alice's person_id), plain staff (the staff flag only) → the same as another
person, alice (the owner) → 2xx, a service account (focusflow.act_for_any_person) → 2xx, with the
access recorded. A refused call changes nothing and records nothing. The URL conf is walked so that a new API endpoint or method without a row here
fails the test instead of slipping through unchecked.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from focus.models import FocusEvent, FocusSession
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from focus.webhooks.models import WebhookEndpoint
from focus.webhooks.services import endpoint_create
from focusflow.models import PersonAccess
from planner.calendars.models import CalendarFeed
from planner.calendars.services import feed_add_url
from planner.models import Task
from planner.tests.factories import TaskFactory
from rhythm.models import RhythmSample

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "other", "owner", "service")
# Plain staff get exactly what another person gets: the staff flag is no key to anyone's data.
EXPECT_AS = {"plain_staff": "other"}
# Endpoints open to anyone, by design: the health probe and the API description (no data in either).
PUBLIC = {("schema", "GET"), ("docs", "GET")}


@dataclass
class World:
    """alice's records, as the owner sees them: an active session with events and a task."""

    person_id: uuid.UUID
    session: FocusSession
    task: Task
    nudge: FocusEvent
    webhook: WebhookEndpoint
    calendar: CalendarFeed


@dataclass(frozen=True)
class Case:
    route: str  # URL name
    method: str
    path: str  # formatted with the World: {session}, {task}, {person}
    body: dict | None = None
    # Expected status per actor in ACTORS; "other" is the person who is not alice.
    expect: tuple[int, int, int, int] = (401, 404, 200, 200)
    # The owner must not already have an active session (start).
    no_active_session: bool = False
    # A list answers everyone signed in, but shows alice's records only to alice and service accounts.
    is_list: bool = False
    # alice's session is paused (resume).
    paused: bool = False
    # An erasure's access record says that it happened, not whom (focusflow.people.record_erasure).
    names_person_in_record: bool = True
    # The person's own records only (calendars): a service account gets what another person gets,
    # and acts for nobody (no access record).
    own_only: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _fill(value, world: World):
    if isinstance(value, str):
        return value.format(
            session=world.session.id,
            task=world.task.id,
            person=world.person_id,
            nudge=world.nudge.id,
            webhook=world.webhook.id,
            calendar=world.calendar.id,
        )
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


CASES = [
    Case(
        "focus-start",
        "POST",
        "/focus/start",
        {"person_id": "{person}", "task_id": "{task}", "estimated_duration": 30, "mode": "deep"},
        expect=(401, 403, 201, 201),
        no_active_session=True,
    ),
    Case(
        "focus-ping",
        "POST",
        "/focus/ping",
        {"session_id": "{session}", "focus": 0.7, "activity": "active"},
        expect=(401, 404, 201, 201),
    ),
    Case("focus-end", "POST", "/focus/end", {"session_id": "{session}", "completion_score": 0.5}),
    Case("focus-pause", "POST", "/focus/pause", {"session_id": "{session}"}),
    Case("focus-resume", "POST", "/focus/resume", {"session_id": "{session}"}, paused=True),
    Case(
        "focus-respond",
        "POST",
        "/focus/respond",
        {"event_id": "{nudge}", "response": "snooze", "snooze_minutes": 5},
        expect=(401, 404, 201, 201),
    ),
    Case("me-learned", "GET", "/api/me/learned?person_id={person}", expect=(401, 403, 200, 200)),
    Case("me-learned", "DELETE", "/api/me/learned?person_id={person}", expect=(401, 403, 200, 200)),
    Case("session-list", "GET", "/focus/sessions/", expect=(401, 200, 200, 200), is_list=True),
    Case("session-list", "GET", "/focus/sessions/?person_id={person}", expect=(401, 403, 200, 200), is_list=True),
    Case("session-detail", "GET", "/focus/sessions/{session}/"),
    Case("session-events", "GET", "/focus/sessions/{session}/events/"),
    Case("session-stream", "GET", "/focus/sessions/{session}/stream"),
    Case("task-list", "GET", "/planner/tasks/", expect=(401, 200, 200, 200), is_list=True),
    Case(
        "task-list",
        "POST",
        "/planner/tasks/",
        {"person_id": "{person}", "title": "Write the report"},
        expect=(401, 403, 201, 201),
    ),
    Case("task-detail", "GET", "/planner/tasks/{task}/"),
    Case("task-detail", "PUT", "/planner/tasks/{task}/", {"title": "Renamed", "status": "in_progress"}),
    Case("task-detail", "PATCH", "/planner/tasks/{task}/", {"title": "Renamed"}),
    Case("task-detail", "DELETE", "/planner/tasks/{task}/", expect=(401, 404, 204, 204)),
    Case("rhythm-state", "GET", "/rhythm/state/?person_id={person}", expect=(401, 403, 200, 200)),
    Case(
        "rhythm-state", "PUT", "/rhythm/state/", {"person_id": "{person}", "stress": 0.9}, expect=(401, 403, 200, 200)
    ),
    Case(
        "rhythm-state",
        "PATCH",
        "/rhythm/state/",
        {"person_id": "{person}", "fatigue": 0.9},
        expect=(401, 403, 200, 200),
    ),
    Case("webhook-list", "GET", "/api/webhooks/", expect=(401, 200, 200, 200), is_list=True),
    Case(
        "webhook-list",
        "POST",
        "/api/webhooks/",
        {"person_id": "{person}", "url": "https://example.com/hooks", "event_types": ["session.started"]},
        expect=(401, 403, 201, 201),
    ),
    Case("webhook-detail", "GET", "/api/webhooks/{webhook}/"),
    Case(
        "webhook-detail",
        "PUT",
        "/api/webhooks/{webhook}/",
        {"url": "https://example.com/moved", "event_types": ["nudge.sent"], "active": False},
    ),
    Case("webhook-detail", "PATCH", "/api/webhooks/{webhook}/", {"active": False}),
    Case("webhook-detail", "DELETE", "/api/webhooks/{webhook}/", expect=(401, 404, 204, 204)),
    # Calendars: one's own only, service accounts included (busy times never leave the account).
    Case("calendar-list", "GET", "/api/me/calendars/", expect=(401, 200, 200, 200), is_list=True, own_only=True),
    Case(
        "calendar-list",
        "POST",
        "/api/me/calendars/",
        {"url": "https://calendar.example.com/feed.ics"},
        expect=(401, 201, 201, 201),
        own_only=True,
    ),
    Case("calendar-detail", "GET", "/api/me/calendars/{calendar}/", expect=(401, 404, 200, 404), own_only=True),
    Case("calendar-detail", "DELETE", "/api/me/calendars/{calendar}/", expect=(401, 404, 204, 404), own_only=True),
    # Who am I: nothing of anyone else's to refuse; every signed-in caller gets their own.
    Case("me", "GET", "/api/me", expect=(401, 200, 200, 200)),
    Case("me-preferences", "GET", "/api/me/preferences?person_id={person}", expect=(401, 403, 200, 200)),
    Case(
        "me-preferences",
        "PATCH",
        "/api/me/preferences",
        {"person_id": "{person}", "sound": True},
        expect=(401, 403, 200, 200),
    ),
    Case("me-export", "GET", "/api/me/export?person_id={person}", expect=(401, 403, 200, 200)),
    Case(
        "me-delete",
        "POST",
        "/api/me/delete",
        {"person_id": "{person}", "confirm": "delete my account"},
        expect=(401, 403, 200, 200),
        names_person_in_record=False,
    ),
]


def _world(alice_api, *, active: bool) -> World:
    person = alice_api.person_id
    task = TaskFactory(person_id=person)
    session = FocusSessionFactory(person_id=person, task=task)
    FocusEventFactory(session=session)
    nudge = FocusEventFactory(
        session=session, event_type="nudge", content={"kind": "check_in", "message": "How's it going?", "tone": "micro"}
    )
    if not active:
        session.ended_at = session.started_at
        session.next_tick_at = None
        session.save()
    webhook = endpoint_create(person_id=person, url="https://example.com/alice", event_types=["session.ended"])
    calendar = feed_add_url(person_id=person, url="https://calendar.example.com/alice.ics")
    return World(person_id=person, session=session, task=task, nudge=nudge, webhook=webhook, calendar=calendar)


def _fingerprint(world: World) -> tuple:
    """Everything a refused call must leave untouched."""
    session = FocusSession.objects.get(pk=world.session.pk)
    task = Task.objects.filter(pk=world.task.pk).values_list("title", "status", "person_id").first()
    return (
        FocusSession.objects.count(),
        session.ended_at,
        session.completion_score,
        FocusEvent.objects.count(),
        task,
        Task.objects.count(),
        RhythmSample.objects.count(),
        list(WebhookEndpoint.objects.values_list("id", "url", "event_types", "active", "person_id")),
        list(CalendarFeed.objects.filter(person_id=world.person_id).values_list("id", "url")),
    )


@pytest.fixture
def callers(alice_api, bob_api, staff_api, plain_staff_api) -> dict[str, APIClient]:
    return {
        "anonymous": APIClient(),
        "other": bob_api,
        "owner": alice_api,
        "service": staff_api,
        "plain_staff": plain_staff_api,
    }


@pytest.mark.parametrize("actor", ACTORS + tuple(EXPECT_AS))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_authorization_matrix(case: Case, actor: str, callers, alice_api):
    world = _world(alice_api, active=not case.no_active_session)
    if case.paused:
        FocusSession.objects.filter(pk=world.session.pk).update(paused_at=world.session.started_at, next_tick_at=None)
    expected = case.expect[ACTORS.index(EXPECT_AS.get(actor, actor))]
    before = _fingerprint(world)
    body = _fill(case.body, world)
    response = callers[actor].generic(
        case.method,
        _fill(case.path, world),
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == expected, (case.id, actor, response.content[:300])
    if expected >= 400:
        assert _fingerprint(world) == before, "a refused call changed something"
        assert response.json()["detail"]
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Token")
    if expected == 404:
        # Never reveal that the record exists: the same answer as for an id nobody has.
        assert str(world.session.id) not in response.content.decode()
    if case.is_list and expected == 200:
        ids = {row["id"] for row in response.json()["results"]}
        mine = {str(world.session.id), str(world.task.id), str(world.webhook.id), str(world.calendar.id)}
        assert bool(ids & mine) is (actor in (("owner",) if case.own_only else ("owner", "service")))
    # Who read or wrote alice's data for her: the service account, on every call but "who am I".
    recorded = list(PersonAccess.objects.values_list("actor_username", "person_id", "method", "status"))
    if actor == "service" and case.route != "me" and not case.own_only:
        whom = world.person_id if case.names_person_in_record else None
        assert recorded == [("charlie", whom, case.method, expected)]
    else:
        assert recorded == []


def test_a_record_of_another_person_and_a_record_nobody_has_get_the_same_answer(alice_api, bob_api):
    world = _world(alice_api, active=True)
    for path in ("/focus/sessions/{}/", "/focus/sessions/{}/events/", "/focus/sessions/{}/stream"):
        theirs = bob_api.get(path.format(world.session.id))
        nobodys = bob_api.get(path.format(uuid.uuid4()))
        assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json())
    theirs = bob_api.post("/focus/end", {"session_id": str(world.session.id)}, format="json")
    nobodys = bob_api.post("/focus/end", {"session_id": str(uuid.uuid4())}, format="json")
    assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json()) == (404, nobodys.json())
    theirs = bob_api.get(f"/planner/tasks/{world.task.id}/")
    nobodys = bob_api.get(f"/planner/tasks/{uuid.uuid4()}/")
    assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json())


def test_another_person_cannot_attach_alices_task_to_their_own_session(alice_api, bob_api):
    world = _world(alice_api, active=False)
    response = bob_api.post("/focus/start", {"task_id": str(world.task.id), "estimated_duration": 30}, format="json")
    assert response.status_code == 400
    assert "task_id" in response.json()["errors"]
    assert not FocusSession.objects.filter(person_id=bob_api.person_id).exists()


def test_a_service_account_filters_lists_by_person_but_a_person_or_plain_staff_get_403(
    alice_api, bob_api, staff_api, plain_staff_api
):
    world = _world(alice_api, active=True)
    FocusSessionFactory(person_id=bob_api.person_id)
    staff_rows = staff_api.get(f"/focus/sessions/?person_id={world.person_id}").json()["results"]
    assert {row["id"] for row in staff_rows} == {str(world.session.id)}
    for caller in (bob_api, plain_staff_api):
        response = caller.get(f"/focus/sessions/?person_id={world.person_id}")
        assert response.status_code == 403
        assert response.json()["detail"]
    # One's own person_id is no widening: allowed.
    assert bob_api.get(f"/focus/sessions/?person_id={bob_api.person_id}").json()["count"] == 1


# --------------------------------------------------------------------------- completeness


def _api_routes(patterns=None, prefix="") -> set[tuple[str, str]]:
    """(URL name, method) for every DRF view in the URL conf."""
    found: set[tuple[str, str]] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            found |= _api_routes(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "cls", None)
            if view_class is None or not issubclass(view_class, APIView):
                continue
            actions: dict | None = getattr(entry.callback, "actions", None)
            if actions:
                methods = {m.upper() for m in actions}
            else:
                methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
            for method in methods - {"OPTIONS", "HEAD"}:
                found.add((entry.name, method))
    return found


def test_every_api_endpoint_and_method_is_in_the_matrix():
    covered = {(case.route, case.method) for case in CASES} | PUBLIC
    missing = _api_routes() - covered
    assert not missing, f"add these to the authorization matrix: {sorted(missing)}"


def test_only_the_schema_and_docs_are_open_and_they_hold_no_data(anon_api):
    assert anon_api.get("/api/schema/").status_code == 200
    assert anon_api.get("/api/docs/").status_code == 200
    health = anon_api.get("/healthz")
    assert set(health.json()) == {"status", "database", "broker"}


@pytest.mark.parametrize("method", ["OPTIONS", "HEAD"])
def test_options_and_head_need_authentication_too(anon_api, method):
    for path in ("/focus/sessions/", "/planner/tasks/", "/rhythm/state/", "/focus/start"):
        assert anon_api.generic(method, path).status_code == 401, (method, path)


def test_a_revoked_token_is_refused_at_once(alice_api):
    assert alice_api.get("/api/me").status_code == 200
    alice_api.user.auth_token_set.all().delete()
    response = alice_api.get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_inactive_account_is_refused(alice_api):
    alice_api.user.is_active = False
    alice_api.user.save()
    assert alice_api.get("/api/me").status_code == 401

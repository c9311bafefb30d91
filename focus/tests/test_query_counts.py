"""Each endpoint asks the database the same number of questions however much history there is:
a person with many sessions, a session with many pings, ticks and nudges. (The API benchmark,
bench/api, reports the same counts next to its throughput.) A tick batch likewise costs the same
statements for one session as for a hundred."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from focus import engine
from focus.models import FocusSession
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

START = {"task_id": None, "estimated_duration": 45, "mode": "deep"}


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 400, response.content
    return len(captured)


def add_history(session: FocusSession, *, ticks: int, pings: int) -> None:
    now = timezone.now()
    for n in range(ticks):
        FocusEventFactory(session=session, ts=now - timedelta(minutes=5 * (ticks - n)))
    FocusEventFactory.create_batch(
        3,
        session=session,
        event_type="nudge",
        ts=now - timedelta(hours=2),
        content={"kind": "check_in", "message": "How is it going?", "tone": "micro"},
    )
    for n in range(pings):
        FocusEventFactory(
            session=session,
            event_type="ping",
            ts=now - timedelta(seconds=30 * n),
            content={"stress": 0.4, "activity": "active", "app_switches": n % 7},
        )


def past_sessions(person_id, n: int) -> None:
    now = timezone.now()
    task = TaskFactory(person_id=person_id)
    for day in range(n):
        FocusSessionFactory(
            person_id=person_id,
            task=task,
            started_at=now - timedelta(days=day + 1),
            ended_at=now - timedelta(days=day + 1) + timedelta(minutes=40),
        )


def started(client) -> str:
    return client.post("/focus/start", START, format="json").json()["session_id"]


def warm_up(client) -> None:
    """A first session with a ping: the person's account, rhythm and personal model exist afterwards,
    as they do for anyone who has used the API before (first use creates them)."""
    session_id = started(client)
    client.post("/focus/ping", {"session_id": session_id, "stress": 0.4}, format="json")
    client.post("/focus/end", {"session_id": session_id}, format="json")


def per_endpoint(client, *, ticks: int, pings: int) -> dict[str, int]:
    """One call of each endpoint on a new session with this much history; the statements each ran."""
    counts = {"start": queries(lambda: client.post("/focus/start", START, format="json"))}
    session = FocusSession.objects.get(person_id=client.person_id, ended_at__isnull=True)
    add_history(session, ticks=ticks, pings=pings)
    url = f"/focus/sessions/{session.id}"
    counts["ping"] = queries(
        lambda: client.post(
            "/focus/ping", {"session_id": str(session.id), "stress": 0.5, "activity": "active"}, format="json"
        )
    )
    counts["events"] = queries(lambda: client.get(f"{url}/events/"))
    counts["events_after"] = queries(lambda: client.get(f"{url}/events/", {"after": 1}))
    counts["detail"] = queries(lambda: client.get(f"{url}/"))
    counts["list"] = queries(lambda: client.get("/focus/sessions/"))
    counts["end"] = queries(
        lambda: client.post("/focus/end", {"session_id": str(session.id), "completion_score": 0.8}, format="json")
    )
    return counts


@pytest.mark.parametrize(
    "endpoint",
    [
        "start",
        "ping",
        "events",
        "events_after",
        "detail",
        "list",
        "end",
    ],
)
def test_an_endpoint_runs_as_many_queries_with_a_long_history_as_with_none(endpoint, alice_api, bob_api):
    warm_up(alice_api)
    warm_up(bob_api)
    past_sessions(bob_api.person_id, 60)  # more than a page of the list

    fresh = per_endpoint(alice_api, ticks=0, pings=0)
    long_history = per_endpoint(bob_api, ticks=60, pings=200)
    assert long_history[endpoint] == fresh[endpoint]


def test_the_query_counts_stay_small(alice_api, django_assert_max_num_queries):
    warm_up(alice_api)
    with django_assert_max_num_queries(12):
        session_id = started(alice_api)
    add_history(FocusSession.objects.get(pk=session_id), ticks=30, pings=100)
    with django_assert_max_num_queries(5):
        alice_api.post("/focus/ping", {"session_id": session_id, "stress": 0.5}, format="json")
    with django_assert_max_num_queries(6):
        alice_api.get(f"/focus/sessions/{session_id}/events/")


PING_BODIES = {
    "with a rhythm value": {"heart_rate": 72, "stress": 0.5, "focus": 0.8, "activity": "active"},
    "without one": {"heart_rate": 72, "focus": 0.8, "activity": "active", "app_switches": 3},
}


# A service account's ping for someone else also writes its access record (focusflow.people): the
# audit's transaction pair, the lookup of whose session it was, and the record's insert.
AUDIT_STATEMENTS = 4


@pytest.mark.parametrize("body", PING_BODIES.values(), ids=PING_BODIES.keys())
@pytest.mark.parametrize("caller", ["owner", "service account"])
def test_a_ping_is_at_most_five_statements_for_the_whole_request(
    caller, body, alice_api, staff_api, django_assert_max_num_queries
):
    """The hot path, counted over the whole request through the client, authentication included:
    the token (with the login's person and rights), the transaction's pair (SAVEPOINT/RELEASE here,
    BEGIN/COMMIT in production), the session's lock-and-read, and one write (the event, with the
    rhythm state and its history sample when a rhythm value came)."""
    warm_up(alice_api)
    task = TaskFactory(person_id=alice_api.person_id)
    session_id = alice_api.post("/focus/start", {**START, "task_id": str(task.id)}, format="json").json()["session_id"]
    add_history(FocusSession.objects.get(pk=session_id), ticks=10, pings=50)
    client = alice_api if caller == "owner" else staff_api
    with django_assert_max_num_queries(5 if caller == "owner" else 5 + AUDIT_STATEMENTS):
        response = client.post("/focus/ping", {"session_id": session_id, **body}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["task_snapshot"]["id"] == str(task.id)


def test_a_tick_batch_runs_the_same_statements_for_one_session_as_for_a_hundred():
    now = timezone.now()
    sessions = [FocusSessionFactory(next_tick_at=now - timedelta(seconds=1)) for _ in range(101)]
    for session in sessions:
        add_history(session, ticks=3, pings=5)

    with CaptureQueriesContext(connection) as one:
        assert engine.run_ticks(claims=[(str(sessions[0].id), None)]) == {"tick": 1}
    with CaptureQueriesContext(connection) as hundred:
        outcomes = engine.run_ticks(claims=[(str(s.id), None) for s in sessions[1:]])
    assert sum(outcomes.values()) == 100 and not any(k.startswith("skipped") for k in outcomes)
    assert len(hundred) == len(one) <= 11  # savepoint pair, lock, 6 set-based reads (busy times too), INSERT, UPDATE

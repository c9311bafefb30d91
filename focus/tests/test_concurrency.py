"""Races, with real threads on their own database connections (the row locks and the one-active-session
constraint do the work, not the test): parallel ends, parallel starts, ticks racing an end."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from focus import engine, services
from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import wait_for
from rhythm.habit import habit_strength_after_session
from rhythm.models import MemoryShortTerm, PersonalModel

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {scope: "100000/min" for scope in rest["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = rest


def in_parallel(count: int, call) -> list:
    """Run call(i) in `count` threads released at once; each thread uses and closes its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(30)
            results[i] = call(i)
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return results


def client_for(api: APIClient) -> APIClient:
    """A client of its own per thread, with the same token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=api._credentials["HTTP_AUTHORIZATION"])
    return client


def test_twenty_parallel_ends_give_one_200_one_summary_and_one_habit_increment(alice_api):
    person = alice_api.person_id
    started = timezone.now() - timedelta(minutes=30)
    session = FocusSessionFactory(person_id=person, started_at=started, estimated_duration=30)
    PersonalModel.objects.create(person_id=person, focus_habit_strength=0.5)
    body = {"session_id": str(session.id), "completion_score": 0.9, "early_end": False}

    answers = in_parallel(PARALLEL, lambda i: client_for(alice_api).post("/focus/end", body, format="json"))

    assert Counter(a.status_code for a in answers) == {200: 1, 409: PARALLEL - 1}
    winner = next(a.json() for a in answers if a.status_code == 200)
    assert winner["summary"] is not None
    session.refresh_from_db()
    assert MemoryShortTerm.objects.filter(user_id=person, kind=MemoryShortTerm.FOCUS_SUMMARY).count() == 1
    assert FocusEvent.objects.filter(session=session, event_type=EventType.SESSION_END).count() == 1
    model = PersonalModel.objects.get(person_id=person)
    once = habit_strength_after_session(
        0.5,
        actual_minutes=round(session.clock().session_minutes(session.ended_at), 2),
        estimated_minutes=30,
        early_end=False,
        completion_score=0.9,
    )
    assert model.focus_habit_strength == pytest.approx(once)
    assert model.last_session_at == session.ended_at
    for loser in (a for a in answers if a.status_code == 409):
        assert loser.json()["ended_at"] == session.ended_at.isoformat()


def test_twenty_parallel_starts_give_one_active_session(alice_api):
    body = {"task_id": None, "estimated_duration": 45, "mode": "deep"}

    answers = in_parallel(PARALLEL, lambda i: client_for(alice_api).post("/focus/start", body, format="json"))

    assert Counter(a.status_code for a in answers) == {201: 1, 409: PARALLEL - 1}
    active = FocusSession.objects.get(person_id=alice_api.person_id, ended_at__isnull=True)
    assert FocusSession.objects.filter(person_id=alice_api.person_id).count() == 1
    assert next(a.json() for a in answers if a.status_code == 201)["session_id"] == str(active.id)
    # Every refusal points at the session that won (once it is visible to the loser's transaction).
    assert {a.json().get("active_session_id") for a in answers if a.status_code == 409} <= {str(active.id), None}
    assert FocusEvent.objects.filter(session=active, event_type=EventType.SESSION_START).count() == 1


def test_parallel_starts_for_different_people_all_succeed(django_user_model):
    from conftest import _client_for

    clients = [_client_for(django_user_model.objects.create_user(f"p{i}", password="pw-123456789")) for i in range(10)]
    answers = in_parallel(
        10, lambda i: client_for(clients[i]).post("/focus/start", {"estimated_duration": 30}, format="json")
    )
    assert [a.status_code for a in answers] == [201] * 10


def _assert_written_last(session: FocusSession) -> None:
    """session_end is the last event written (ids are taken at insert, under the row lock)."""
    session.refresh_from_db()
    assert session.ended_at is not None
    last = FocusEvent.objects.filter(session=session).order_by("-id").first()
    assert last.event_type == EventType.SESSION_END
    assert FocusEvent.objects.filter(session=session, event_type=EventType.SESSION_END).count() == 1
    assert (
        FocusEvent.objects.filter(session=session, event_type__in=("tick", "nudge", "break")).count()
        == session.tick_count
    )


def _assert_nothing_after_the_end(session: FocusSession) -> None:
    """...and no event carries a time after ended_at (what a reader of the timeline sees)."""
    _assert_written_last(session)
    late = FocusEvent.objects.filter(session=session, ts__gt=session.ended_at)
    assert not late.exists(), [(e.event_type, e.ts) for e in late]


def test_ticks_racing_an_end_never_write_after_the_end():
    """Many rounds of a due tick and an end released together: whichever takes the row lock first,
    session_end is the last event written and the latest in time, and a tick that comes after it
    writes nothing. (The test below makes the worst interleaving certain.)"""
    for _ in range(15):
        now = timezone.now()
        session = FocusSessionFactory(started_at=now - timedelta(minutes=10), next_tick_at=now)

        def racer(i: int):  # runs within this iteration, on this iteration's session
            if i == 0:
                return services.session_end(session_id=session.id, person_id=None, completion_score=0.5)  # noqa: B023
            return engine.run_tick(session_id=session.id)  # noqa: B023

        outcomes = in_parallel(3, racer)
        assert all(
            o in (EventType.TICK, EventType.NUDGE, EventType.BREAK, engine.SKIPPED_ENDED, engine.SKIPPED_NOT_DUE)
            for o in outcomes[1:]
        )
        _assert_nothing_after_the_end(session)
        # And a tick that arrives after the end writes nothing at all.
        before = FocusEvent.objects.filter(session=session).count()
        assert engine.run_tick(session_id=session.id) == engine.SKIPPED_ENDED
        assert FocusEvent.objects.filter(session=session).count() == before


def test_an_end_that_read_the_clock_before_a_tick_took_the_lock_still_ends_last(monkeypatch):
    """The interleaving the random race above rarely hits, made certain: the end is under way (it
    once read the clock here), a tick runs to completion, then the end takes the lock."""
    now = timezone.now()
    session = FocusSessionFactory(started_at=now - timedelta(minutes=10), next_tick_at=now - timedelta(seconds=1))
    end_has_read_clock = threading.Event()
    tick_done = threading.Event()
    real_lock = services._session_lock

    def lock_after_the_tick(**kwargs):
        end_has_read_clock.set()
        assert tick_done.wait(30)
        return real_lock(**kwargs)

    monkeypatch.setattr(services, "_session_lock", lock_after_the_tick)
    failures: list[BaseException] = []

    def end() -> None:
        try:
            services.session_end(session_id=session.id, person_id=None)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    ender = threading.Thread(target=end)
    ender.start()
    try:
        wait_for(end_has_read_clock.is_set, timeout=30, what="the end to be under way")
        assert engine.run_tick(session_id=session.id) == EventType.TICK
    finally:
        tick_done.set()  # never leave the end waiting, whatever happened here
        ender.join(60)
    assert not ender.is_alive() and not failures, failures
    _assert_nothing_after_the_end(session)


def test_pings_racing_an_end_never_land_after_it_and_are_refused_once_it_has_ended(alice_api):
    """Pingers keep pinging while the session ends. Whatever the interleaving, a ping either
    commits before the end (its event earlier than session_end, in time and in write order) or is
    refused with a 409 that writes nothing; none lands after session_end. The end is made to take a
    while (a long history to summarise), so a ping that does not wait for the session row's lock
    finds the session still running in the middle of it."""
    pingers = 4
    for _ in range(5):
        now = timezone.now()
        session = FocusSessionFactory(
            person_id=alice_api.person_id, started_at=now - timedelta(minutes=30), next_tick_at=None
        )
        FocusEvent.objects.bulk_create(
            [
                FocusEvent(
                    session=session,
                    event_type=EventType.PING,
                    ts=now - timedelta(seconds=300 - i),
                    content={"focus": 0.5, "app_switches": i % 7},
                )
                for i in range(300)
            ]
        )
        before = FocusEvent.objects.filter(session=session, event_type=EventType.PING).count()
        end_body = {"session_id": str(session.id), "completion_score": 0.5}

        def racer(i: int) -> list[int]:  # noqa: B023 (run to completion inside this loop iteration)
            client = client_for(alice_api)
            if i == 0:
                return [client.post("/focus/end", end_body, format="json").status_code]  # noqa: B023
            statuses = []
            while not statuses or statuses[-1] == 201 and len(statuses) < 200:
                statuses.append(
                    client.post(
                        "/focus/ping",
                        {
                            "session_id": str(session.id),  # noqa: B023
                            "focus": 0.6,
                            "note": f"p{i}",
                        },
                        format="json",
                    ).status_code
                )
            return statuses

        answers = in_parallel(pingers + 1, racer)
        assert answers[0] == [200]
        pings = [status for statuses in answers[1:] for status in statuses]
        assert set(pings) <= {201, 409}, pings
        assert all(statuses[-1] == 409 for statuses in answers[1:]), answers  # every pinger saw the end
        session.refresh_from_db()
        end = FocusEvent.objects.get(session=session, event_type=EventType.SESSION_END)
        written = FocusEvent.objects.filter(session=session, event_type=EventType.PING)
        assert written.count() == before + pings.count(201)  # a refused ping wrote nothing
        late = written.filter(ts__gt=end.ts) | written.filter(id__gt=end.id)
        assert not late.exists(), [(e.ts, e.id) for e in late] + [(end.ts, end.id)]
        assert (
            client_for(alice_api).post("/focus/ping", {"session_id": str(session.id)}, format="json").status_code == 409
        )

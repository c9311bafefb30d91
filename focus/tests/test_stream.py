"""The event stream (GET /focus/sessions/{id}/stream) with real processes: the Procfile's web server
(gunicorn + uvicorn workers, focusflow.asgi) on the test database and a throwaway Redis, read by a
real HTTP client. Waits poll with deadlines; no assertion depends on a sleep."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import psutil
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from focus import services
from focus.models import FocusEvent
from focus.stream import fast
from focus.tests.sse_client import SseReader
from focus.tests.stack import wait_for
from focusflow.people import account_person_id
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def call(base: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def alice(django_user_model):
    user = django_user_model.objects.create_user("alice", password="alice-pass-123")
    return user, token_create(user=user)


def start_session(base: str, token: str) -> str:
    status, body = call(base, "POST", "/focus/start", token, {"estimated_duration": 30, "mode": "deep"})
    assert status == 201, body
    return body["session_id"]


def event_ids(session_id, after: int = 0) -> list[int]:
    return list(
        FocusEvent.objects.filter(session_id=session_id, id__gt=after).order_by("id").values_list("id", flat=True)
    )


def stream_url(base: str, session_id: str, query: str = "") -> str:
    return f"{base}/focus/sessions/{session_id}/stream{query}"


def web_children(proc) -> list[psutil.Process]:
    return psutil.Process(proc.popen.pid).children(recursive=True)


def test_a_stream_replays_after_last_event_id_then_goes_live_nothing_lost_nothing_twice(stack, broker, alice):
    stack.env.update(FOCUS_STREAM_RESYNC_SECONDS="600", FOCUS_STREAM_KEEPALIVE_SECONDS="0.5")
    _, base = stack.web_asgi()
    _, token = alice
    session_id = start_session(base, token)
    for activity in ("active", "idle", "active"):
        assert call(base, "POST", "/focus/ping", token, {"session_id": session_id, "activity": activity})[0] == 201
    before = event_ids(session_id)
    assert len(before) == 4  # session_start and three pings

    reader = SseReader(stream_url(base, session_id), token=token, last_event_id=before[1]).start()
    wait_for(lambda: reader.ids() == before[2:], timeout=15, what="the replay after Last-Event-ID")
    assert reader.status == 200 and reader.headers["content-type"].startswith("text/event-stream")
    first = reader.messages[0]
    assert first.event == "ping" and first.data["id"] == before[2] and first.data["session_id"] == session_id
    status, listed = call(base, "GET", f"/focus/sessions/{session_id}/events/?after={before[1]}", token)
    assert {row["id"]: row for row in listed}[before[2]] == first.data  # the events list's own JSON

    # Live: pings from three clients at once through the API, and from this process (the tick
    # worker's path: a write that commits elsewhere and is announced over Redis).
    def pinger():
        for _ in range(8):
            assert call(base, "POST", "/focus/ping", token, {"session_id": session_id, "app_switches": 1})[0] == 201

    threads = [threading.Thread(target=pinger) for _ in range(3)]
    for thread in threads:
        thread.start()
    with override_settings(FOCUS_STREAM_REDIS_URL=broker.url):
        for _ in range(5):
            services.session_ping(session_id=session_id, values={"activity": "active"})
    for thread in threads:
        thread.join()
    wait_for(lambda: len(reader.ids()) >= len(event_ids(session_id, before[1])), timeout=15, what="every live event")
    assert reader.ids() == event_ids(session_id, before[1])  # in commit order, none missing, none twice
    wait_for(lambda: "keepalive" in reader.comments, timeout=10, what="a keepalive comment")

    # The end closes the stream; a reconnect after it is told there is nothing more (204).
    assert call(base, "POST", "/focus/end", token, {"session_id": session_id, "completion_score": 0.5})[0] == 200
    wait_for(reader.closed.is_set, timeout=15, what="the stream to close after session_end")
    assert reader.messages[-1].event == "session_end"
    assert reader.ids() == event_ids(session_id, before[1])
    again = SseReader(stream_url(base, session_id), token=token, last_event_id=reader.ids()[-1]).start()
    wait_for(again.closed.is_set, timeout=15, what="the reconnect after the end")
    assert again.status == 204
    replay = SseReader(stream_url(base, session_id, f"?after={before[0]}"), token=token).start()
    wait_for(replay.closed.is_set, timeout=15, what="a full replay of an ended session")
    assert replay.ids() == event_ids(session_id, before[0])


def test_open_streams_hold_no_thread_and_no_database_connection(stack, alice):
    stack.env.update(FOCUS_STREAM_RESYNC_SECONDS="600")
    web, base = stack.web_asgi()
    _, token = alice
    session_id = start_session(base, token)
    (worker,) = web_children(web)
    first = SseReader(stream_url(base, session_id), token=token).start()
    wait_for(lambda: first.messages, timeout=15, what="the first stream")
    threads_before = worker.num_threads()
    readers = []
    for _ in range(40):  # one after another: the pool never needs more than one connection at once
        reader = SseReader(stream_url(base, session_id), token=token).start()
        wait_for(lambda reader=reader: reader.messages, timeout=15, what="a stream's replay")
        readers.append(reader)
    assert all(not reader.closed.is_set() for reader in readers)
    assert worker.num_threads() - threads_before < 5, "a thread per open stream"
    database_sockets = [c for c in worker.net_connections(kind="tcp") if c.raddr and c.raddr.port == 5432]
    # The sync pool's and the hub's few, and the event loop's own for opening streams (focus.stream.fast).
    bound = 3 + fast.POOL_SIZE
    assert len(database_sockets) <= bound, f"{len(database_sockets)} database connections for 41 idle streams"
    # The sync API still answers while they are open.
    assert call(base, "GET", f"/focus/sessions/{session_id}/", token)[0] == 200
    services.session_ping(session_id=session_id, values={"activity": "idle"})
    for reader in readers:
        reader.stop()


@pytest.mark.parametrize("mode", ["redis", "no_redis"])
def test_a_stream_catches_up_from_the_database_without_an_announcement(stack, alice, mode):
    """A lost publish loses nothing (the resync), and without Redis (the quick start) streams poll."""
    if mode == "redis":
        stack.env.update(FOCUS_STREAM_RESYNC_SECONDS="1")
    else:
        stack.env.pop("CELERY_BROKER_URL")
        stack.env.update(FOCUS_STREAM_POLL_SECONDS="0.5")
    _, base = stack.web_asgi()
    user, token = alice
    session = services.session_start(
        person_id=account_person_id(user=user), task_id=None, estimated_duration=30, mode="deep"
    )
    reader = SseReader(stream_url(base, str(session.id)), token=token).start()
    wait_for(lambda: reader.messages, timeout=15, what="the replay")
    with override_settings(FOCUS_STREAM_REDIS_URL=""):  # written here, announced nowhere
        for _ in range(3):
            services.session_ping(session_id=session.id, values={"activity": "away"})
    wait_for(lambda: reader.ids() == event_ids(session.id), timeout=15, what="the resync to find the pings")
    reader.stop()


def test_after_a_web_restart_a_reconnecting_client_misses_nothing(stack, broker, alice):
    stack.env.update(FOCUS_STREAM_RESYNC_SECONDS="600")
    web, base = stack.web_asgi()
    port = int(base.rsplit(":", 1)[1])
    user, token = alice
    session_id = start_session(base, token)
    reader = SseReader(stream_url(base, session_id), token=token, reconnect=True).start()
    wait_for(lambda: reader.messages, timeout=15, what="the replay")
    with override_settings(FOCUS_STREAM_REDIS_URL=broker.url):
        services.session_ping(session_id=session_id, values={"activity": "active"})
        wait_for(lambda: len(reader.messages) == 2, timeout=15, what="a live event")
        web.stop()
        for _ in range(3):  # announced while no web process listens
            services.session_ping(session_id=session_id, values={"activity": "idle"})
        stack.web_asgi(port=port)
        wait_for(lambda: reader.ids() == event_ids(session_id), timeout=30, what="the missed events after the restart")
        services.session_ping(session_id=session_id, values={"activity": "active"})
        wait_for(lambda: reader.ids() == event_ids(session_id), timeout=15, what="live again after the restart")
    assert reader.connections >= 2
    assert len(set(reader.ids())) == len(reader.ids())
    reader.stop()


def test_anonymous_gets_401_another_person_404_and_a_bad_last_event_id_400(stack, alice, django_user_model):
    _, base = stack.web_asgi()
    _, token = alice
    session_id = start_session(base, token)
    bob = token_create(user=django_user_model.objects.create_user("bob", password="bob-pass-123"))
    cases = [(None, None, 401), (bob, None, 404), (token, "abc", 400), (token, None, 200)]
    for who, last_id, expected in cases:
        reader = SseReader(stream_url(base, session_id), token=who, last_event_id=last_id).start()
        wait_for(reader.opened.is_set, timeout=15, what="an answer")
        assert reader.status == expected, (who, last_id, reader.body)
        if expected != 200:
            wait_for(reader.closed.is_set, timeout=15, what="the error body")
            assert json.loads(reader.body)["detail"]
            assert session_id not in reader.body
        reader.stop()


def test_streams_opened_on_the_event_loop_answer_as_the_view_does(stack, alice, django_user_model, client):
    """After the view's first streaming answer, an owner's stream opens without a thread
    (focus.stream.fast): same headers, same replay; every other case still gets the view's answer."""
    web, base = stack.web_asgi()
    user, token = alice
    session_id = start_session(base, token)
    by_view = SseReader(stream_url(base, session_id), token=token).start()
    wait_for(lambda: by_view.messages, timeout=15, what="the view's stream")
    fast = SseReader(stream_url(base, session_id), token=token).start()
    wait_for(lambda: fast.messages, timeout=15, what="a stream opened on the event loop")
    assert fast.ids() == by_view.ids() == event_ids(session_id)
    django_headers = {k: v for k, v in by_view.headers.items() if k not in ("date", "server")}
    assert {k: v for k, v in fast.headers.items() if k not in ("date", "server")} == django_headers
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'focusflow stream opening'")
        assert cursor.fetchone()[0] >= 1, "the stream was not opened on the event loop"
    # A browser's session cookie opens it too.
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    browser = SseReader(stream_url(base, session_id, f"?after={by_view.ids()[0] - 1}"), cookie=cookie).start()
    wait_for(lambda: browser.messages, timeout=15, what="a stream opened with a session cookie")
    assert browser.ids() == event_ids(session_id)
    # Refusals are the view's.
    bob = token_create(user=django_user_model.objects.create_user("bob", password="bob-pass-123"))
    for who, cookie, last_id, expected in [
        (None, None, None, 401),
        (None, f"{settings.SESSION_COOKIE_NAME}=not-a-session", None, 401),
        (bob, None, None, 404),
        (token, None, "abc", 400),
        (token[:-1] + ("0" if token[-1] != "0" else "1"), None, None, 401),
    ]:
        reader = SseReader(stream_url(base, session_id), token=who, cookie=cookie, last_event_id=last_id).start()
        wait_for(reader.closed.is_set, timeout=15, what="an answer")
        assert reader.status == expected, (who, cookie, last_id, reader.body)
    for other_form in [session_id.upper(), session_id.replace("-", "")]:  # the URL's own form only
        reader = SseReader(stream_url(base, other_form), token=token).start()
        wait_for(reader.closed.is_set, timeout=15, what="an answer")
        assert reader.status == 404, other_form
    trailing = SseReader(stream_url(base, session_id) + "/", token=token).start()
    wait_for(trailing.closed.is_set, timeout=15, what="an answer")
    assert trailing.status == 404
    status, _ = call(base, "POST", "/focus/end", token, {"session_id": session_id})
    assert status == 200
    wait_for(lambda: fast.ended and by_view.ended, timeout=15, what="session_end on both streams")
    ended = SseReader(stream_url(base, session_id, f"?after={event_ids(session_id)[-1]}"), token=token).start()
    wait_for(ended.closed.is_set, timeout=15, what="the ended session's answer")
    assert ended.status == 204
    for reader in (by_view, fast, browser):
        reader.stop()
    web.stop()
    assert "2 streams opened on the event loop, 1 by the view" in web.output(), web.output()[-3000:]


def test_the_asgi_server_answers_static_files_pages_and_errors_with_their_headers(stack, alice):
    """Every middleware runs on the event loop there (focusflow/middleware.py): a static file keeps
    whitenoise's caching, an API answer its no-store, a missing page its JSON 404."""
    web, base = stack.web_asgi()
    with urllib.request.urlopen(base + "/", timeout=15) as response:
        page = response.read().decode()
    script = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/static/"))
    with urllib.request.urlopen(base + script, timeout=15) as response:
        assert response.status == 200
        assert "public" in response.headers["Cache-Control"]  # whitenoise's caching, not no-store
        assert "no-store" not in response.headers["Cache-Control"]
        assert response.read()
    user, token = alice
    request = urllib.request.Request(base + "/focus/sessions/", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=15) as response:
        assert "no-store" in response.headers["Cache-Control"]
    status, body = call(base, "GET", "/focus/no-such-thing/", token)
    assert status == 404 and "detail" in body

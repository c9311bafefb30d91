"""A hung Redis, with real processes: a listener that accepts connections and never answers, as the
broker (CELERY_BROKER_URL) and as the throttle cache (CACHE_URL). A stopped Redis refuses at once
(test_faults.py); a hung one makes every unbounded read wait forever, which once held each gunicorn
worker for its 30 s timeout on `POST /focus/start` and `/healthz` and answered 500 after the session
was created.

The bounds under test are generous deadlines on the answer (a client that gives up after
ANSWER_DEADLINE seconds), not timings: the measured times are printed for the record."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from focus.models import FocusSession
from focus.tests.stack import BIN, RedisServer, Stack, stack_env, wait_for
from focus.tests.test_integration_ticks import assert_tick_invariants, tick_events
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ANSWER_DEADLINE = 3.0  # seconds; gunicorn's own timeout (30 s) is what a hung call used to hit


class BlackHole:
    """A TCP listener on a spare port that accepts every connection and never answers: a hung Redis."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)  # held open and never read: the client waits for an answer

    def stop_listening(self) -> None:
        """Free the port but keep every accepted connection hanging (a client with no read timeout
        stays stuck on it even after a real Redis takes the port)."""
        self._stop.set()
        self._thread.join(5)
        self.listener.close()

    def close(self) -> None:
        self.stop_listening()
        for conn in self.held:
            conn.close()


@pytest.fixture
def black_hole():
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def hung_stack(transactional_db, black_hole, tmp_path, request):
    """Real processes whose broker and throttle cache are the black hole."""
    processes = Stack(workdir=tmp_path, env=stack_env(broker_url=black_hole.url(0), CACHE_URL=black_hole.url(1)))
    yield processes
    processes.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(processes.logs())


def _token(django_user_model, username: str) -> str:
    user = django_user_model.objects.create_user(username, password=f"{username}-pass-123456")
    return token_create(user=user)


@pytest.fixture
def token(django_user_model) -> str:
    return _token(django_user_model, "hung")


@pytest.fixture
def other_token(django_user_model) -> str:
    return _token(django_user_model, "other")


def timed_call(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: dict | None = None,
    deadline: float = ANSWER_DEADLINE,
) -> tuple[int, dict, float]:
    """(status, JSON body, seconds taken); raises if no answer arrives within the deadline."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(
        base + path, method=method, headers=headers, data=json.dumps(body).encode() if body is not None else None
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=deadline) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (TimeoutError, urllib.error.URLError) as error:
        raise AssertionError(f"{method} {path}: no answer within {deadline} s ({error!r})") from error
    return status, json.loads(raw or b"{}"), time.monotonic() - started


def warm_up(base: str) -> None:
    """A gunicorn worker imports most of the project on its first request, which on a busy 2-core
    box can take seconds by itself: give each of the two a few requests before anything is timed."""
    for _ in range(6):
        timed_call(base, "GET", "/healthz", deadline=60)


def spawn_unready(stack: Stack, name: str, argv: list[str]):
    """Start a worker or beat without waiting for 'ready': with a hung broker it cannot get there."""
    return stack._spawn(name, argv, ready=None)


def test_with_a_hung_broker_and_cache_start_is_201_healthz_is_a_quick_503_and_the_web_stays_up(
    hung_stack,
    token,
    other_token,
):
    _, base = hung_stack.web()
    warm_up(base)

    start_times = []
    for caller in (token, other_token):
        status, session, took = timed_call(
            base, "POST", "/focus/start", caller, {"task_id": None, "estimated_duration": 25}
        )
        assert status == 201, session
        start_times.append(took)
        # Created and due: the sweep owes it its first tick (the enqueue after commit could not go out).
        row = FocusSession.objects.get(pk=session["session_id"])
        assert row.ended_at is None and row.next_tick_at <= timezone.now()
        assert tick_events(row.id) == []

    # Many more anonymous health checks in a row than the web has workers (2): each answers, and
    # says the broker is the part that is down.
    health_times = []
    for _ in range(6):
        status, health, took = timed_call(base, "GET", "/healthz")
        assert status == 503, health
        assert health["broker"]["ok"] is False and health["database"]["ok"] is True, health
        health_times.append(took)

    # The web is still up, and a repeated start is the plain 409 (the first one did succeed).
    status, me, took_me = timed_call(base, "GET", "/api/me", token)
    assert status == 200 and me["username"] == "hung"
    status, again, _ = timed_call(
        base, "POST", "/focus/start", other_token, {"task_id": None, "estimated_duration": 25}
    )
    assert status == 409 and again["active_session_id"] == session["session_id"], again
    web = hung_stack.procs[0]
    assert web.alive() and "WORKER TIMEOUT" not in web.output(), web.output()[-3000:]
    print(
        f"\nhung broker+cache: start {', '.join(f'{t:.3f}' for t in start_times)} s, /healthz "
        f"{', '.join(f'{t:.3f}' for t in health_times)} s, /api/me {took_me:.3f} s"
    )


def test_worker_and_beat_get_past_a_hung_broker_and_the_sweep_sends_the_first_tick_once_redis_is_back(
    hung_stack,
    black_hole,
    token,
    tmp_path,
):
    """Worker and beat start against the hung broker; then a real Redis takes its port while the
    connections they already opened stay hung. Bounded reads let them give those up and reconnect,
    and the session started during the fault gets its first tick from the sweep."""
    _, base = hung_stack.web()
    worker = spawn_unready(
        hung_stack,
        "worker",
        [
            str(BIN / "celery"),
            "-A",
            "focusflow",
            "worker",
            "-Q",
            "focus,celery",
            "--concurrency",
            "1",
            "-n",
            "hung@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
    )
    beat = spawn_unready(
        hung_stack,
        "beat",
        [
            str(BIN / "celery"),
            "-A",
            "focusflow",
            "beat",
            "-S",
            "django",
            "--loglevel",
            "INFO",
            "--pidfile",
            str(tmp_path / "beat.pid"),
        ],
    )
    warm_up(base)
    status, session, _ = timed_call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 25})
    assert status == 201, session
    wait_for(lambda: len(black_hole.held) >= 3, timeout=30, what="worker and beat to connect to the hung broker")

    black_hole.stop_listening()
    redis = RedisServer(tmp_path)
    redis.port = black_hole.port  # the same URL every process already has
    redis.start()
    back = time.monotonic()
    try:
        wait_for(lambda: tick_events(session["session_id"]), timeout=90, what="the first tick via the sweep")
        print(f"\nfirst tick {time.monotonic() - back:.1f} s after a real Redis took the hung broker's port")
        wait_for(lambda: timed_call(base, "GET", "/healthz")[0] == 200, timeout=10, what="/healthz back to 200")
        assert worker.alive() and beat.alive()
        assert_tick_invariants(FocusSession.objects.get(pk=session["session_id"]), max_nudges=8)
    finally:
        hung_stack.stop()
        redis.stop()

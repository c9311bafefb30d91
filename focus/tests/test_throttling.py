"""Per-user throttling: 429 with Retry-After, per person, with tighter rates on start and ping,
a much higher rate for staff, atomic counting, shared across web workers, and open when the cache
is down (a Redis outage must not take the API with it)."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from focus.models import FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import free_port
from focusflow.people import Actor
from focusflow.throttles import ActionRateThrottle, PersonRateThrottle, parse_rate
from focusflow.tokens import token_create

# Pinned at the start of a minute, so a test never straddles two throttle windows.
T0 = datetime(2031, 5, 6, 9, 0, 1, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test (DRF reloads its settings when REST_FRAMEWORK changes)."""

    def set_rates(**overrides: str) -> None:
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


def assert_throttled(response, *, at_most: int) -> None:
    assert response.status_code == 429, response.content
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= at_most
    assert response.json()["code"] == "throttled"


@pytest.mark.django_db
def test_a_person_over_the_rate_gets_429_with_retry_after(alice_api, rates):
    rates(user="5/min")
    with time_machine.travel(T0, tick=False):
        assert [alice_api.get("/api/me").status_code for _ in range(5)] == [200] * 5
        assert_throttled(alice_api.get("/api/me"), at_most=60)
        # Retry-After tells the truth: the next window lets the person in again.
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert alice_api.get("/api/me").status_code == 200


@pytest.mark.django_db
def test_retry_after_counts_down_to_the_end_of_the_window(alice_api, rates):
    rates(user="1/min")
    with time_machine.travel(T0 + timedelta(seconds=44), tick=False):
        alice_api.get("/api/me")
        assert int(alice_api.get("/api/me").headers["Retry-After"]) == 15


@pytest.mark.django_db
def test_one_persons_throttle_leaves_another_alone(alice_api, bob_api, rates):
    rates(user="2/min")
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            alice_api.get("/api/me")
        assert alice_api.get("/api/me").status_code == 429
        assert bob_api.get("/api/me").status_code == 200


@pytest.mark.django_db
def test_starting_sessions_has_a_tighter_rate_of_its_own(alice_api, rates):
    rates(user="100/min", focus_start="2/min")
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            started = alice_api.post("/focus/start", {"estimated_duration": 25}, format="json")
            assert started.status_code == 201
            assert (
                alice_api.post("/focus/end", {"session_id": started.json()["session_id"]}, format="json").status_code
                == 200
            )
        assert_throttled(alice_api.post("/focus/start", {"estimated_duration": 25}, format="json"), at_most=60)
        assert FocusSession.objects.count() == 2
        # Other endpoints still answer: only starting is held back.
        assert alice_api.get("/focus/sessions/").status_code == 200


@pytest.mark.django_db
def test_pinging_has_a_tighter_rate_of_its_own(alice_api, rates):
    rates(user="100/min", focus_ping="3/min")
    session = FocusSessionFactory(person_id=alice_api.person_id)
    with time_machine.travel(T0, tick=False):
        body = {"session_id": str(session.id), "focus": 0.5}
        assert [alice_api.post("/focus/ping", body, format="json").status_code for _ in range(3)] == [201] * 3
        assert_throttled(alice_api.post("/focus/ping", body, format="json"), at_most=60)
        assert session.events.filter(event_type="ping").count() == 3
        assert alice_api.post("/focus/end", {"session_id": str(session.id)}, format="json").status_code == 200


@pytest.mark.django_db
def test_staff_act_for_many_people_and_get_the_staff_rate(staff_api, alice_api, rates):
    rates(user="2/min", staff="6/min", focus_start="1/min")
    with time_machine.travel(T0, tick=False):
        person = str(alice_api.person_id)
        for _ in range(3):  # past both the user rate and the start rate
            started = staff_api.post("/focus/start", {"person_id": person, "estimated_duration": 25}, format="json")
            assert started.status_code == 201
            staff_api.post("/focus/end", {"session_id": started.json()["session_id"]}, format="json")
        assert_throttled(staff_api.get("/api/me"), at_most=60)


@pytest.mark.django_db
def test_anonymous_calls_are_refused_before_throttling(anon_api, rates):
    rates(user="1/min")
    assert [anon_api.get("/api/me").status_code for _ in range(3)] == [401] * 3


def test_the_configured_rates_parse():
    from django.conf import settings

    for rate in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].values():
        count, period = parse_rate(rate)
        assert count > 0 and period in (1, 60, 3600, 86400)


def _a_person() -> Actor:
    """Who the throttle sees, without a database: a person, not a service account."""
    return Actor(person_id=uuid.uuid4(), acts_for_any_person=False)


def test_parallel_requests_never_slip_past_the_limit(rates):
    """20 requests at once against a limit of 5: exactly 5 pass (an atomic increment per request,
    not DRF's read-modify-write of a timestamp list)."""
    rates(user="5/min")
    user = SimpleNamespace(pk=424242, is_authenticated=True, is_staff=False)
    request, view = SimpleNamespace(user=user, _focus_actor=_a_person()), SimpleNamespace()
    barrier = threading.Barrier(20)
    results: list[bool] = []

    def one() -> None:
        barrier.wait()
        results.append(PersonRateThrottle().allow_request(request, view))

    with time_machine.travel(T0, tick=False):
        threads = [threading.Thread(target=one) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert sorted(results) == [False] * 15 + [True] * 5


def test_a_view_without_a_scope_has_no_action_rate(rates):
    rates(focus_start="1/min")
    user = SimpleNamespace(pk=7, is_authenticated=True, is_staff=False)
    throttle = ActionRateThrottle()
    request = SimpleNamespace(user=user, _focus_actor=_a_person())
    assert all(throttle.allow_request(request, SimpleNamespace()) for _ in range(5))


def dead_redis_cache() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_with_the_throttle_cache_down_requests_still_succeed(alice_api, rates):
    """Fail open: a dead Redis behind the throttle must not turn into 500s."""
    rates(user="1/min", focus_start="1/min")
    with override_settings(CACHES=dead_redis_cache()):
        started = alice_api.post("/focus/start", {"estimated_duration": 25}, format="json")
        assert started.status_code == 201
        assert [alice_api.get("/api/me").status_code for _ in range(3)] == [200] * 3


def _throttle_log(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "focusflow.throttles" and r.levelno == level]


@pytest.mark.django_db
def test_a_cache_outage_is_logged_once_when_it_starts_and_once_when_it_ends(alice_api, rates, caplog):
    """Fail open, but say so once per outage: a warning when the cache first fails, an info line
    when it answers again, and nothing per request in between."""
    rates(user="100/min", focus_start="100/min")
    assert alice_api.get("/api/me").status_code == 200  # the cache answers: no outage in progress
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="focusflow.throttles"):
        with override_settings(CACHES=dead_redis_cache()):
            assert [alice_api.get("/api/me").status_code for _ in range(4)] == [200] * 4
            assert alice_api.post("/focus/start", {"estimated_duration": 25}, format="json").status_code == 201
        warnings = _throttle_log(caplog, logging.WARNING)
        assert len(warnings) == 1 and "unavailable" in warnings[0], warnings
        assert _throttle_log(caplog, logging.INFO) == []
        # The cache is back: one info line, then silence again.
        assert [alice_api.get("/api/me").status_code for _ in range(3)] == [200] * 3
    infos = _throttle_log(caplog, logging.INFO)
    assert len(infos) == 1 and "answers again" in infos[0], infos
    assert len(_throttle_log(caplog, logging.WARNING)) == 1


@pytest.mark.django_db
def test_a_second_outage_is_logged_again(alice_api, rates, caplog):
    rates(user="100/min")
    alice_api.get("/api/me")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="focusflow.throttles"):
        for _ in range(2):
            with override_settings(CACHES=dead_redis_cache()):
                alice_api.get("/api/me")
                alice_api.get("/api/me")
            alice_api.get("/api/me")
    assert len(_throttle_log(caplog, logging.WARNING)) == 2
    assert len(_throttle_log(caplog, logging.INFO)) == 2


# --------------------------------------------------------------------------- real web workers


def _get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.integration
def test_gunicorn_workers_share_one_count_per_person(stack, broker, django_user_model):
    """Two gunicorn workers, counters in Redis (CACHE_URL): the limit holds for the person, not per
    process (with per-process memory each worker would let the person through again)."""
    user = django_user_model.objects.create_user("counted", password="counted-pass-123")
    token = token_create(user=user)
    stack.env.update({"CACHE_URL": broker.url.replace("/0", "/1"), "THROTTLE_USER_RATE": "5/day"})
    _, base = stack.web()
    day = datetime.now(timezone.utc).date()
    # In parallel, so both workers serve some of them (one after another, one worker may take all).
    barrier = threading.Barrier(16)
    answers: list[tuple[int, dict]] = []

    def one() -> None:
        barrier.wait()
        answers.append(_get(base + "/api/me", token))

    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if datetime.now(timezone.utc).date() != day:
        pytest.skip("the daily window turned over during the test")
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 5 + [429] * 11, statuses
    assert all(int(headers["Retry-After"]) >= 1 for status, headers in answers if status == 429)


def test_the_readme_documents_the_throttle():
    """The README documents the throttle; keep the documented variables in step with settings."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for variable in (
        "THROTTLE_USER_RATE",
        "THROTTLE_STAFF_RATE",
        "THROTTLE_START_RATE",
        "THROTTLE_PING_RATE",
        "CACHE_URL",
        "Retry-After",
    ):
        assert variable in readme, variable

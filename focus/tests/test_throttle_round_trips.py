"""With Redis as the cache, throttling costs one round trip per request, however many counters the
request keeps (a ping keeps two: the per-user rate and the ping rate), through either door, and the
counts it keeps there are the ones the rates are checked against. Each test runs its own throwaway
redis-server and watches what reaches it with MONITOR."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
import redis
import time_machine
from django.test import Client
from django.urls import reverse

from focus.tests.factories import FocusSessionFactory

pytestmark = pytest.mark.django_db

# Pinned at the start of a minute, so a test never straddles two throttle windows.
T0 = datetime(2031, 5, 6, 9, 0, 1, tzinfo=timezone.utc)


@pytest.fixture
def redis_cache(broker, settings) -> redis.Redis:
    """The default cache on a throwaway Redis, as settings.py configures it for CACHE_URL=redis://…;
    returns a client of that Redis for the test's own look."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": broker.url,
            "KEY_PREFIX": "focusflow",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    client = redis.Redis.from_url(broker.url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def rates(settings):
    def set_rates(**overrides: str) -> None:
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(T0, tick=False):
        yield


def commands_of(redis_url: str, request: Callable[[], object]) -> list[dict]:
    """Every command that reached Redis while `request` ran, in order (MONITOR; a script's own
    commands come with client_type "lua"). An ECHO from a client connected beforehand marks the end."""
    marker = f"end-{uuid.uuid4()}"
    with redis.Redis.from_url(redis_url) as watcher, redis.Redis.from_url(redis_url) as marking:
        marking.ping()  # connected before MONITOR starts, so its handshake is not taken for the request's
        with watcher.monitor() as monitor:
            request()
            marking.echo(marker)
            seen = []
            while (command := monitor.next_command())["command"] != f"ECHO {marker}":
                seen.append(command)
    return seen


def round_trips(commands: list[dict]) -> list[str]:
    """The commands a client sent (not the ones a script ran inside Redis): each is a round trip."""
    return [c["command"].split()[0] for c in commands if c["client_type"] != "lua"]


def incremented(commands: list[dict]) -> list[str]:
    return [c["command"].split()[1].strip('"') for c in commands if c["command"].startswith("INCR ")]


def test_a_ping_costs_one_round_trip_for_both_its_counters(alice_api, broker, redis_cache, clock):
    session = FocusSessionFactory(person_id=alice_api.person_id)
    body = {"session_id": str(session.id), "focus": 0.5}
    assert alice_api.post("/focus/ping", body, format="json").status_code == 201  # loads the script

    def ping() -> None:
        assert alice_api.post("/focus/ping", body, format="json").status_code == 201

    commands = commands_of(broker.url, ping)
    assert round_trips(commands) == ["EVALSHA"], commands
    user_id = alice_api.user.pk
    window = int(T0.timestamp() // 60)
    assert incremented(commands) == [
        f"focusflow:1:throttle:user:{user_id}:{window}",
        f"focusflow:1:throttle:focus_ping:{user_id}:{window}",
    ]


def test_a_dashboard_ping_costs_one_round_trip_too(alice, broker, redis_cache, clock):
    from focusflow.people import account_person_id

    web = Client()
    web.force_login(alice)
    session = FocusSessionFactory(person_id=account_person_id(user=alice))

    def ping() -> None:
        assert web.post(reverse("dashboard-ping", args=[session.id]), {"focus": "60"}).status_code == 302

    ping()
    commands = commands_of(broker.url, ping)
    assert round_trips(commands) == ["EVALSHA"], commands
    assert [key.split(":")[3] for key in incremented(commands)] == ["user", "focus_ping"]


def test_a_request_with_one_counter_costs_one_round_trip(alice_api, broker, redis_cache, clock):
    alice_api.get("/api/me")
    commands = commands_of(broker.url, lambda: alice_api.get("/api/me"))
    assert round_trips(commands) == ["EVALSHA"], commands


def test_the_counts_in_redis_hold_the_person_to_both_rates(alice_api, redis_cache, rates, clock):
    rates(user="100/min", focus_ping="2/min")
    session = FocusSessionFactory(person_id=alice_api.person_id)
    body = {"session_id": str(session.id), "focus": 0.5}
    assert [alice_api.post("/focus/ping", body, format="json").status_code for _ in range(3)] == [201, 201, 429]
    window = int(T0.timestamp() // 60)
    for scope in ("user", "focus_ping"):
        key = f"focusflow:1:throttle:{scope}:{alice_api.user.pk}:{window}"
        assert redis_cache.get(key) == "3"  # the refused ping was counted too, as DRF counts it
        assert 0 < redis_cache.ttl(key) <= 61  # every counter expires with its window (and a second)


def test_service_accounts_keep_only_the_staff_counter(staff_api, alice_api, redis_cache, rates, clock):
    rates(user="1/min", staff="100/min", focus_ping="1/min")
    session = FocusSessionFactory(person_id=alice_api.person_id)
    body = {"session_id": str(session.id), "focus": 0.5}
    assert [staff_api.post("/focus/ping", body, format="json").status_code for _ in range(3)] == [201] * 3
    assert [key.split(":")[3] for key in redis_cache.keys("focusflow:1:throttle:*")] == ["staff"]


def test_a_redis_that_forgot_the_script_still_counts(alice_api, redis_cache, clock):
    """After a Redis restart its script cache is empty: the script is loaded again, nothing is lost."""
    alice_api.get("/api/me")
    redis_cache.script_flush()
    assert alice_api.get("/api/me").status_code == 200
    window = int(T0.timestamp() // 60)
    assert redis_cache.get(f"focusflow:1:throttle:user:{alice_api.user.pk}:{window}") == "2"

"""The dashboard's writes (start, ping, "I got distracted", end) are throttled like the API's: the
same rates, one count per person shared by both doors, and the same 429 with Retry-After, shown as
a page in the site's layout (or JSON to the live page's script). A throttled write writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focusflow.people import account_person_id

pytestmark = pytest.mark.django_db

# Pinned at the start of a minute, so a test never straddles two throttle windows.
T0 = datetime(2031, 5, 6, 9, 0, 1, tzinfo=timezone.utc)


@pytest.fixture
def rates(settings):
    """Set throttle rates for one test (DRF reloads its settings when REST_FRAMEWORK changes)."""

    def set_rates(**overrides: str) -> None:
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_web(alice, clock) -> Client:
    client = Client()  # signed in at the pinned time, so the login session is fresh then
    client.force_login(alice)
    client.person_id = account_person_id(user=alice)
    return client


def form_start(client: Client):
    return client.post(
        reverse("dashboard-start"), {"task": "", "new_task_title": "", "estimated_duration": "45", "mode": "deep"}
    )


def form_ping(client: Client, session: FocusSession, **headers):
    return client.post(reverse("dashboard-ping", args=[session.id]), {"focus": "60"}, **headers)


def form_distracted(client: Client, session: FocusSession):
    return client.post(reverse("dashboard-ping", args=[session.id]), {"distracted": "on"})


def form_end(client: Client, session: FocusSession):
    return client.post(reverse("dashboard-end", args=[session.id]), {"completion": "80"})


def end_active(person_id) -> None:
    from focus.services import session_end

    session_end(session_id=FocusSession.objects.get(person_id=person_id, ended_at__isnull=True).id, person_id=person_id)


def pings(session: FocusSession) -> int:
    return FocusEvent.objects.filter(session=session, event_type=EventType.PING).count()


def assert_throttled_page(response, *, at_most: int = 60) -> None:
    assert response.status_code == 429, response.content[:300]
    assert 1 <= int(response.headers["Retry-After"]) <= at_most
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'class="topbar"' in page and "FocusFlow" in page  # the site's layout, not a bare error
    assert "Nothing was saved" in page
    assert f"{response.headers['Retry-After']} second" in page


def test_the_start_form_is_held_to_the_start_rate(alice_web, rates, clock):
    rates(user="100/min", focus_start="2/min")
    for _ in range(2):
        assert form_start(alice_web).status_code == 302
        end_active(alice_web.person_id)
    assert_throttled_page(form_start(alice_web))
    assert FocusSession.objects.count() == 2


def test_the_ping_form_is_held_to_the_ping_rate(alice_web, rates, clock):
    rates(user="100/min", focus_ping="3/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    assert [form_ping(alice_web, session).status_code for _ in range(3)] == [302] * 3
    assert_throttled_page(form_ping(alice_web, session))
    assert pings(session) == 3


def test_the_live_page_script_gets_the_429_as_json(alice_web, rates, clock):
    rates(user="100/min", focus_ping="1/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    assert form_ping(alice_web, session, HTTP_ACCEPT="application/json").status_code == 201
    response = form_ping(alice_web, session, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled" and response.json()["detail"]
    assert pings(session) == 1


def test_the_i_got_distracted_form_is_held_to_the_ping_rate(alice_web, rates, clock):
    rates(user="100/min", focus_ping="2/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    assert [form_distracted(alice_web, session).status_code for _ in range(2)] == [302] * 2
    assert_throttled_page(form_distracted(alice_web, session))
    assert pings(session) == 2


def test_the_end_form_is_held_to_the_user_rate(alice_web, alice_api, rates, clock):
    rates(user="3/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    assert [alice_api.get("/api/me").status_code for _ in range(3)] == [200] * 3
    assert_throttled_page(form_end(alice_web, session))
    session.refresh_from_db()
    assert session.ended_at is None


def test_starts_through_the_api_count_for_the_form(alice_web, alice_api, rates, clock):
    rates(user="100/min", focus_start="2/min")
    for _ in range(2):
        assert alice_api.post("/focus/start", {"estimated_duration": 25}, format="json").status_code == 201
        end_active(alice_web.person_id)
    assert_throttled_page(form_start(alice_web))
    assert FocusSession.objects.count() == 2


def test_pings_through_the_form_count_for_the_api(alice_web, alice_api, rates, clock):
    rates(user="100/min", focus_ping="2/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    form_ping(alice_web, session)
    form_distracted(alice_web, session)
    response = alice_api.post("/focus/ping", {"session_id": str(session.id), "focus": 0.5}, format="json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert int(response.headers["Retry-After"]) >= 1
    assert pings(session) == 2


def test_the_next_window_lets_the_person_in_again(alice_web, rates, clock):
    rates(user="100/min", focus_ping="1/min")
    session = FocusSessionFactory(person_id=alice_web.person_id)
    form_ping(alice_web, session)
    retry_after = int(form_ping(alice_web, session).headers["Retry-After"])
    clock.shift(timedelta(seconds=retry_after))
    assert form_ping(alice_web, session).status_code == 302
    assert pings(session) == 2


def test_staff_are_held_to_the_staff_rate_only_on_the_form_too(charlie, rates, clock):
    rates(user="1/min", staff="100/min", focus_start="1/min")
    client = Client()
    client.force_login(charlie)
    for _ in range(3):
        assert form_start(client).status_code == 302
        end_active(account_person_id(user=charlie))

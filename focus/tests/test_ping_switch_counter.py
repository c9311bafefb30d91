"""A ping may say what its `app_switches` counts (`app_switches_counter`): the last 5 minutes, or
the switches since the client's previous ping. It is kept in the ping's content, where the policy
reads it (focus/policy/detectors.py); anything else is a 400 that writes nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from focus.models import FocusEvent
from focus.policy import PingSample

pytestmark = pytest.mark.django_db


def start(client) -> str:
    response = client.post("/focus/start", {"estimated_duration": 30, "mode": "deep"}, format="json")
    assert response.status_code == 201
    return response.json()["session_id"]


@pytest.mark.parametrize("counter", ["last_5_minutes", "since_last_ping"])
def test_the_counter_is_kept_with_the_count(alice_api, counter):
    session_id = start(alice_api)
    body = {"session_id": session_id, "app_switches": 4, "app_switches_counter": counter}
    response = alice_api.post("/focus/ping", body, format="json")
    assert response.status_code == 201, response.json()
    stored = FocusEvent.objects.get(pk=response.json()["id"])
    assert stored.content["app_switches_counter"] == counter
    sample = PingSample.from_content(stored.ts, stored.content)
    assert sample.counts_since_last_ping is (counter == "since_last_ping")


def test_a_ping_that_says_nothing_is_read_as_before_unless_it_is_the_pages(alice_api):
    session_id = start(alice_api)
    for body, since_last in (({}, False), ({"source": "page"}, True)):
        response = alice_api.post("/focus/ping", {"session_id": session_id, "app_switches": 1, **body}, format="json")
        assert response.status_code == 201, response.json()
        stored = FocusEvent.objects.get(pk=response.json()["id"])
        assert "app_switches_counter" not in stored.content
        assert PingSample.from_content(stored.ts, stored.content).counts_since_last_ping is since_last


@pytest.mark.parametrize("counter", ["rolling", "", 5, ["since_last_ping"], {"x": 1}])
def test_an_unknown_counter_is_a_400_and_writes_nothing(alice_api, counter):
    session_id = start(alice_api)
    body = {"session_id": session_id, "app_switches": 2, "app_switches_counter": counter}
    response = alice_api.post("/focus/ping", body, format="json")
    assert response.status_code == 400
    assert "app_switches_counter" in response.json()["errors"]
    assert not FocusEvent.objects.filter(event_type="ping").exists()


def test_a_stored_counter_the_policy_does_not_know_is_read_as_unsaid():
    sample = PingSample.from_content(datetime.now(timezone.utc), {"app_switches": 3, "app_switches_counter": "hourly"})
    assert sample.app_switches_counter is None and not sample.counts_since_last_ping

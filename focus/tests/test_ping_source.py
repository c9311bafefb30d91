"""A ping says where its reading came from: `page` (the live page's automatic ping), `client` (an API
client, the default, not stored) or `self_report` (by hand on the page); and the feed says so."""

from __future__ import annotations

import pytest

from focus.dashboard import feed_item
from focus.models import FocusEvent

pytestmark = pytest.mark.django_db


def start(client) -> str:
    response = client.post("/focus/start", {"estimated_duration": 30, "mode": "deep"}, format="json")
    assert response.status_code == 201
    return response.json()["session_id"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({}, None),
        ({"source": "client"}, None),
        ({"source": "page"}, "page"),
        ({"source": "self_report"}, "self_report"),
    ],
)
def test_the_source_is_kept_unless_it_is_the_clients_default(alice_api, sent, stored):
    session_id = start(alice_api)
    response = alice_api.post(
        "/focus/ping", {"session_id": session_id, "activity": "away", "app_switches": 2, **sent}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content"].get("source") == stored
    assert FocusEvent.objects.get(pk=response.json()["id"]).content.get("source") == stored


@pytest.mark.parametrize("source", ["browser", "", None, 1, ["page"]])
def test_an_unknown_source_is_a_400_and_writes_nothing(alice_api, source):
    session_id = start(alice_api)
    response = alice_api.post("/focus/ping", {"session_id": session_id, "source": source}, format="json")
    assert response.status_code == 400
    assert "source" in response.json()["errors"]
    assert not FocusEvent.objects.filter(event_type="ping").exists()


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ({"source": "page", "activity": "idle"}, "Sensed by this page"),
        ({"source": "self_report", "focus": 0.5}, "You logged"),
        ({"focus": 0.5}, "Logged by a client"),
    ],
)
def test_the_feed_says_where_a_reading_came_from(content, title):
    from django.utils import timezone

    item = feed_item(event_id=1, event_type="ping", ts=timezone.now(), content=content)
    assert item["title"] == title

"""/api/webhooks/: create (the secret shown once), list, update, delete; a person's own only."""

from __future__ import annotations

import pytest

from focus.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

HOOK = {"url": "https://hooks.example.com/focus", "event_types": ["session.started", "session.ended"]}


def test_it_creates_an_endpoint_and_shows_the_secret_once(alice_api):
    created = alice_api.post("/api/webhooks/", HOOK, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["url"] == HOOK["url"] and body["event_types"] == HOOK["event_types"] and body["active"] is True
    assert body["person_id"] == str(alice_api.person_id)
    shown = alice_api.get(f"/api/webhooks/{body['id']}/").json()
    listed = alice_api.get("/api/webhooks/").json()["results"]
    assert "secret" not in shown and all("secret" not in row for row in listed)
    assert [row["id"] for row in listed] == [body["id"]]
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == body["secret"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"url": "http://hooks.example.com/focus"}, "url"),
        ({"url": "https://127.0.0.1/hook"}, "url"),
        ({"url": "https://10.0.0.3/hook"}, "url"),
        ({"url": "https://169.254.169.254/hook"}, "url"),
        ({"url": "https://localhost:8000/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["tick"]}, "event_types"),
        ({"event_types": "session.started"}, "event_types"),
        ({"active": "yes"}, "active"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(alice_api, change, field):
    response = alice_api.post("/api/webhooks/", {**HOOK, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_a_local_url_is_accepted_only_where_private_urls_are_allowed(alice_api, settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    response = alice_api.post("/api/webhooks/", {**HOOK, "url": "http://127.0.0.1:9/hook"}, format="json")
    assert response.status_code == 201


def test_it_updates_and_deletes(alice_api):
    endpoint_id = alice_api.post("/api/webhooks/", HOOK, format="json").json()["id"]
    patched = alice_api.patch(
        f"/api/webhooks/{endpoint_id}/", {"active": False, "event_types": ["nudge.sent"]}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["active"], patched.json()["event_types"]) == (False, ["nudge.sent"])
    assert alice_api.delete(f"/api/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_another_person_neither_sees_nor_changes_them(alice_api, bob_api):
    endpoint_id = alice_api.post("/api/webhooks/", HOOK, format="json").json()["id"]
    assert bob_api.get("/api/webhooks/").json()["results"] == []
    assert bob_api.get(f"/api/webhooks/{endpoint_id}/").status_code == 404
    assert bob_api.patch(f"/api/webhooks/{endpoint_id}/", {"active": False}, format="json").status_code == 404
    assert bob_api.delete(f"/api/webhooks/{endpoint_id}/").status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint_id).active is True


def test_a_service_account_registers_one_for_its_person(staff_api, alice_api):
    response = staff_api.post("/api/webhooks/", {**HOOK, "person_id": str(alice_api.person_id)}, format="json")
    assert response.status_code == 201, response.content
    assert alice_api.get("/api/webhooks/").json()["results"][0]["id"] == response.json()["id"]

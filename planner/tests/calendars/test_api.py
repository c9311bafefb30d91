"""/api/me/calendars/: add by URL (no request made) or upload, list, show, remove; one's own only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from planner.calendars.models import BusyTime, CalendarFeed
from planner.tests.calendars.ics import one_meeting

pytestmark = pytest.mark.django_db

FEED = {"url": "https://calendar.example.com/private-abc123/basic.ics", "name": "Work"}


def upload(client, text: str, name: str = "Mine"):
    return client.post(
        "/api/me/calendars/",
        {"file": SimpleUploadedFile("cal.ics", text.encode(), content_type="text/calendar"), "name": name},
        format="multipart",
    )


def test_adding_by_url_makes_no_request_and_leaves_the_feed_due(alice_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = alice_api.post("/api/me/calendars/", FEED, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["state"], body["url"], body["name"]) == ("url", "pending", FEED["url"], "Work")
    feed = CalendarFeed.objects.get(pk=body["id"])
    assert feed.next_fetch_at <= timezone.now() and feed.last_fetch_at is None
    assert len(callbacks) == 1  # the first read, queued for a worker


@pytest.mark.parametrize(
    "url",
    [
        "http://calendar.example.com/feed.ics",
        "https://127.0.0.1/feed.ics",
        "https://10.0.0.8/feed.ics",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/feed.ics",
        "webcal://calendar.example.com/feed.ics",
    ],
)
def test_an_address_the_rules_refuse_is_a_400(alice_api, url):
    response = alice_api.post("/api/me/calendars/", {"url": url}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]
    assert not CalendarFeed.objects.exists()


def test_a_local_address_is_accepted_where_private_urls_are_allowed(alice_api, settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    response = alice_api.post("/api/me/calendars/", {"url": "http://127.0.0.1:9/feed.ics"}, format="json")
    assert response.status_code == 201


def test_an_upload_is_read_at_once(alice_api):
    soon = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    response = upload(alice_api, one_meeting(soon, soon + timedelta(minutes=45)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["state"], body["busy_count"], body["url"]) == ("upload", "ok", 1, "")
    (busy,) = BusyTime.objects.all()
    assert (busy.starts_at, busy.title, busy.person_id) == (soon, "Design review", alice_api.person_id)


@pytest.mark.parametrize("text", ["not a calendar", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"])
def test_an_unreadable_upload_is_a_400_and_writes_nothing(alice_api, text):
    response = upload(alice_api, text)
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not CalendarFeed.objects.exists() and not BusyTime.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(alice_api, settings):
    settings.FOCUS_CALENDAR_MAX_BYTES = 1000
    response = upload(alice_api, one_meeting(timezone.now(), timezone.now() + timedelta(hours=1)) + " " * 2000)
    assert response.status_code == 400 and "file" in response.json()["errors"]


@pytest.mark.parametrize("body", [{}, {"name": "x"}, {"url": FEED["url"], "extra": 1}])
def test_a_body_without_exactly_one_source_is_a_400(alice_api, body):
    assert alice_api.post("/api/me/calendars/", body, format="json").status_code == 400


def test_nobody_else_sees_a_feed_service_accounts_included(alice_api, bob_api, staff_api):
    soon = timezone.now() + timedelta(hours=1)
    feed_id = upload(alice_api, one_meeting(soon, soon + timedelta(hours=1), title="Secret merger")).json()["id"]
    for other in (bob_api, staff_api):
        assert other.get("/api/me/calendars/").json()["results"] == []
        assert other.get(f"/api/me/calendars/{feed_id}/").status_code == 404
        assert other.delete(f"/api/me/calendars/{feed_id}/").status_code == 404
    assert alice_api.get(f"/api/me/calendars/{feed_id}/").json()["busy_count"] == 1


def test_removing_a_feed_removes_its_busy_times(alice_api):
    soon = timezone.now() + timedelta(hours=1)
    feed_id = upload(alice_api, one_meeting(soon, soon + timedelta(hours=1))).json()["id"]
    assert alice_api.delete(f"/api/me/calendars/{feed_id}/").status_code == 204
    assert not CalendarFeed.objects.exists() and not BusyTime.objects.exists()

"""The preferences page's meetings card: what a meeting does to a session, and the person's own
calendars (never another person's)."""

from __future__ import annotations

import pytest

from focus.tests.dashboard.test_preferences_page import FORM, PAGE
from focusflow.people import account_person_id
from planner.calendars.models import CalendarFeed
from rhythm.models import PersonPreferences

pytestmark = pytest.mark.django_db


def test_the_page_saves_the_meeting_preferences(alice_web):
    page = alice_web.get(PAGE).content.decode()
    assert '<input type="radio" name="meetings" value="pause" checked>' in page
    response = alice_web.post(PAGE, {**FORM, "meetings": "hold", "meeting_titles": "on"})
    assert response.status_code == 302
    saved = PersonPreferences.objects.get(person_id=alice_web.person_id)
    assert (saved.meetings, saved.meeting_titles) == ("hold", True)
    assert '<input type="radio" name="meetings" value="hold" checked>' in alice_web.get(PAGE).content.decode()


def test_a_meetings_value_the_api_refuses_the_page_refuses_too(alice_web):
    response = alice_web.post(PAGE, {**FORM, "meetings": "ignore"})
    assert response.status_code == 400
    assert 'id="meetings-err"' in response.content.decode()


def test_the_page_lists_ones_own_calendars_only(alice_web, bob):
    CalendarFeed.objects.create(person_id=alice_web.person_id, source="url", url="https://cal.example.com/a/x.ics")
    CalendarFeed.objects.create(person_id=account_person_id(user=bob), source="url", name="Bob's secret calendar")
    page = alice_web.get(PAGE).content.decode()
    assert "cal.example.com (not read yet)" in page and "/a/x.ics" not in page
    assert "Bob" not in page


def test_a_calendar_is_added_by_address_or_upload_and_removed_on_the_page(alice_web, bob):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from planner.calendars.models import BusyTime
    from planner.tests.calendars.ics import one_meeting

    add = reverse("dashboard-calendar-add")
    assert alice_web.post(add, {"url": "https://cal.example.com/team.ics", "name": "Team"}).status_code == 302
    soon = timezone.now() + timedelta(hours=2)
    upload = SimpleUploadedFile("mine.ics", one_meeting(soon, soon + timedelta(hours=1)).encode())
    assert alice_web.post(add, {"file": upload, "name": "Mine"}).status_code == 302
    feeds = {f.name: f for f in CalendarFeed.objects.filter(person_id=alice_web.person_id)}
    assert set(feeds) == {"Team", "Mine"} and feeds["Mine"].busy_count == 1
    page = alice_web.get(reverse("dashboard-preferences")).content.decode()
    assert "Team — not read yet" in page and "Mine — read, 1 meeting ahead" in page

    refused = alice_web.post(add, {"url": "https://10.0.0.1/x.ics"}, follow=True).content.decode()
    assert "private address" in refused and CalendarFeed.objects.count() == 2

    theirs = CalendarFeed.objects.create(person_id=account_person_id(user=bob), source="url", url="https://x.example/b")
    assert alice_web.post(reverse("dashboard-calendar-remove", args=[theirs.id])).status_code == 404
    assert alice_web.post(reverse("dashboard-calendar-remove", args=[feeds["Mine"].id])).status_code == 302
    assert not BusyTime.objects.exists() and CalendarFeed.objects.count() == 2

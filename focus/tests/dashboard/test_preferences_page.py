"""The preferences page, and the preferences on the other pages: the start form's defaults, times in
the person's time zone, the notification and sound values on the live page."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.urls import reverse

from focus.services import session_start
from rhythm.models import PersonPreferences
from rhythm.services import preferences_update

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboard-preferences")
FORM = {
    "held_kinds": ["check_in", "wrap_up"],
    "notifications": "on",
    "default_estimate": "50",
    "default_mode": "creative",
    "time_zone": "Asia/Tokyo",
    "has_working_hours": "on",
    "work_start": "08:30",
    "work_end": "16:00",
    "work_days": ["mon", "wed"],
}


def test_the_page_is_in_the_nav_and_says_why_recovery_breaks_stay(alice_web):
    home = alice_web.get(reverse("dashboard")).content.decode()
    assert f'href="{PAGE}"' in home
    page = alice_web.get(PAGE).content.decode()
    assert "recovery break can&#x27;t be turned off" in page and "stress or fatigue" in page
    assert re.search(r'<input type="checkbox" disabled aria-describedby="never-held-why">', page)
    assert 'value="recovery_break"' not in page  # no box that could send it


def test_saving_the_form_keeps_every_preference(alice_web):
    response = alice_web.post(PAGE, FORM)
    assert response.status_code == 302 and response["Location"] == PAGE
    saved = PersonPreferences.objects.get(person_id=alice_web.person_id)
    assert saved.held_kinds == ["check_in", "wrap_up"]
    assert (saved.notifications, saved.sound) == (True, False)
    assert (saved.default_estimate, saved.default_mode, saved.time_zone) == (50, "creative", "Asia/Tokyo")
    assert (saved.work_start.isoformat(), saved.work_end.isoformat(), saved.work_days) == (
        "08:30:00",
        "16:00:00",
        ["mon", "wed"],
    )
    page = alice_web.get(PAGE).content.decode()
    assert 'value="check_in" checked' in page and '<option value="Asia/Tokyo" selected>' in page


def test_unticking_working_hours_clears_them(alice_web):
    alice_web.post(PAGE, FORM)
    alice_web.post(PAGE, {**FORM, "has_working_hours": ""})
    assert PersonPreferences.objects.get(person_id=alice_web.person_id).work_start is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Not a time zone this server knows"),
        ({"default_estimate": "0"}, "greater than or equal to 1"),
        ({"default_estimate": "lots"}, "valid integer"),
        ({"work_start": "25:00"}, "A time as"),
        ({"work_days": []}, "working_hours"),
        ({"held_kinds": ["recovery_break"]}, "recovery break can&#x27;t be turned off"),
    ],
)
def test_a_bad_value_is_a_400_page_that_says_what_and_saves_nothing(alice_web, change, message):
    response = alice_web.post(PAGE, {**FORM, **change})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert message in page or 'aria-describedby="hours-err"' in page
    assert not PersonPreferences.objects.filter(person_id=alice_web.person_id, default_estimate=50).exists()


def test_the_start_form_offers_the_default_estimate_and_mode(alice_web):
    preferences_update(person_id=alice_web.person_id, default_estimate=50, default_mode="creative")
    page = alice_web.get(reverse("dashboard")).content.decode()
    assert re.search(r'name="estimated_duration"[^>]*value="50"', page)
    assert re.search(r'value="creative" id="[^"]+" checked', page)


def test_the_dashboard_shows_times_in_the_persons_time_zone_over_the_browsers(alice_web):
    started = datetime(2026, 3, 2, 9, 5, tzinfo=dt_timezone.utc)
    session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=600, mode="deep", now=started)
    alice_web.cookies["ff_tz"] = "Europe/Berlin"
    assert "started 10:05" in alice_web.get(reverse("dashboard")).content.decode()  # the browser's zone
    preferences_update(person_id=alice_web.person_id, time_zone="Asia/Tokyo")
    assert "started 18:05" in alice_web.get(reverse("dashboard")).content.decode()  # theirs wins


def test_the_live_page_carries_the_notification_and_sound_values(alice_web):
    session = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=30, mode="deep")
    live = reverse("dashboard-live", args=[session.id])
    page = alice_web.get(live).content.decode()
    assert 'data-notifications="false" data-sound="false"' in page
    preferences_update(person_id=alice_web.person_id, notifications=True, sound=True)
    assert 'data-notifications="true" data-sound="true"' in alice_web.get(live).content.decode()

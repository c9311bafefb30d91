"""The live page's controls without JavaScript (plain form posts) and with it (JSON), the home page's
"what was learned" with its reset, and the admin's pause/resume actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from focus.models import EventType, FocusEvent, FocusSession
from focus.services import session_start
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from rhythm.models import PersonalModel

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def session(alice_web):
    return session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=45, mode="deep")


def nudge(session, kind="micro_break", event_type="break"):
    return FocusEventFactory(
        session=session,
        event_type=event_type,
        content={"kind": kind, "message": "Stand up and stretch.", "tone": "micro", "break_minutes": 3},
    )


def test_the_live_page_has_a_pause_button_and_answer_buttons_on_each_nudge(alice_web, session):
    event = nudge(session)
    page = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    assert 'id="pause-form"' in page and 'id="resume-form" hidden' in page
    assert f'data-answer-for="{event.id}"' in page
    assert 'value="snooze-10"' in page and 'value="dismiss"' in page and "Taking it" in page
    assert "js/controls" in page


def test_pausing_and_resuming_from_the_page(alice_web, session):
    response = alice_web.post(reverse("dashboard-pause", args=[session.id]))
    assert response.status_code == 302
    assert FocusSession.objects.get(pk=session.id).paused_at is not None
    page = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    assert 'data-paused="true"' in page and "no time counted until you resume" in page
    again = alice_web.post(reverse("dashboard-pause", args=[session.id]), **JSON)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    resumed = alice_web.post(reverse("dashboard-resume", args=[session.id]), **JSON)
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None


def test_another_persons_session_cannot_be_paused_or_its_nudges_answered(alice_web, bob_web, session):
    event = nudge(session)
    assert bob_web.post(reverse("dashboard-pause", args=[session.id])).status_code == 404
    response = bob_web.post(reverse("dashboard-respond"), {"event_id": event.id, "response": "dismiss"})
    assert response.status_code == 404
    assert FocusSession.objects.get(pk=session.id).paused_at is None
    assert not FocusEvent.objects.filter(event_type=EventType.NUDGE_RESPONSE).exists()


def test_answering_from_the_feed_shows_the_answer_instead_of_the_buttons(alice_web, session):
    event = nudge(session)
    response = alice_web.post(reverse("dashboard-respond"), {"event_id": event.id, "response": "snooze-10"}, **JSON)
    assert response.status_code == 201
    assert response.json()["title"] == "Snoozed the short break for 10 minutes"
    page = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    assert "Snoozed the short break for 10 minutes" in page
    assert f'name="event_id" value="{event.id}"' not in page  # answered: no buttons
    twice = alice_web.post(reverse("dashboard-respond"), {"event_id": event.id, "response": "done"}, **JSON)
    assert twice.status_code == 409
    bad = alice_web.post(reverse("dashboard-respond"), {"event_id": event.id, "response": "snooze-7"}, **JSON)
    assert bad.status_code == 400


def test_the_home_page_shows_what_was_learned_and_the_person_can_reset_it(alice_web):
    PersonalModel.objects.create(person_id=alice_web.person_id, nudge_answers={"check_in": ["dismissed"] * 7})
    page = alice_web.get(reverse("dashboard")).content.decode()
    assert "Check-ins come less often: you dismissed 7 of the last 7." in page
    assert alice_web.post(reverse("dashboard-learned-reset")).status_code == 302
    assert PersonalModel.objects.get(person_id=alice_web.person_id).nudge_answers == {}
    assert "come less often" not in alice_web.get(reverse("dashboard")).content.decode()


def test_the_admin_pauses_and_resumes_through_the_service(django_user_model, client):
    user = django_user_model.objects.create_superuser("operator", password="op-pass-123")
    client.force_login(user)
    session = FocusSessionFactory()
    client.post("/admin/focus/focussession/", {"action": "pause_sessions", "_selected_action": [str(session.id)]})
    session.refresh_from_db()
    assert session.paused_at is not None and session.next_tick_at is None
    assert session.events.filter(event_type="pause").count() == 1
    assert "paused" in client.get("/admin/focus/focussession/").content.decode()
    client.post("/admin/focus/focussession/", {"action": "resume_sessions", "_selected_action": [str(session.id)]})
    session.refresh_from_db()
    assert session.paused_at is None and session.events.filter(event_type="resume").count() == 1


def test_the_summary_page_shows_what_was_learned(alice_web, session):
    from focus.services import session_end

    PersonalModel.objects.create(person_id=alice_web.person_id, nudge_answers={"micro_break": ["dismissed"] * 4})
    session_end(session_id=session.id, person_id=None)
    page = alice_web.get(reverse("dashboard-summary", args=[session.id])).content.decode()
    assert "Short break suggestions come less often: you dismissed 4 of the last 4." in page
    assert "learned-reset" not in page  # the reset lives on the home page

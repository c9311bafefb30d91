"""The admin: staff only; sessions listed, filtered, searched; events inline; the end action."""

import pytest

from focus.models import FocusSession
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from rhythm.models import MemoryShortTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(django_user_model, client):
    user = django_user_model.objects.create_superuser("operator", password="op-pass-123")
    client.force_login(user)
    return client


def test_the_admin_is_staff_only(client, alice):
    client.force_login(alice)
    response = client.get("/admin/focus/focussession/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sessions_are_listed_filtered_and_searched(operator):
    active = FocusSessionFactory()
    ended = FocusSessionFactory(ended_at=active.started_at)
    page = operator.get("/admin/focus/focussession/").content.decode()
    assert str(active.person_id) in page and str(ended.person_id) in page
    page = operator.get("/admin/focus/focussession/?state=active").content.decode()
    assert str(active.person_id) in page and str(ended.person_id) not in page
    page = operator.get(f"/admin/focus/focussession/?q={str(ended.person_id)[:8]}").content.decode()
    assert str(ended.person_id) in page and str(active.person_id) not in page
    page = operator.get("/admin/focus/focussession/?mode__exact=deep&early_end__exact=0").content.decode()
    assert str(active.person_id) in page


def test_a_session_page_shows_its_events_with_snapshots(operator):
    event = FocusEventFactory(rhythm_snapshot={"energy": 0.42, "stress": 0.1, "fatigue": 0.2},
                              content={"reason": "in_flow", "detail": "Protected flow."})
    page = operator.get(f"/admin/focus/focussession/{event.session_id}/change/").content.decode()
    assert "0.42" in page and "Protected flow." in page


def test_end_selected_sessions_goes_through_the_service(operator):
    session = FocusSessionFactory()
    response = operator.post("/admin/focus/focussession/", {
        "action": "end_sessions", "_selected_action": [str(session.id)]})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None
    assert session.events.filter(event_type="session_end").count() == 1
    assert MemoryShortTerm.objects.filter(session_id=session.id).count() == 1
    assert FocusSession.objects.filter(ended_at__isnull=True).count() == 0


@pytest.mark.parametrize("url", ["/admin/planner/task/", "/admin/rhythm/rhythmstate/",
                                 "/admin/rhythm/personalmodel/", "/admin/rhythm/memoryshortterm/",
                                 "/admin/django_celery_beat/periodictask/"])
def test_the_other_models_are_registered(operator, url):
    assert operator.get(url).status_code == 200

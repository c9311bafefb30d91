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
    event = FocusEventFactory(
        rhythm_snapshot={"energy": 0.42, "stress": 0.1, "fatigue": 0.2},
        content={"reason": "in_flow", "detail": "Protected flow."},
    )
    page = operator.get(f"/admin/focus/focussession/{event.session_id}/change/").content.decode()
    assert "0.42" in page and "Protected flow." in page


def test_end_selected_sessions_goes_through_the_service(operator):
    session = FocusSessionFactory()
    response = operator.post(
        "/admin/focus/focussession/", {"action": "end_sessions", "_selected_action": [str(session.id)]}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None
    assert session.events.filter(event_type="session_end").count() == 1
    assert MemoryShortTerm.objects.filter(session_id=session.id).count() == 1
    assert FocusSession.objects.filter(ended_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/planner/task/",
        "/admin/rhythm/rhythmstate/",
        "/admin/rhythm/personalmodel/",
        "/admin/rhythm/memoryshortterm/",
        "/admin/django_celery_beat/periodictask/",
    ],
)
def test_the_other_models_are_registered(operator, url):
    assert operator.get(url).status_code == 200


# --------------------------------------------------------------------------- who sees personal data

PERSONAL = [
    "/admin/focus/focussession/",
    "/admin/focus/focusevent/",
    "/admin/rhythm/rhythmstate/",
    "/admin/rhythm/rhythmsample/",
    "/admin/rhythm/personalmodel/",
    "/admin/rhythm/memoryshortterm/",
    "/admin/planner/task/",
]


@pytest.mark.parametrize("url", PERSONAL)
def test_plain_staff_see_no_personal_data_in_the_admin(client, dave, url):
    FocusEventFactory()
    client.force_login(dave)
    assert client.get(url).status_code == 403
    index = client.get("/admin/").content.decode()
    assert url not in index


def test_staff_given_the_view_permission_see_sessions_but_cannot_end_them(client, dave):
    from django.contrib.auth.models import Permission

    session = FocusSessionFactory()
    dave.user_permissions.add(Permission.objects.get(codename="view_focussession"))
    client.force_login(dave)
    page = client.get("/admin/focus/focussession/")
    assert page.status_code == 200 and str(session.person_id) in page.content.decode()
    assert "end_sessions" not in page.content.decode()  # ending needs the change permission
    client.post("/admin/focus/focussession/", {"action": "end_sessions", "_selected_action": [str(session.id)]})
    session.refresh_from_db()
    assert session.ended_at is None


def test_the_access_audit_is_for_superusers_only_and_read_only(operator, client, staff_api, bob_api):
    from focusflow.models import PersonAccess

    assert staff_api.get(f"/rhythm/state/?person_id={bob_api.person_id}").status_code == 200
    entry = PersonAccess.objects.get()
    page = operator.get("/admin/focusflow/personaccess/")
    assert page.status_code == 200 and str(bob_api.person_id) in page.content.decode()
    assert operator.get("/admin/focusflow/personaccess/add/").status_code == 403
    operator.post(f"/admin/focusflow/personaccess/{entry.pk}/delete/", {"post": "yes"})
    assert PersonAccess.objects.filter(pk=entry.pk).exists()
    # The service account itself (staff, not superuser) cannot read the audit.
    staff_client = type(client)()
    staff_client.force_login(staff_api.user)
    assert staff_client.get("/admin/focusflow/personaccess/").status_code == 403


def test_the_access_audit_refuses_updates_and_deletes_in_the_database(staff_api, bob_api):
    from django.db import DatabaseError, transaction

    from focusflow.models import PersonAccess

    staff_api.get(f"/rhythm/state/?person_id={bob_api.person_id}")
    for change in (lambda rows: rows.update(status=200), lambda rows: rows.delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change(PersonAccess.objects.all())
    assert PersonAccess.objects.count() == 1

"""GET/PATCH /api/me/preferences, and each preference honoured: held kinds and working hours by the
tick, the default estimate and mode by a start without them."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine

from focus import engine
from focus.models import FocusEvent
from focus.services import session_start
from focusflow.models import PersonAccess
from rhythm.models import PersonPreferences

pytestmark = pytest.mark.django_db

URL = "/api/me/preferences"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
MONDAY_9_UTC = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)  # 10:00 in Berlin


def patch(client, **body):
    return client.patch(URL, body, format="json")


def test_a_first_read_gives_the_defaults_and_keeps_them(alice_api):
    body = alice_api.get(URL).json()
    assert body == {
        "person_id": str(alice_api.person_id),
        "held_kinds": [],
        "notifications": False,
        "sound": False,
        "default_estimate": 25,
        "default_mode": "deep",
        "time_zone": "",
        "working_hours": None,
        "meetings": "pause",
        "meeting_titles": False,
        "updated_at": body["updated_at"],
    }
    assert PersonPreferences.objects.filter(person_id=alice_api.person_id).count() == 1


def test_a_patch_changes_only_what_it_names(alice_api):
    response = patch(alice_api, held_kinds=["wrap_up", "check_in", "check_in"], sound=True)
    assert response.status_code == 200, response.content
    assert response.json()["held_kinds"] == ["check_in", "wrap_up"]  # in the vocabulary's order, once each
    response = patch(alice_api, default_estimate=50, default_mode="creative", notifications=True)
    body = response.json()
    assert (body["held_kinds"], body["sound"], body["notifications"]) == (["check_in", "wrap_up"], True, True)
    assert (body["default_estimate"], body["default_mode"]) == (50, "creative")
    assert alice_api.get(URL).json() == body


def test_a_recovery_break_cannot_be_held_and_the_answer_says_why(alice_api):
    response = patch(alice_api, held_kinds=["check_in", "recovery_break"])
    assert response.status_code == 400
    message = response.json()["errors"]["held_kinds"][0]
    assert "recovery break can't be turned off" in message and "stress or fatigue" in message
    assert alice_api.get(URL).json()["held_kinds"] == []  # nothing written


@pytest.mark.parametrize(
    "body, field",
    [
        ({"held_kinds": ["hydrate"]}, "held_kinds"),
        ({"held_kinds": "check_in"}, "held_kinds"),
        ({"notifications": "yes"}, "notifications"),
        ({"sound": 1}, "sound"),
        ({"default_estimate": 0}, "default_estimate"),
        ({"default_estimate": 601}, "default_estimate"),
        ({"default_estimate": True}, "default_estimate"),
        ({"default_mode": "sleepy"}, "default_mode"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": "Europe/Berlin\u0000"}, None),  # refused by the parser, before any field
        ({"time_zone": "UTC", "working_hours": {"start": "25:00", "end": "17:00", "days": ["mon"]}}, "working_hours"),
        ({"time_zone": "UTC", "working_hours": {"start": "09:00", "end": "17:00", "days": []}}, "working_hours"),
        (
            {"time_zone": "UTC", "working_hours": {"start": "09:00", "end": "17:00", "days": ["funday"]}},
            "working_hours",
        ),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field_and_write_nothing(alice_api, body, field):
    before = alice_api.get(URL).json()
    response = alice_api.patch(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field is None or field in response.json()["errors"]
    assert alice_api.get(URL).json() == before


def test_working_hours_are_kept_with_the_time_zone_and_can_be_cleared(alice_api):
    hours = {"start": "09:00", "end": "17:30", "days": ["fri", "mon"]}
    body = patch(alice_api, time_zone="Europe/Berlin", working_hours=hours).json()
    assert body["time_zone"] == "Europe/Berlin"
    assert body["working_hours"] == {"start": "09:00", "end": "17:30", "days": ["mon", "fri"]}
    assert patch(alice_api, working_hours=None).json()["working_hours"] is None
    assert patch(alice_api, time_zone="").json()["time_zone"] == ""


def test_working_hours_without_a_time_zone_are_read_in_utc(alice_api):
    patch(alice_api, working_hours={"start": "13:00", "end": "17:00", "days": WEEKDAYS})
    events = run_session(alice_api.person_id, ticks=9)  # 09:00-09:40 UTC
    assert kinds_sent(events) == []
    assert any(e.content.get("reason") == "outside_working_hours" for e in events)


def test_a_person_cannot_read_or_change_anothers_preferences(alice_api, bob_api):
    assert bob_api.get(f"{URL}?person_id={alice_api.person_id}").status_code == 403
    response = patch(bob_api, person_id=str(alice_api.person_id), sound=True)
    assert response.status_code == 403
    assert alice_api.get(URL).json()["sound"] is False


def test_a_service_account_changes_a_persons_preferences_and_is_recorded(alice_api, staff_api):
    response = patch(staff_api, person_id=str(alice_api.person_id), held_kinds=["check_in"])
    assert response.status_code == 200 and response.json()["person_id"] == str(alice_api.person_id)
    assert alice_api.get(URL).json()["held_kinds"] == ["check_in"]
    assert list(PersonAccess.objects.values_list("actor_username", "person_id", "method")) == [
        ("charlie", alice_api.person_id, "PATCH")
    ]


def test_the_schema_documents_the_preferences(anon_api):
    schema = anon_api.get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/me/preferences/"]
    assert {"get", "patch"} <= set(operations)
    fields = schema["components"]["schemas"]["Preferences"]["properties"]
    assert {"held_kinds", "notifications", "sound", "default_estimate", "default_mode", "time_zone"} <= set(fields)
    assert "working_hours" in fields


# --------------------------------------------------------------------------- honoured by start


def test_a_start_without_estimate_or_mode_uses_the_persons_defaults(alice_api):
    patch(alice_api, default_estimate=50, default_mode="creative")
    response = alice_api.post("/focus/start", {}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["estimated_duration"], response.json()["mode"]) == (50, "creative")


def test_a_start_that_names_them_keeps_its_own(alice_api):
    patch(alice_api, default_estimate=50, default_mode="creative")
    response = alice_api.post("/focus/start", {"estimated_duration": 15, "mode": "admin"}, format="json")
    assert (response.json()["estimated_duration"], response.json()["mode"]) == (15, "admin")


def test_a_start_without_preferences_uses_the_product_defaults(alice_api):
    response = alice_api.post("/focus/start", {}, format="json")
    assert (response.json()["estimated_duration"], response.json()["mode"]) == (25, "deep")
    assert not PersonPreferences.objects.exists()  # a start reads the defaults, it writes no preferences


# --------------------------------------------------------------------------- honoured by the tick


def run_session(person_id, *, ticks: int, start=MONDAY_9_UTC) -> list[FocusEvent]:
    """Tick a session with no pings every 5 minutes; its tick and nudge events, in order."""
    session = session_start(person_id=person_id, task_id=None, estimated_duration=600, mode="deep", now=start)
    for n in range(ticks):
        engine.run_tick(session_id=session.id, now=start + timedelta(seconds=300 * n))
    return list(
        FocusEvent.objects.filter(session=session, event_type__in=("tick", "nudge", "break")).order_by("ts", "id")
    )


def kinds_sent(events) -> list[str]:
    return [e.content["kind"] for e in events if e.event_type != "tick"]


def test_a_held_kind_is_not_sent_and_the_tick_says_so(alice_api, bob_api):
    patch(alice_api, held_kinds=["check_in"])
    assert "check_in" in kinds_sent(run_session(bob_api.person_id, ticks=9))  # the same run, no preferences
    events = run_session(alice_api.person_id, ticks=9)
    assert "check_in" not in kinds_sent(events)
    held = [e.content for e in events if e.content.get("reason") == "held_by_you"]
    assert held and held[0]["detail"] == "Held back a check-in because you turned them off in your preferences."


def test_outside_working_hours_nothing_but_a_recovery_break_is_sent(alice_api):
    hours = {"start": "13:00", "end": "17:00", "days": WEEKDAYS}  # Berlin; the run is 10:00-10:40 there
    patch(alice_api, time_zone="Europe/Berlin", working_hours=hours)
    events = run_session(alice_api.person_id, ticks=9)
    assert kinds_sent(events) == []
    assert any(e.content.get("reason") == "outside_working_hours" for e in events)


def test_inside_working_hours_the_nudges_go_out(alice_api):
    hours = {"start": "09:00", "end": "17:00", "days": WEEKDAYS}
    patch(alice_api, time_zone="Europe/Berlin", working_hours=hours)
    assert "check_in" in kinds_sent(run_session(alice_api.person_id, ticks=9))


def test_a_recovery_break_goes_out_outside_working_hours_and_with_everything_held(alice_api):
    hours = {"start": "13:00", "end": "17:00", "days": WEEKDAYS}
    patch(alice_api, time_zone="Europe/Berlin", working_hours=hours, held_kinds=["check_in", "micro_break"])
    session = session_start(
        person_id=alice_api.person_id, task_id=None, estimated_duration=600, mode="deep", now=MONDAY_9_UTC
    )
    engine.run_tick(session_id=session.id, now=MONDAY_9_UTC)
    with time_machine.travel(MONDAY_9_UTC + timedelta(minutes=3), tick=False):
        alice_api.post("/focus/ping", {"session_id": str(session.id), "stress": 0.95, "fatigue": 0.9}, format="json")
    engine.run_tick(session_id=session.id, now=MONDAY_9_UTC + timedelta(minutes=5))
    last = FocusEvent.objects.filter(session=session).order_by("-ts", "-id").first()
    assert (last.event_type, last.content.get("kind")) == ("break", "recovery_break")

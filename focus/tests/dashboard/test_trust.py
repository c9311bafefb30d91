"""Numbers and charts a person can trust (issue 15): only what was measured is drawn, and one
session's minutes are the same number on every surface (dashboard, API, CSV export, admin)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from focus import engine
from focus.clock import duration_text
from focus.dashboard.pages import day_labels
from focus.services import session_end, session_ping, session_start
from rhythm.services import rhythm_update

pytestmark = pytest.mark.django_db

TICK = 2
MIDDAY = datetime(2031, 3, 12, 12, 0, tzinfo=dt_timezone.utc)


@pytest.fixture(autouse=True)
def _midday():
    with time_machine.travel(MIDDAY, tick=False):
        yield


def _compressed_session(person_id, settings, *, ticks: int, pings: list[dict] | None = None, estimate: int = 45):
    """A time-compressed session (a tick every 2 s stands for 5 minutes) of ``ticks`` ticks, ended."""
    settings.FOCUS_TICK_SECONDS = TICK
    settings.FOCUS_NUDGE_MIN_GAP_SECONDS = TICK
    t0 = MIDDAY - timedelta(seconds=TICK * (ticks + 1))
    session = session_start(person_id=person_id, task_id=None, estimated_duration=estimate, mode="deep", now=t0)
    for n in range(ticks):
        now = t0 + timedelta(seconds=TICK * n)
        if pings and n < len(pings) and pings[n]:
            session_ping(session_id=session.id, person_id=None, values=pings[n], now=now - timedelta(seconds=0.5))
        engine.run_tick(session_id=session.id, now=now)
    return session_end(
        session_id=session.id,
        person_id=None,
        completion_score=0.6,
        session_quality={"rating": 3},
        now=t0 + timedelta(seconds=TICK * ticks + 0.1),
    )


def test_a_summary_with_no_readings_shows_no_curve_and_says_so(alice_web, settings):
    # A carried-over rhythm (energy 60%, stress 70% from an earlier day), then a session with no reading.
    rhythm_update(person_id=alice_web.person_id, energy=0.6, stress=0.7)
    session = _compressed_session(alice_web.person_id, settings, ticks=7, pings=[{"focus": 0.8}])
    assert session.summary["energy_curve"]["points"] == []
    page = alice_web.get(reverse("dashboard-summary", args=[session.id]))
    html = page.content.decode()
    assert 'class="energy-line"' not in html and 'class="energy-point"' not in html
    assert "No energy readings in this session" in html
    assert "Show the readings" not in html  # no table of values nobody entered
    assert "energy held steady" not in html and "60%</td>" not in html


def test_a_summary_draws_only_this_sessions_readings(alice_web, settings):
    rhythm_update(person_id=alice_web.person_id, energy=0.6)
    pings = [{"energy": 0.8}, None, None, {"energy": 0.4}]
    session = _compressed_session(alice_web.person_id, settings, ticks=8, pings=pings)
    points = session.summary["energy_curve"]["points"]
    assert [p["energy"] for p in points] == [0.8, 0.4]
    html = alice_web.get(reverse("dashboard-summary", args=[session.id])).content.decode()
    assert 'class="energy-line"' in html and "<td>80%</td>" in html and "<td>40%</td>" in html
    assert "the last reading was at " in html  # the line stops before the end, and says where


def test_a_stored_summary_with_rhythm_points_is_not_drawn_as_a_curve(alice_web, settings):
    session = _compressed_session(alice_web.person_id, settings, ticks=3)
    session.summary["energy_curve"]["points"] = [
        {"minute": m, "energy": 0.6, "source": "rhythm"} for m in (0.0, 5.0, 10.0)
    ]
    session.summary["sentences"] = ["15 of 45 minutes; energy held steady."]
    session.save()
    html = alice_web.get(reverse("dashboard-summary", args=[session.id])).content.decode()
    assert 'class="energy-line"' not in html and "energy held steady" not in html
    assert "15 of 45 minutes." in html


def test_one_sessions_minutes_are_the_same_in_the_dashboard_the_api_the_csv_and_the_admin(
    alice_web, settings, django_user_model
):
    # 7 ticks of 2 s at FOCUS_TICK_SECONDS=2: 35 session minutes (14 s of wall time).
    session = _compressed_session(alice_web.person_id, settings, ticks=7)
    minutes = session.summary["duration"]["actual_minutes"]
    assert minutes == pytest.approx(35.0, abs=0.5)

    api = alice_web.get(f"/focus/sessions/{session.id}/").json()
    assert api["actual_minutes"] == minutes
    assert api["actual_duration"] == pytest.approx(minutes, abs=0.05)  # session minutes, not 0.23 wall minutes
    assert api["summary"]["duration"]["actual_minutes"] == minutes

    rows = list(csv.DictReader(io.StringIO(alice_web.get(reverse("dashboard-history-csv")).content.decode())))
    assert float(rows[0]["actual_minutes"]) == minutes
    assert rows[0]["completion_percent"] == "60"  # the page's 60%, not 0.6

    shown = duration_text(minutes, "short")
    assert shown in alice_web.get(reverse("dashboard")).content.decode()
    assert shown in alice_web.get(reverse("dashboard-summary", args=[session.id])).content.decode()

    operator = Client()
    operator.force_login(django_user_model.objects.create_superuser("operator", password="op-pass-123"))
    listing = operator.get("/admin/focus/focussession/").content.decode()
    assert f"{shown} of 45 min" in listing
    assert "alice" in listing  # the person by account name, not a bare UUID


def test_the_live_sliders_start_unset_not_at_an_earlier_sessions_rhythm(alice_web, settings):
    # Yesterday's stress of 70% is in the rhythm state; today's session has no reading yet.
    rhythm_update(person_id=alice_web.person_id, energy=0.4, stress=0.7)
    session = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=45, mode="deep")
    html = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    for key in ("energy", "stress", "focus"):
        assert (
            f'id="id_{key}" min="0" max="100" step="5" value="50" aria-describedby="out-{key}" data-unset="true"'
            in html
        )
        assert f'<output aria-live="off" id="out-{key}" for="id_{key}">not set</output>' in html
    assert 'for="id_stress">70%' not in html
    # Once the person says something in this session, that is where the slider starts.
    session_ping(session_id=session.id, person_id=None, values={"stress": 0.25})
    html = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    assert 'id="id_stress" min="0" max="100" step="5" value="25" aria-describedby="out-stress">' in html
    assert (
        'id="id_energy" min="0" max="100" step="5" value="50" aria-describedby="out-energy" data-unset="true"' in html
    )


def test_the_live_page_shows_own_check_ins_and_keeps_end_behind_one_button(alice_web):
    session = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=45, mode="deep")
    ping = session_ping(session_id=session.id, person_id=None, values={"energy": 0.55, "note": "warming up"})
    page = alice_web.get(reverse("dashboard-live", args=[session.id]))
    html = page.content.decode()
    assert f'data-event-id="{ping.id}"' in html and "energy 55%" in html and "hide-pings" not in html
    # End: one button by the timer, the form below it (shown by the script only when asked for);
    # no "Ending early" warning until then; the ended banner at the top, before the grid.
    assert html.index('id="timer-elapsed"') < html.index('id="end-open"') < html.index('id="end-form"')
    assert html.index('id="end-form"') < html.index('id="feed"')
    assert 'id="early-note" hidden' in html
    assert html.index('id="ended-banner"') < html.index('class="live-grid"')
    # The countdown to the next check starts from the session's due time.
    config = page.context["config"]
    assert config["nextCheckAt"] == session.next_tick_at.isoformat() and config["tickSeconds"] > 0
    assert 'id="next-check"' in html


def test_history_names_the_day_once_and_its_axis_has_the_month(alice_web):
    days = [date(2031, 2, 20) + timedelta(days=i) for i in range(20)]  # 20 Feb .. 11 Mar
    labels = day_labels(days)
    assert [label for label in labels if label] == ["24 Feb", "1 Mar", "6", "11"]  # counted back from today
    start = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=30, mode="deep")
    session_end(session_id=start.id, person_id=None, now=MIDDAY + timedelta(minutes=20))
    html = alice_web.get(reverse("dashboard-history")).content.decode()
    day_card = html.split('class="card day"')[1]
    assert "Wednesday 12 March" in day_card and "Wed 12 Mar" not in day_card


def test_the_habit_strength_says_what_it_means(alice_web):
    html = alice_web.get(reverse("dashboard")).content.decode()
    assert 'data-testid="habit-note"' in html and "two months of daily sessions" in html


@pytest.mark.parametrize("path", ["/no-such-page/", "/sessions/00000000-0000-0000-0000-000000000000/summary/"])
def test_a_demo_user_never_sees_djangos_debug_404_page(alice_web, settings, path):
    settings.DEBUG = True  # as `make run` and `make demo-fast` run
    response = alice_web.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Nothing here" in html and "Back to your focus" in html
    assert "DEBUG = True" not in html and "URLconf" not in html
    api = alice_web.get("/focus/sessions/00000000-0000-0000-0000-000000000000/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert alice_web.get("/focus/no-such-endpoint/").json()["code"] == "not_found"

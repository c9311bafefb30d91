"""The browser dashboard's pages and forms (server side): each page shows the signed-in person's
own data, every write goes through focus.services, CSRF stays on, and another person's session is
a 404 on every page. The real-browser run is focus/tests/test_browser.py."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from focus import dashboard, engine
from focus.models import FocusEvent, FocusSession
from focus.services import session_end, session_ping, session_start
from focusflow.people import account_person_id
from planner.models import Task
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

TICK = 2
CALM = {"activity": "active", "app_switches": 2, "focus": 0.85, "energy": 0.7, "stress": 0.3}
SCATTERED = {"activity": "active", "app_switches": 22, "focus": 0.2, "energy": 0.5, "stress": 0.35}
STRAINED = {"activity": "active", "app_switches": 3, "focus": 0.6, "energy": 0.4, "stress": 0.9, "fatigue": 0.7}
# "Today", "2 days ago" and the 30-day window are counted from the clock: pin it to midday UTC so
# a session minutes before "now" never falls on yesterday (the tests once failed just after midnight).
MIDDAY = datetime(2031, 3, 12, 12, 0, tzinfo=dt_timezone.utc)


@pytest.fixture(autouse=True)
def _midday():
    with time_machine.travel(MIDDAY, tick=True):
        yield


def start(client: Client, **fields):
    data = {"task": "", "new_task_title": "", "estimated_duration": "45", "mode": "deep", **fields}
    return client.post(reverse("dashboard-start"), data)


def active_session(person_id) -> FocusSession:
    return FocusSession.objects.get(person_id=person_id, ended_at__isnull=True)


@pytest.fixture
def ended_session(alice_web, settings) -> FocusSession:
    """A real time-compressed session of alice's: flow, a distraction, a stress rise, nudges, ended."""
    settings.FOCUS_TICK_SECONDS = TICK
    settings.FOCUS_NUDGE_MIN_GAP_SECONDS = TICK
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    task = TaskFactory(person_id=alice_web.person_id, title="Write the report")
    session = session_start(person_id=alice_web.person_id, task_id=task.id, estimated_duration=60, mode="deep", now=t0)
    script = [None, CALM, CALM, CALM, CALM, CALM, SCATTERED, SCATTERED, STRAINED, STRAINED, CALM]
    for n, ping in enumerate(script):
        now = t0 + timedelta(seconds=TICK * n)
        if ping:
            session_ping(session_id=session.id, person_id=None, values=ping, now=now - timedelta(seconds=1))
        engine.run_tick(session_id=session.id, now=now)
    return session_end(
        session_id=session.id,
        person_id=None,
        completion_score=0.8,
        session_quality={"rating": 4, "note": "good run"},
        early_end=False,
        now=t0 + timedelta(seconds=TICK * 12),
    )


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("dashboard", {}),
        ("dashboard-history", {}),
        ("dashboard-history-csv", {}),
        ("dashboard-live", {"session_id": uuid.uuid4()}),
        ("dashboard-summary", {"session_id": uuid.uuid4()}),
    ],
)
def test_it_sends_anonymous_visitors_to_the_login_page(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_is_styled_and_logs_in(client, alice):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    # DEBUG is off in the tests, as in production: the stylesheet is linked under its hashed name.
    assert b"/static/css/focusflow." in page.content and b'autocomplete="current-password"' in page.content
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    wrong = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert wrong.status_code == 200 and b'role="alert"' in wrong.content


def test_another_person_gets_a_404_on_every_page_of_a_session_and_changes_nothing(alice_web, bob_web, charlie):
    start(alice_web)
    session = active_session(alice_web.person_id)
    events = FocusEvent.objects.count()
    staff_web = Client()
    staff_web.force_login(charlie)  # the dashboard is one's own, staff included
    for other in (bob_web, staff_web):
        assert other.get(reverse("dashboard-live", args=[session.id])).status_code == 404
        assert other.get(reverse("dashboard-summary", args=[session.id])).status_code == 404
        assert other.post(reverse("dashboard-ping", args=[session.id]), {"note": "hi"}).status_code == 404
        assert other.post(reverse("dashboard-end", args=[session.id]), {"completion": "50"}).status_code == 404
    session.refresh_from_db()
    assert session.ended_at is None and FocusEvent.objects.count() == events
    nobody = bob_web.get(reverse("dashboard-live", args=[uuid.uuid4()]))
    theirs = bob_web.get(reverse("dashboard-live", args=[session.id]))
    assert theirs.status_code == nobody.status_code == 404
    assert b"Nothing here" in theirs.content and b"Nothing here" in nobody.content  # templates/404.html


def test_the_forms_refuse_a_post_without_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("dashboard-start"), {"estimated_duration": "25", "mode": "deep"})
    assert response.status_code == 403
    assert not FocusSession.objects.exists()
    page = client.get(reverse("dashboard"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("dashboard-start"), {"estimated_duration": "25", "mode": "deep", "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302 and FocusSession.objects.count() == 1


# --------------------------------------------------------------------------- home and start


def test_home_shows_the_start_form_with_tasks_presets_and_modes(alice_web):
    TaskFactory(person_id=alice_web.person_id, title="Draft the talk")
    TaskFactory(person_id=alice_web.person_id, title="Finished thing", status=Task.Status.DONE)
    TaskFactory(title="Someone else's task")
    page = alice_web.get(reverse("dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Start a focus session" in html and "Draft the talk" in html
    assert "Finished thing" not in html and "Someone else&#x27;s task" not in html
    for minutes in (25, 45, 90):
        assert f'data-preset="{minutes}"' in html
    for mode in ("deep", "light", "admin", "creative"):
        assert f'value="{mode}"' in html
    assert 'for="id_estimated_duration"' in html and 'for="id_task"' in html


def test_starting_a_session_goes_through_the_service_and_opens_the_live_page(alice_web):
    task = TaskFactory(person_id=alice_web.person_id)
    response = start(alice_web, task=str(task.id), estimated_duration="25", mode="creative")
    session = active_session(alice_web.person_id)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard-live", args=[session.id])
    assert (session.task_id, session.estimated_duration, session.mode) == (task.id, 25, "creative")
    assert session.events.filter(event_type="session_start").count() == 1
    assert session.start_state["task"]["id"] == str(task.id)


def test_a_new_task_typed_in_the_form_is_created_in_the_planner_and_attached(alice_web):
    start(alice_web, task="new", new_task_title="  Plan the sprint ")
    session = active_session(alice_web.person_id)
    assert session.task.title == "Plan the sprint" and session.task.person_id == alice_web.person_id


def test_a_bad_start_is_shown_back_with_its_errors_and_creates_nothing(alice_web):
    for fields in (
        {"estimated_duration": "0"},
        {"estimated_duration": "601"},
        {"estimated_duration": "abc"},
        {"mode": "nap"},
        {"task": "new", "new_task_title": ""},
        {"task": str(uuid.uuid4())},
    ):
        response = start(alice_web, **fields)
        assert response.status_code == 400, fields
        assert b'aria-invalid="true"' in response.content or b"error-box" in response.content, fields
    assert not FocusSession.objects.exists() and not Task.objects.exists()


def test_another_persons_task_cannot_be_picked(alice_web, bob):
    theirs = TaskFactory(person_id=account_person_id(user=bob))
    response = start(alice_web, task=str(theirs.id))
    assert response.status_code == 400
    assert not FocusSession.objects.exists()


def test_starting_while_a_session_runs_opens_the_running_one(alice_web):
    start(alice_web)
    running = active_session(alice_web.person_id)
    response = start(alice_web, estimated_duration="90")
    assert response["Location"] == reverse("dashboard-live", args=[running.id])
    assert FocusSession.objects.count() == 1
    home = alice_web.get(reverse("dashboard")).content.decode()
    assert "Session in progress" in home and "Start a focus session" not in home


def test_home_shows_todays_minutes_the_streak_habit_strength_and_last_sessions(alice_web, ended_session):
    page = alice_web.get(reverse("dashboard"))
    stats = page.context["stats"]
    assert stats.today_sessions == 1 and stats.today_minutes == pytest.approx(60)
    assert stats.streak == 1 and 0 < stats.habit_strength <= 100
    html = page.content.decode()
    assert reverse("dashboard-summary", args=[ended_session.id]) in html and "Write the report" in html


# --------------------------------------------------------------------------- live session


def test_the_live_page_shows_timer_feed_flow_and_the_forms(alice_web, settings):
    settings.FOCUS_TICK_SECONDS = TICK
    t0 = timezone.now() - timedelta(seconds=TICK * 6)
    session = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=60, mode="deep", now=t0)
    for n in range(1, 5):
        now = t0 + timedelta(seconds=TICK * n)
        session_ping(session_id=session.id, person_id=None, values=CALM, now=now - timedelta(seconds=1))
        engine.run_tick(session_id=session.id, now=now)
    assert session.events.filter(event_type="flow_start").exists()
    page = alice_web.get(reverse("dashboard-live", args=[session.id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="timer-elapsed"' in html and "left of 60" in html
    assert 'id="flow-indicator"' in html and 'data-in-flow="true"' in html
    assert "In flow" in html and "Logged by a client" in html
    assert page.context["config"]["eventsUrl"] == f"/focus/sessions/{session.id}/events/"
    assert page.context["config"]["lastEventId"] == session.events.order_by("-id").first().id
    assert page.context["config"]["scale"] == 150
    for form in ("ping-form", "distracted-form", "end-form"):
        assert f'id="{form}"' in html
    assert "Ending early" in html  # 30 of 60 session minutes so far


def test_a_ping_from_the_form_is_written_by_the_service_and_updates_the_rhythm(alice_web):
    start(alice_web)
    session = active_session(alice_web.person_id)
    response = alice_web.post(
        reverse("dashboard-ping", args=[session.id]), {"energy": "40", "stress": "75", "note": "tests are slow"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard-live", args=[session.id])
    ping = session.events.get(event_type="ping")
    assert ping.content == {"energy": 0.4, "stress": 0.75, "note": "tests are slow", "source": "self_report"}
    state = alice_web.get("/rhythm/state/").json()
    assert state["energy"] == 0.4 and state["stress"] == 0.75


def test_the_sliders_start_at_the_persons_current_rhythm_even_at_zero(alice_web):
    start(alice_web)
    session = active_session(alice_web.person_id)
    alice_web.post(reverse("dashboard-ping", args=[session.id]), {"energy": "0", "stress": "55"})
    html = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    assert 'id="id_energy" min="0" max="100" step="5" value="0"' in html
    assert 'id="id_stress" min="0" max="100" step="5" value="55"' in html


def test_a_ping_sent_by_the_page_script_gets_the_event_back_as_json(alice_web):
    start(alice_web)
    session = active_session(alice_web.person_id)
    url = reverse("dashboard-ping", args=[session.id])
    response = alice_web.post(url, {"focus": "80"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["event_type"] == "ping" and body["content"] == {"focus": 0.8, "source": "self_report"} and body["id"]
    empty = alice_web.post(url, {"note": "   "}, HTTP_ACCEPT="application/json")
    assert empty.status_code == 400 and "slider" in str(empty.json()["errors"])
    out_of_range = alice_web.post(url, {"energy": "140"}, HTTP_ACCEPT="application/json")
    assert out_of_range.status_code == 400 and "energy" in out_of_range.json()["errors"]
    assert session.events.filter(event_type="ping").count() == 1


def test_i_got_distracted_logs_a_low_focus_ping_that_the_engine_turns_into_a_distraction(alice_web, settings):
    settings.FOCUS_TICK_SECONDS = TICK
    t0 = timezone.now() - timedelta(seconds=TICK * 3)
    session = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=60, mode="deep", now=t0)
    engine.run_tick(session_id=session.id, now=t0 + timedelta(seconds=TICK))
    response = alice_web.post(
        reverse("dashboard-ping", args=[session.id]), {"distracted": "on"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201
    assert response.json()["content"] == {"focus": 0.2, "note": "I got distracted", "source": "self_report"}
    engine.run_tick(session_id=session.id, now=timezone.now() + timedelta(seconds=1))
    distraction = session.events.get(event_type="distraction")
    assert distraction.content["signal"] == "low_focus"


def test_ending_from_the_form_writes_the_summary_and_opens_it(alice_web):
    start(alice_web, estimated_duration="90")
    session = active_session(alice_web.person_id)
    response = alice_web.post(
        reverse("dashboard-end", args=[session.id]), {"completion": "60", "rating": "4", "note": "got the outline done"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard-summary", args=[session.id])
    session.refresh_from_db()
    assert session.ended_at is not None and session.completion_score == 0.6
    assert session.session_quality == {"rating": 4, "note": "got the outline done"}
    assert session.early_end is True  # ended long before the 90-minute estimate
    assert session.summary["headline"]
    # A second end (another tab) changes nothing and lands on the summary.
    again = alice_web.post(reverse("dashboard-end", args=[session.id]), {"completion": "10"})
    assert again["Location"] == reverse("dashboard-summary", args=[session.id])
    session.refresh_from_db()
    assert session.completion_score == 0.6
    # The live page of an ended session is its summary; pings are closed.
    assert alice_web.get(reverse("dashboard-live", args=[session.id]))["Location"].endswith("/summary/")
    late = alice_web.post(reverse("dashboard-ping", args=[session.id]), {"note": "x"}, HTTP_ACCEPT="application/json")
    assert late.status_code == 409


def test_the_summary_of_a_running_session_is_its_live_page(alice_web):
    start(alice_web)
    session = active_session(alice_web.person_id)
    response = alice_web.get(reverse("dashboard-summary", args=[session.id]))
    assert response["Location"] == reverse("dashboard-live", args=[session.id])


# --------------------------------------------------------------------------- summary


def test_the_summary_page_shows_the_chart_flow_nudges_friction_and_the_words(alice_web, ended_session):
    page = alice_web.get(reverse("dashboard-summary", args=[ended_session.id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="chart energy-chart-phone"' in html  # the same chart drawn for a phone's width
    html = html.split('class="chart-phone"')[0]  # count the markers of the wide one
    assert 'class="chart energy-chart"' in html and 'class="energy-line"' in html
    assert 'class="flow-window"' in html
    nudges = ended_session.events.filter(event_type__in=("nudge", "break")).count()
    assert nudges >= 1 and html.count('class="nudge-marker"') == nudges
    friction = ended_session.summary["friction_points"]
    kinds = {f["kind"] for f in friction}
    assert {"distraction", "stress_spike"} <= kinds
    assert html.count('class="friction-marker"') == len(friction)
    assert "Distraction" in html and "Stress rose" in html
    assert ended_session.summary["headline"].split(".")[0] in html.replace("&#x27;", "'")
    assert 'class="chart estimate-chart"' in html and "good run" in html
    assert page.context["page"]["completion"] == 80 and page.context["page"]["rating"] == 4


def test_nudges_sit_on_the_summary_timeline_in_session_minutes(alice_web, ended_session):
    page = dashboard.summary_page(session=ended_session)
    first = ended_session.events.filter(event_type__in=("nudge", "break")).order_by("ts").first()
    expected = (first.ts - ended_session.started_at).total_seconds() / TICK * 5
    assert page["nudges"][0]["minute"] == pytest.approx(expected, abs=0.1)
    assert page["actual"] == 60


def test_a_session_without_a_summary_still_renders(alice_web):
    session = FocusSession.objects.create(
        person_id=alice_web.person_id, started_at=timezone.now(), ended_at=timezone.now(), estimated_duration=30
    )
    page = alice_web.get(reverse("dashboard-summary", args=[session.id]))
    assert page.status_code == 200 and b"No summary was recorded" in page.content


# --------------------------------------------------------------------------- history and CSV


def _ended(person_id, *, days_ago: float, minutes: float, mode="deep", task=None) -> FocusSession:
    started = timezone.now() - timedelta(days=days_ago)
    return FocusSession.objects.create(
        person_id=person_id,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        mode=mode,
        task=task,
        estimated_duration=45,
        actual_duration=minutes,
        summary={"duration": {"actual_minutes": minutes}, "headline": '=HYPERLINK("x")'},
    )


def test_history_groups_sessions_by_day_draws_the_bars_and_filters(alice_web, bob):
    task = TaskFactory(person_id=alice_web.person_id, title="Thesis")
    _ended(alice_web.person_id, days_ago=0, minutes=30, task=task)
    _ended(alice_web.person_id, days_ago=2, minutes=45, mode="light")
    _ended(alice_web.person_id, days_ago=2.01, minutes=20, mode="light")
    _ended(alice_web.person_id, days_ago=45, minutes=60)  # older than 30 days
    _ended(account_person_id(user=bob), days_ago=0, minutes=50)
    page = alice_web.get(reverse("dashboard-history"))
    data = page.context["history"]
    assert data.session_count == 3 and data.total_minutes == pytest.approx(95) and data.active_days == 2
    assert [len(day["rows"]) for day in data.days] == [1, 2]
    html = page.content.decode()
    assert 'class="chart bar-chart"' in html and html.split('class="chart-phone"')[0].count('class="bar') == 30
    assert "Thesis" in html
    by_task = alice_web.get(reverse("dashboard-history"), {"task": str(task.id)}).context["history"]
    assert by_task.session_count == 1
    by_mode = alice_web.get(reverse("dashboard-history"), {"mode": "light"}).context["history"]
    assert by_mode.session_count == 2
    junk = alice_web.get(reverse("dashboard-history"), {"task": "not-a-uuid", "mode": "nap"})
    assert junk.status_code == 200 and junk.context["history"].session_count == 3


def test_the_csv_export_has_one_row_per_session_and_no_formulas(alice_web, bob):
    task = TaskFactory(person_id=alice_web.person_id, title="=cmd|' /C calc'!A0")
    mine = _ended(alice_web.person_id, days_ago=1, minutes=25, task=task)
    _ended(alice_web.person_id, days_ago=1, minutes=25, mode="admin")
    _ended(account_person_id(user=bob), days_ago=1, minutes=25)
    response = alice_web.get(reverse("dashboard-history-csv"), {"mode": "deep"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(dashboard.CSV_HEADER) and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["session_id"] == str(mine.id) and row["mode"] == "deep" and row["actual_minutes"] == "25.0"
    assert row["task"].startswith("'=") and row["summary"].startswith("'=")


def test_days_follow_the_browsers_time_zone_and_a_bad_zone_is_ignored(alice_web):
    # 23:30 UTC yesterday is already today in Tokyo (UTC+9).
    now = timezone.now()
    late = datetime.combine(now.date() - timedelta(days=1), datetime.min.time(), tzinfo=dt_timezone.utc) + timedelta(
        hours=23, minutes=30
    )
    FocusSession.objects.create(
        person_id=alice_web.person_id,
        started_at=late,
        ended_at=late + timedelta(minutes=20),
        estimated_duration=20,
        summary={"duration": {"actual_minutes": 20}},
    )
    alice_web.cookies["ff_tz"] = "Asia/Tokyo"
    tokyo = alice_web.get(reverse("dashboard-history")).context["history"].days[0]["day"]
    alice_web.cookies["ff_tz"] = "UTC"
    utc = alice_web.get(reverse("dashboard-history")).context["history"].days[0]["day"]
    assert tokyo - utc == timedelta(days=1)
    alice_web.cookies["ff_tz"] = "../../etc/passwd"
    assert alice_web.get(reverse("dashboard-history")).status_code == 200


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    "days,expected",
    [
        ([], 0),
        ([date(2026, 3, 10)], 1),
        ([date(2026, 3, 9)], 1),  # today not done yet: yesterday's streak still stands
        ([date(2026, 3, 8)], 0),
        ([date(2026, 3, 10), date(2026, 3, 9), date(2026, 3, 8), date(2026, 3, 6)], 3),
        ([date(2026, 3, 9), date(2026, 3, 8)], 2),
    ],
)
def test_the_streak_counts_consecutive_days_back_from_today(days, expected):
    assert dashboard.streak_days(days, date(2026, 3, 10)) == expected


def test_feed_items_read_like_the_product():
    ts = timezone.now()
    nudge = dashboard.feed_item(
        event_id=1,
        event_type="break",
        ts=ts,
        content={"kind": "micro_break", "message": "Stretch.", "break_minutes": 3},
    )
    assert (nudge["title"], nudge["message"], nudge["tone"]) == ("Short break · 3 min", "Stretch.", "break")
    ping = dashboard.feed_item(event_id=2, event_type="ping", ts=ts, content={"energy": 0.4, "note": " hi "})
    assert ping["message"] == "energy 40% · “hi”"
    assert dashboard.feed_item(event_id=3, event_type="tick", ts=ts, content={"reason": "in_flow"}) is None
    assert dashboard.feed_item(event_id=4, event_type="nudge", ts=ts, content="garbage")["title"] == "Nudge"
    assert dashboard.tick_text({"reason": "in_flow"}) == "you're in flow"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        (None, ""),
        (0.5, "0.5"),
    ],
)
def test_csv_cells_never_start_a_formula(value, expected):
    assert dashboard.csv_cell(value) == expected


def test_timer_texts():
    assert dashboard.remaining_text(10, 45) == "35 min left of 45"
    assert dashboard.remaining_text(50, 45) == "5 min past your estimate"
    assert dashboard.remaining_text(45.2, 45) == "Right at your estimate"

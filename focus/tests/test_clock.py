"""The session clock and the one duration wording: pure functions, plain values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from focus.clock import (
    SessionClock,
    duration_text,
    minutes_in_ticks,
    session_minutes_per_wall_minute,
    ticks_covering,
)
from focus.dashboard.charts import energy_chart

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "tick_seconds, elapsed_seconds, expected",
    [
        (300, 2700, 45.0),
        (300, 30, 0.5),
        (2, 18, 45.0),
        (2, 1, 2.5),
        (60, 600, 50.0),
        (1, 1, 5.0),
    ],
)
def test_session_minutes_are_tick_periods_times_five(tick_seconds, elapsed_seconds, expected):
    clock = SessionClock(T0, tick_seconds)
    assert clock.session_minutes(T0 + timedelta(seconds=elapsed_seconds)) == pytest.approx(expected)


def test_before_the_start_is_negative_as_a_minute_and_zero_as_elapsed():
    clock = SessionClock(T0, 300)
    assert clock.minute(T0 - timedelta(minutes=2)) == pytest.approx(-2)
    assert clock.session_minutes(T0 - timedelta(minutes=2)) == 0
    assert clock.elapsed_seconds(T0 - timedelta(minutes=2)) == 0


def test_naive_instants_are_utc():
    assert SessionClock(T0, 300).minute(datetime(2026, 1, 5, 9, 10)) == pytest.approx(10)  # noqa: DTZ001 (naive on purpose)


def test_a_fitted_clock_keeps_an_ended_sessions_recorded_length():
    clock = SessionClock.fitted(
        started_at=T0, ended_at=T0 + timedelta(seconds=20), session_minutes=50, tick_seconds=300
    )
    assert clock.session_minutes(T0 + timedelta(seconds=10)) == pytest.approx(25)
    # Nothing to fit to: the configured tick.
    same = SessionClock.fitted(started_at=T0, ended_at=T0, session_minutes=0, tick_seconds=2)
    assert same == SessionClock(T0, 2)


def test_ticks_and_scale():
    assert minutes_in_ticks(3) == 15.0
    assert [ticks_covering(m) for m in (0, 3, 5, 6, 30)] == [1, 1, 1, 2, 6]
    assert session_minutes_per_wall_minute(300) == 1 and session_minutes_per_wall_minute(2) == 150


def test_minute_and_duration_labels():
    # Moved from test_charts (minute_label / duration_label) and test_dashboard_views.
    assert [duration_text(m, "axis") for m in (0, 5, 2.5, 60, 90, 120)] == ["0", "5", "2.5", "1 h", "1 h 30", "2 h"]
    assert [duration_text(m, "chart") for m in (25, 59.6, 90, 600)] == ["25 min", "1 h", "1 h 30", "10 h"]


def test_timer_texts():
    # Moved from test_dashboard_views (clock_text / format_minutes).
    assert duration_text(0, "timer") == "0:00" and duration_text(12.5, "timer") == "12:30"
    assert duration_text(75, "timer") == "1:15:00"
    assert duration_text(125, "short") == "2 h 5 min"


@pytest.mark.parametrize(
    "minutes, style, text",
    [
        (1, "minutes", "1 minute"),
        (90, "minutes", "90 minutes"),
        (0.4, "minutes", "0 minutes"),
        (45, "long", "45 minutes"),
        (60, "long", "1 hour"),
        (120, "long", "2 hours"),
        (125, "long", "2 hours 5 minutes"),
        (61, "long", "1 hour 1 minute"),
        (5, "exact", "5 minutes"),
        (1.5, "exact", "90 seconds"),
        (0.5, "exact", "30 seconds"),
        (1 / 60, "exact", "1 second"),
        (45, "adjective", "45-minute"),
        (720, "hours", "12 hours"),
        (60, "hours", "1 hour"),
        (30, "hours", "0.5 hours"),
        (float("nan"), "short", "0 min"),
    ],
)
def test_duration_text(minutes, style, text):
    assert duration_text(minutes, style) == text


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError):
        duration_text(5, "fortnights")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "total, said", [(120, "over 2 hours"), (45, "over 45 minutes"), (90, "over 1 hour 30 minutes")]
)
def test_the_energy_chart_words_a_long_session_in_hours(total, said):
    # It used to say "over 2 h minutes".
    desc = ET.fromstring(energy_chart(points=[(0, 0.4), (total, 0.6)], total_minutes=total)).find(SVG + "desc").text
    assert said in desc
    assert "h minutes" not in desc

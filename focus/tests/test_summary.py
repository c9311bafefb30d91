"""focus.summary: a pure function, tested without Django or a database."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focus.clock import duration_text
from focus.summary import (
    MAX_COUNTED_LABELS,
    MAX_FLOW_WINDOWS,
    MAX_FRICTION_POINTS,
    EventRecord,
    build_summary,
    quality_value,
    summary_sentiment,
)

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
START_RHYTHM = {"energy": 0.6, "stress": 0.3, "fatigue": 0.3}


def at(minute: float, tick_seconds: int = 300) -> datetime:
    """The wall-clock time of a session minute (one tick period = 5 session minutes)."""
    return T0 + timedelta(seconds=minute / 5 * tick_seconds)


def ev(event_type: str, minute: float, content=None, rhythm=None, tick_seconds: int = 300) -> EventRecord:
    return EventRecord(event_type, at(minute, tick_seconds), content if content is not None else {}, rhythm)


def summarize(
    events=(),
    *,
    minutes: float = 45,
    estimated: int = 45,
    early_end: bool = False,
    completion=None,
    quality=None,
    tick_seconds: int = 300,
) -> dict:
    return build_summary(
        started_at=T0,
        ended_at=at(minutes, tick_seconds),
        estimated_minutes=estimated,
        completion_score=completion,
        session_quality=quality,
        early_end=early_end,
        events=list(events),
        tick_seconds=tick_seconds,
    )


def pings(*values, key="energy", every=5, first=1):
    return [ev("ping", first + i * every, {key: v}) for i, v in enumerate(values)]


def kinds(summary) -> list[str]:
    return [f["kind"] for f in summary["friction_points"]]


def of_kind(summary, kind) -> list[dict]:
    return [f for f in summary["friction_points"] if f["kind"] == kind]


# --------------------------------------------------------------------------- session time


@pytest.mark.parametrize(
    "tick_seconds, elapsed_seconds, expected_minutes",
    [
        (300, 2700, 45.0),  # real time: plain minutes
        (300, 0, 0.0),
        (300, 30, 0.5),
        (2, 18, 45.0),  # compressed: 9 ticks of 2 s read as 45 minutes
        (2, 1, 2.5),
        (60, 600, 50.0),
        (1, 1, 5.0),
    ],
)
def test_session_minutes_follow_tick_periods(tick_seconds, elapsed_seconds, expected_minutes):
    summary = build_summary(
        started_at=T0,
        ended_at=T0 + timedelta(seconds=elapsed_seconds),
        estimated_minutes=45,
        completion_score=None,
        session_quality=None,
        early_end=False,
        events=[],
        tick_seconds=tick_seconds,
    )
    assert summary["duration"]["actual_minutes"] == expected_minutes


def test_compressed_run_reads_like_a_real_one():
    def run(tick):
        events = [
            ev("session_start", 0, rhythm=START_RHYTHM, tick_seconds=tick),
            ev("flow_start", 15, {"since": at(5, tick).isoformat()}, tick_seconds=tick),
            ev("flow_end", 25, {"flow_minutes": 20}, tick_seconds=tick),
            ev("distraction", 30, {"signal": "app_switches"}, tick_seconds=tick),
        ]
        return summarize(events, tick_seconds=tick)

    assert run(2) == run(300)


@pytest.mark.parametrize("tick_seconds", [0, -5, float("inf"), float("nan"), True, "300", None])
def test_bad_tick_seconds_is_a_value_error(tick_seconds):
    with pytest.raises(ValueError):
        build_summary(
            started_at=T0,
            ended_at=at(45),
            estimated_minutes=45,
            completion_score=None,
            session_quality=None,
            early_end=False,
            events=[],
            tick_seconds=tick_seconds,
        )


def test_ended_before_started_is_zero_minutes():
    summary = build_summary(
        started_at=T0,
        ended_at=T0 - timedelta(minutes=5),
        estimated_minutes=45,
        completion_score=None,
        session_quality=None,
        early_end=True,
        events=[ev("ping", 3, {"energy": 0.5})],
    )
    assert summary["duration"]["actual_minutes"] == 0.0
    assert summary["energy_curve"]["points"][0]["minute"] == 0.0


def test_naive_datetimes_are_taken_as_utc():
    naive = EventRecord("ping", datetime(2025, 3, 4, 9, 10), {"energy": 0.5})  # noqa: DTZ001 (the point)
    summary = build_summary(
        started_at=datetime(2025, 3, 4, 9, 0),  # noqa: DTZ001 (naive on purpose)
        ended_at=at(45),
        estimated_minutes=45,
        completion_score=None,  # noqa: DTZ001
        session_quality=None,
        early_end=False,
        events=[naive],
    )
    assert summary["energy_curve"]["points"] == [{"minute": 10.0, "energy": 0.5, "source": "ping"}]


# --------------------------------------------------------------------------- duration and first sentence


@pytest.mark.parametrize(
    "minutes, estimated, early_end, ratio, overrun, frictions, sentence",
    [
        (45, 45, False, 1.0, 0.0, [], "45 of 45 minutes."),
        (30, 45, True, 0.67, 0.0, ["early_end"], "Stopped at 30 of 45 minutes."),
        (40, 45, False, 0.89, 0.0, [], "40 of 45 minutes."),
        (47, 45, False, 1.04, 2.0, [], "47 minutes against a 45-minute estimate."),
        (49.9, 45, False, 1.11, 4.9, [], "50 minutes against a 45-minute estimate."),
        (50, 45, False, 1.11, 5.0, ["overrun"], "50 minutes against a 45-minute estimate."),  # 5 min: friction
        (98, 90, False, 1.09, 8.0, [], "98 minutes against a 90-minute estimate."),  # < 10% of 90
        (99, 90, False, 1.1, 9.0, ["overrun"], "99 minutes against a 90-minute estimate."),  # = 10% of 90
        (60, 45, False, 1.33, 15.0, ["overrun"], "60 minutes against a 45-minute estimate."),
        (30, 0, False, None, 0.0, [], "30 minutes."),
        (1, 0, False, None, 0.0, [], "1 minute."),
        (0.5, 45, True, 0.01, 0.0, ["early_end"], "Stopped within the first minute of a 45-minute session."),
        (0.2, 0, True, None, 0.0, ["early_end"], "Under a minute."),
        (50, 45, True, 1.11, 5.0, ["early_end", "overrun"], "50 minutes against a 45-minute estimate."),
    ],
)
def test_duration(minutes, estimated, early_end, ratio, overrun, frictions, sentence):
    summary = summarize(minutes=minutes, estimated=estimated, early_end=early_end)
    duration = summary["duration"]
    assert duration["estimated_minutes"] == estimated
    assert duration["actual_minutes"] == pytest.approx(minutes, abs=0.05)
    assert duration["ratio"] == ratio
    assert duration["overrun_minutes"] == pytest.approx(overrun, abs=0.05)
    assert sorted(kinds(summary)) == frictions
    assert summary["sentences"] == [sentence]
    assert summary["headline"] == sentence
    assert summary["early_end"] is early_end


@pytest.mark.parametrize(
    "minutes, estimated, minutes_short, detail",
    [
        (30, 45, 15.0, "ended 15 minutes before the 45-minute estimate"),
        (44, 45, 1.0, "ended 1 minute before the 45-minute estimate"),
        (44.8, 45, 0.2, "ended early"),
        (20, 0, 0.0, "ended early"),
    ],
)
def test_early_end_friction(minutes, estimated, minutes_short, detail):
    (point,) = of_kind(summarize(minutes=minutes, estimated=estimated, early_end=True), "early_end")
    assert point["at_minute"] == pytest.approx(minutes)
    assert point["minutes"] == pytest.approx(minutes_short)
    assert point["detail"] == detail


def test_overrun_friction_sits_at_the_estimate():
    (point,) = of_kind(summarize(minutes=60, estimated=45), "overrun")
    assert point == {
        "kind": "overrun",
        "at_minute": 45.0,
        "minutes": 15.0,
        "detail": "ran 15 minutes past the 45-minute estimate",
    }


# --------------------------------------------------------------------------- energy curve


@pytest.mark.parametrize(
    "values, trend, start, peak, end, dip",
    [
        ([], "unknown", None, None, None, None),
        ([0.6], "unknown", 0.6, 0.6, 0.6, None),
        ([0.5, 0.7], "rising", 0.5, 0.7, 0.7, None),
        ([0.7, 0.5], "falling", 0.7, 0.7, 0.5, 6.0),
        ([0.7, 0.65], "steady", 0.7, 0.7, 0.65, None),
        ([0.5, 0.6], "rising", 0.5, 0.6, 0.6, None),  # exactly the threshold is a trend
        ([0.5, 0.59], "steady", 0.5, 0.59, 0.59, None),
        ([0.6, 0.5], "falling", 0.6, 0.6, 0.5, None),
        ([0.7, 0.75, 0.7, 0.6, 0.55, 0.5], "falling", 0.7, 0.75, 0.5, 16.0),  # 0.6 = 0.75 - 0.15: a dip
        ([0.7, 0.75, 0.7, 0.61, 0.68, 0.7], "steady", 0.7, 0.75, 0.7, None),  # 0.14 below: no dip
        ([0.7, 0.7, 0.4, 0.7, 0.7, 0.7], "steady", 0.7, 0.7, 0.7, 11.0),  # a dip that recovered
        ([0.7, 0.4, 0.7, 0.7, 0.7, 0.7], "rising", 0.7, 0.7, 0.7, 6.0),  # thirds: the early dip weighs in
        ([0.3, 0.4, 0.5, 0.6, 0.7, 0.8], "rising", 0.3, 0.8, 0.8, None),
    ],
)
def test_energy_curve_from_pings(values, trend, start, peak, end, dip):
    curve = summarize(pings(*values))["energy_curve"]
    assert curve["trend"] == trend
    assert (curve["start"], curve["peak"], curve["end"], curve["dip_minute"]) == (start, peak, end, dip)
    assert [p["energy"] for p in curve["points"]] == values
    assert [p["minute"] for p in curve["points"]] == [1.0 + 5 * i for i in range(len(values))]
    assert {p["source"] for p in curve["points"]} <= {"ping"}


def test_energy_curve_peak_and_low_minutes():
    curve = summarize(pings(0.5, 0.8, 0.3, 0.8))["energy_curve"]
    assert (curve["peak"], curve["peak_minute"], curve["low"], curve["low_minute"]) == (0.8, 6.0, 0.3, 11.0)


@pytest.mark.parametrize(
    "events, source, values",
    [
        # no pinged energy: no curve, whatever the rhythm snapshots hold (defaults, an earlier
        # session's values): nothing is drawn that the person did not say in this session
        (
            [
                ev("session_start", 0, rhythm={"energy": 0.7}),
                ev("tick", 5, rhythm={"energy": 0.6}),
                ev("nudge", 10, {"kind": "check_in"}, rhythm={"energy": 0.5}),
            ],
            None,
            [],
        ),
        # one pinged energy is one point; the snapshots around it are not readings
        (
            [
                ev("session_start", 0, rhythm={"energy": 0.7}),
                ev("ping", 3, {"energy": 0.2}, rhythm={"energy": 0.6}),
                ev("tick", 5, rhythm={"energy": 0.6}),
            ],
            "ping",
            [0.2],
        ),
        ([ev("session_start", 0, rhythm={"energy": 0.7}), ev("ping", 3, {"energy": 0.2})], "ping", [0.2]),
        ([ev("session_start", 0, rhythm={"energy": None}), ev("ping", 3, {"energy": 0.2})], "ping", [0.2]),
        # two pinged energies win over any number of snapshots
        (
            [
                ev("session_start", 0, rhythm={"energy": 0.7}),
                ev("ping", 3, {"energy": 0.2}, rhythm={"energy": 0.6}),
                ev("tick", 5, rhythm={"energy": 0.6}),
                ev("ping", 8, {"energy": 0.3}),
            ],
            "ping",
            [0.2, 0.3],
        ),
        # garbage is ignored: out of range, strings, bools, NaN, infinity, a non-mapping snapshot
        (
            [
                ev("ping", 1, {"energy": 1.5}),
                ev("ping", 2, {"energy": "0.5"}),
                ev("ping", 3, {"energy": True}),
                ev("ping", 4, {"energy": float("nan")}),
                ev("ping", 5, {"energy": float("inf")}),
                ev("ping", 6, {"energy": -0.1}),
                EventRecord("tick", at(7), {}, ["energy", 0.4]),
            ],
            None,
            [],
        ),
        (
            [ev("ping", 1, {"energy": 0}), ev("ping", 2, {"energy": 1}), ev("ping", 3, {"energy": Decimal("0.5")})],
            "ping",
            [0.0, 1.0, 0.5],
        ),
    ],
)
def test_energy_curve_sources(events, source, values):
    points = summarize(events)["energy_curve"]["points"]
    assert [p["energy"] for p in points] == values
    assert {p["source"] for p in points} == ({source} if values else set())


def test_a_session_with_no_energy_readings_has_no_curve_and_no_energy_sentence():
    # Four hours with a carried-over rhythm of 60% and no reading: the summary invents nothing.
    events = [ev("session_start", 0, rhythm={"energy": 0.6, "stress": 0.7})]
    events += [ev("tick", 5 * i, {"reason": "no_signal"}, rhythm={"energy": 0.6}) for i in range(1, 48)]
    events += [ev("ping", 30, {"focus": 0.8}, rhythm={"energy": 0.6})]
    summary = summarize(events, minutes=233, estimated=240)
    curve = summary["energy_curve"]
    assert curve["points"] == [] and curve["readings"] == 0 and curve["trend"] == "unknown"
    assert curve["start"] is None and curve["last_reading_minute"] is None
    assert "energy" not in summary["headline"]


def test_energy_points_are_downsampled():
    many = [ev("ping", i * 0.05, {"energy": 0.5 + (i % 2) * 0.1}) for i in range(900)]
    curve = summarize(many)["energy_curve"]
    assert 1 < len(curve["points"]) <= 120
    assert all(0.5 <= p["energy"] <= 0.6 for p in curve["points"])
    minutes = [p["minute"] for p in curve["points"]]
    assert minutes == sorted(minutes)


def test_events_are_sorted_by_time():
    shuffled = [ev("ping", 11, {"energy": 0.4}), ev("ping", 1, {"energy": 0.8}), ev("ping", 6, {"energy": 0.6})]
    curve = summarize(shuffled)["energy_curve"]
    assert [p["energy"] for p in curve["points"]] == [0.8, 0.6, 0.4]
    assert curve["trend"] == "falling"


# --------------------------------------------------------------------------- flow windows


@pytest.mark.parametrize(
    "events, windows, total",
    [
        ([], [], 0.0),
        ([ev("flow_start", 10), ev("flow_end", 30)], [(10.0, 30.0, 20.0)], 20.0),
        # `since` says when flow began
        ([ev("flow_start", 15, {"since": at(5).isoformat()}), ev("flow_end", 25)], [(5.0, 25.0, 20.0)], 20.0),
        (
            [ev("flow_start", 15, {"since": at(5).isoformat().replace("+00:00", "Z")}), ev("flow_end", 25)],
            [(5.0, 25.0, 20.0)],
            20.0,
        ),
        # `since` after the event, unparseable, or not a string: the event's time
        ([ev("flow_start", 15, {"since": at(20).isoformat()}), ev("flow_end", 25)], [(15.0, 25.0, 10.0)], 10.0),
        ([ev("flow_start", 15, {"since": "yesterday"}), ev("flow_end", 25)], [(15.0, 25.0, 10.0)], 10.0),
        ([ev("flow_start", 15, {"since": 12}), ev("flow_end", 25)], [(15.0, 25.0, 10.0)], 10.0),
        # `since` before the session: clamped to its start
        ([ev("flow_start", 15, {"since": at(-30).isoformat()}), ev("flow_end", 25)], [(0.0, 25.0, 25.0)], 25.0),
        # an open window closes at the end
        ([ev("flow_start", 20)], [(20.0, 45.0, 25.0)], 25.0),
        # two windows; the second's `since` cannot reach back into the first
        (
            [
                ev("flow_start", 5),
                ev("flow_end", 15),
                ev("flow_start", 25, {"since": at(10).isoformat()}),
                ev("flow_end", 35),
            ],
            [(5.0, 15.0, 10.0), (15.0, 35.0, 20.0)],
            30.0,
        ),
        # an orphan flow_end is ignored; a second flow_start while in flow keeps the first
        (
            [ev("flow_end", 5, {"flow_minutes": 50}), ev("flow_start", 10), ev("flow_start", 20), ev("flow_end", 30)],
            [(10.0, 30.0, 20.0)],
            20.0,
        ),
        # the whole session in flow
        ([ev("flow_start", 0), ev("flow_end", 45)], [(0.0, 45.0, 45.0)], 45.0),
    ],
)
def test_flow_windows(events, windows, total):
    flow = summarize(events)["flow_windows"]
    assert [(w["start_minute"], w["end_minute"], w["minutes"]) for w in flow["windows"]] == windows
    assert flow["total_minutes"] == total


# --------------------------------------------------------------------------- friction: distraction and idle


@pytest.mark.parametrize(
    "events, episodes",
    [
        ([], []),
        ([ev("distraction", 10, {"signal": "app_switches"})], [(10.0, 5.0)]),
        # one tick later: the same episode
        (
            [ev("distraction", 10, {"signal": "app_switches"}), ev("distraction", 15, {"signal": "app_switches"})],
            [(10.0, 10.0)],
        ),
        # just under 1.5 periods: same episode; at 1.5 periods: a new one
        (
            [ev("distraction", 10, {"signal": "app_switches"}), ev("distraction", 17.4, {"signal": "low_focus"})],
            [(10.0, 12.4)],
        ),
        (
            [ev("distraction", 10, {"signal": "app_switches"}), ev("distraction", 17.5, {"signal": "app_switches"})],
            [(10.0, 5.0), (17.5, 5.0)],
        ),
        # cut short by flow, or by the session's end
        ([ev("distraction", 10, {"signal": "app_switches"}), ev("flow_start", 12)], [(10.0, 2.0)]),
        ([ev("distraction", 43, {"signal": "app_switches"})], [(43.0, 2.0)]),
        # low focus ends with a ping reporting focus above 0.3 (not at exactly 0.3)
        (
            [
                ev("distraction", 10, {"signal": "low_focus"}),
                ev("ping", 11, {"focus": 0.3}),
                ev("ping", 12, {"focus": 0.6}),
            ],
            [(10.0, 2.0)],
        ),
        # ...but a good focus reading does not end app switching
        ([ev("distraction", 10, {"signal": "app_switches"}), ev("ping", 12, {"focus": 0.9})], [(10.0, 5.0)]),
        # unknown or missing signals still count; idle/away belong to idle gaps
        ([ev("distraction", 10, {}), ev("distraction", 30, {"signal": "idle"})], [(10.0, 5.0)]),
    ],
)
def test_distraction_episodes(events, episodes):
    found = of_kind(summarize(events), "distraction")
    assert [(f["at_minute"], f["minutes"]) for f in found] == episodes


def test_distraction_detail_names_the_signal_and_reason():
    (episode,) = of_kind(
        summarize(
            [
                ev(
                    "distraction",
                    10,
                    {"signal": "app_switches", "reason": "you've switched apps 14 times in 5 minutes"},
                ),
                ev("distraction", 15, {"signal": "low_focus", "reason": "focus 0.2"}),
            ]
        ),
        "distraction",
    )
    assert (
        episode["detail"] == "app switching and low focus for 10 minutes (you've switched apps 14 times in 5 minutes)"
    )


@pytest.mark.parametrize(
    "events, gaps",
    [
        ([ev("ping", 10, {"activity": "idle"}), ev("ping", 20, {"activity": "active"})], [(10.0, 10.0, "idle")]),
        (
            [
                ev("ping", 10, {"activity": "away"}),
                ev("ping", 12, {"activity": "idle"}),
                ev("ping", 20, {"activity": "active"}),
            ],
            [(10.0, 10.0, "idle or away")],
        ),
        ([ev("distraction", 10, {"signal": "away"}), ev("flow_start", 25)], [(10.0, 15.0, "away")]),
        ([ev("ping", 30, {"activity": "idle"})], [(30.0, 15.0, "idle")]),  # never back: until the end
        (
            [
                ev("ping", 10, {"activity": "idle"}),
                ev("ping", 15, {"energy": 0.5}),
                ev("ping", 22, {"activity": "active"}),
            ],
            [(10.0, 12.0, "idle")],
        ),  # a ping without activity is no return
        (
            [
                ev("ping", 10, {"activity": "idle"}),
                ev("ping", 21, {"activity": "active"}),
                ev("ping", 25, {"activity": "away"}),
                ev("ping", 26, {"activity": "active"}),
            ],
            [(10.0, 11.0, "idle")],
        ),  # a minute away is a moment of thought, not a gap
        (
            [ev("ping", 10, {"activity": "idle"}), ev("ping", 15, {"activity": "active"})],
            [],
        ),  # one idle reading five minutes before an active one: a page pinging once per tick
        (
            [
                ev("ping", 10, {"activity": "away"}),
                ev("ping", 12, {"activity": "active"}),
                ev("ping", 13, {"activity": "away"}),
                ev("ping", 20, {"activity": "active"}),
            ],
            [(10.0, 10.0, "away")],
        ),  # one active ping in a break does not split it
        ([ev("ping", 10, {"activity": "active"}), ev("ping", 11, {"activity": "sleeping"})], []),
    ],
)
def test_idle_gaps(events, gaps):
    found = of_kind(summarize(events), "idle_gap")
    assert [(f["at_minute"], f["minutes"], f["detail"].split(" for ")[0]) for f in found] == gaps


def test_a_pause_is_not_an_idle_gap():
    """Four minutes idle, then a 20-minute pause during which the client keeps pinging "away",
    then four more minutes away after the resume: two moments under the gap length either side
    of the person's own break, not one 8-minute idle gap (nor anything at the pause's minute)."""
    paused, resumed = at(20), at(40)
    events = [
        ev("ping", 14, {"activity": "active"}),
        ev("ping", 16, {"activity": "idle"}),
        ev("ping", 18, {"activity": "idle"}),
        *[ev("ping", m, {"activity": "away"}) for m in (22, 26, 30, 34, 38)],
        ev("ping", 41, {"activity": "away"}),
        ev("ping", 43, {"activity": "away"}),
        ev("ping", 44, {"activity": "active"}),
    ]
    summary = build_summary(
        started_at=T0,
        ended_at=at(70),
        estimated_minutes=50,
        completion_score=None,
        session_quality=None,
        early_end=False,
        events=events,
        tick_seconds=300,
        pauses=((paused, resumed),),
    )
    assert summary["duration"]["paused_minutes"] == 20.0
    assert of_kind(summary, "idle_gap") == []
    # Without the pause the same pings are one gap from minute 16 to 44.
    assert [f["at_minute"] for f in of_kind(summarize(events, minutes=70, estimated=50), "idle_gap")] == [16.0]


# --------------------------------------------------------------------------- friction: stress and fatigue


@pytest.mark.parametrize(
    "key, start, values, spikes",
    [
        ("stress", 0.3, [0.3, 0.35, 0.44], []),
        # exactly +0.15 on the median of three is a spike; over when it falls under half of it
        ("stress", 0.3, [0.3, 0.3, 0.3, 0.45, 0.45, 0.3, 0.3], [(21.0, 10.0)]),
        ("stress", 0.3, [0.3, 0.3, 0.3, 0.5, 0.6, 0.6], [(21.0, 24.0)]),  # still up at the end
        ("stress", 0.3, [0.3, 0.3, 0.3, 0.6, 0.3, 0.3], []),  # one noisy reading is not a spike
        # hovering at the threshold is one spike (hysteresis), not one per crossing
        ("stress", 0.3, [0.3, 0.3, 0.3, 0.46, 0.46, 0.43, 0.46, 0.43, 0.46, 0.3, 0.3], [(21.0, 24.0)]),
        ("fatigue", 0.4, [0.4, 0.4, 0.4, 0.7, 0.7, 0.3, 0.3], [(21.0, 10.0)]),
        ("fatigue", 0.9, [0.95, 1.0], []),
        # a new person's snapshot holds the model's defaults: their own first readings are the start
        ("stress", 0.3, [0.5, 0.52, 0.48, 0.5, 0.51, 0.49], []),
        ("stress", None, [0.2, 0.5], [(6.0, 39.0)]),  # no snapshot, two pings: the first is the baseline
    ],
)
def test_spikes_from_pings(key, start, values, spikes):
    events = [ev("session_start", 0, rhythm={key: start})] + pings(*values, key=key)
    found = of_kind(summarize(events), f"{key}_spike")
    assert [(f["at_minute"], f["minutes"]) for f in found] == spikes


def test_spike_detail_and_rhythm_fallback():
    events = [
        ev("session_start", 0, rhythm={"stress": 0.2}),
        ev("tick", 5, rhythm={"stress": 0.25}),
        ev("tick", 10, rhythm={"stress": 0.5}),
        ev("tick", 15, rhythm={"stress": 0.6}),
    ]
    (spike,) = of_kind(summarize(events), "stress_spike")
    assert spike == {
        "kind": "stress_spike",
        "at_minute": 15.0,  # the median of the last three points reached +0.15 here
        "minutes": 30.0,
        "detail": "stress rose from 20% to 50%",  # a person reads percents
    }


# --------------------------------------------------------------------------- friction: nudges that did not stick


@pytest.mark.parametrize(
    "events, ignored",
    [
        ([ev("nudge", 20, {"kind": "refocus"}), ev("distraction", 25, {"signal": "app_switches"})], [20.0]),
        (
            [ev("nudge", 20, {"kind": "refocus"}), ev("distraction", 30, {"signal": "app_switches"})],
            [20.0],
        ),  # 2 periods
        ([ev("nudge", 20, {"kind": "refocus"}), ev("distraction", 30.5, {"signal": "app_switches"})], []),
        ([ev("distraction", 20, {"signal": "app_switches"}), ev("nudge", 20, {"kind": "refocus"})], []),  # before
        ([ev("nudge", 20, {"kind": "check_in"}), ev("distraction", 22, {"signal": "idle"})], [20.0]),
        ([ev("break", 20, {"kind": "micro_break"}), ev("distraction", 22, {"signal": "away"})], []),  # took the break
        ([ev("nudge", 20, {"kind": "recovery_break"}), ev("distraction", 22, {"signal": "away"})], []),
        # the distraction belongs to the latest nudge, counted once
        (
            [
                ev("nudge", 10, {"kind": "refocus"}),
                ev("nudge", 15, {"kind": "check_in"}),
                ev("distraction", 17, {"signal": "low_focus"}),
                ev("distraction", 19, {"signal": "low_focus"}),
            ],
            [15.0],
        ),
        (
            [
                ev("nudge", 10, {"kind": "refocus"}),
                ev("tick", 15, {"reason": "backoff"}),
                ev("distraction", 17, {"signal": "low_focus"}),
            ],
            [10.0],
        ),
    ],
)
def test_nudges_followed_by_distraction(events, ignored):
    assert [f["at_minute"] for f in of_kind(summarize(events), "nudge_ignored")] == ignored


def test_nudge_ignored_detail():
    (point,) = of_kind(
        summarize([ev("nudge", 20, {"kind": "refocus"}), ev("distraction", 25, {"signal": "app_switches"})]),
        "nudge_ignored",
    )
    assert point == {
        "kind": "nudge_ignored",
        "at_minute": 20.0,
        "minutes": None,
        "detail": "refocus nudge was followed by more distraction (app switching)",
    }


def test_friction_points_are_sorted_by_minute():
    summary = summarize(
        [
            ev("session_start", 0, rhythm=START_RHYTHM),
            ev("ping", 35, {"activity": "idle"}),
            ev("nudge", 20, {"kind": "refocus"}),
            ev("distraction", 25, {"signal": "app_switches"}),
            ev("ping", 30, {"stress": 0.7}),
        ],
        minutes=60,
        estimated=45,
    )
    assert kinds(summary) == ["nudge_ignored", "distraction", "stress_spike", "idle_gap", "overrun"]
    assert [f["at_minute"] for f in summary["friction_points"]] == [20.0, 25.0, 30.0, 35.0, 45.0]


# --------------------------------------------------------------------------- nudges


@pytest.mark.parametrize(
    "events, sent, suppressed",
    [
        ([], {}, {}),
        (
            [
                ev("nudge", 5, {"kind": "check_in"}),
                ev("nudge", 40, {"kind": "refocus"}),
                ev("break", 60, {"kind": "micro_break", "break_minutes": 4}),
                ev("nudge", 70, {"kind": "refocus"}),
            ],
            {"check_in": 1, "micro_break": 1, "refocus": 2},
            {},
        ),
        (
            [
                ev("tick", 5, {"reason": "settling_in"}),
                ev("tick", 10, {"reason": "in_flow"}),
                ev("tick", 15, {"reason": "in_flow"}),
                ev("tick", 20, {"reason": "cap", "detail": "8 sent"}),
            ],
            {},
            {"cap": 1, "in_flow": 2, "settling_in": 1},
        ),
        (
            [
                ev("nudge", 5, {}),
                ev("tick", 10, {"reason": None}),
                ev("tick", 15, {"reason": 3}),
                EventRecord("break", at(20), None),
            ],
            {"unknown": 2},
            {"unknown": 2},
        ),
    ],
)
def test_nudge_counts(events, sent, suppressed):
    nudges = summarize(events, minutes=90)["nudges"]
    assert nudges == {"sent": sent, "sent_total": sum(sent.values()), "suppressed": suppressed}


# --------------------------------------------------------------------------- completion and quality pass-through


@pytest.mark.parametrize(
    "quality, stored",
    [
        (None, None),
        ({"note": "test"}, {"note": "test"}),
        ({"rating": 4, "note": "good"}, {"rating": 4, "note": "good"}),
        ("fine", "fine"),
        ([1, "a", None], [1, "a", None]),
        (3, 3),
        (
            {"score": Decimal("0.5"), "when": T0, 7: float("nan"), "tags": ("a", "b"), "set": {1}},
            {"score": 0.5, "when": T0.isoformat(), "7": None, "tags": ["a", "b"], "set": "{1}"},
        ),
    ],
)
def test_session_quality_is_stored_json_safe(quality, stored):
    summary = summarize(quality=quality)
    assert summary["session_quality"] == stored
    json.dumps(summary, allow_nan=False)


@pytest.mark.parametrize(
    "completion, stored",
    [
        (None, None),
        (0.8, 0.8),
        (0, 0.0),
        (1, 1.0),
        (1.5, 1.0),
        (-0.2, 0.0),
        (float("nan"), None),
        ("0.8", None),
        (True, None),
        (Decimal("0.25"), 0.25),
    ],
)
def test_completion_score(completion, stored):
    assert summarize(completion=completion)["completion_score"] == stored


# --------------------------------------------------------------------------- sentences


def _good_session():
    return [
        ev("session_start", 0, rhythm=START_RHYTHM),
        *pings(0.7, 0.75, 0.7, 0.7, 0.72, 0.7, 0.5, 0.45, 0.45),
        ev("flow_start", 15, {"since": at(5).isoformat()}),
        ev("flow_end", 25, {"flow_minutes": 20}),
    ]


@pytest.mark.parametrize(
    "events, kwargs, sentences",
    [
        (_good_session(), {}, ["45 of 45 minutes, 20 in flow; energy dipped after 31 minutes."]),
        ([], {}, ["45 of 45 minutes."]),  # no pings, no flow
        (pings(0.6, 0.62, 0.6), {}, ["45 of 45 minutes; energy held steady."]),
        (pings(0.4, 0.5, 0.6), {}, ["45 of 45 minutes; energy rose as you went."]),
        (pings(0.7, 0.66, 0.62, 0.58, 0.57, 0.56), {}, ["45 of 45 minutes; energy eased off toward the end."]),
        ([ev("flow_start", 0)], {}, ["45 of 45 minutes, all of it in flow."]),
        ([ev("flow_start", 0, {}), ev("flow_end", 0.3)], {}, ["45 of 45 minutes."]),  # under half a minute
        ([ev("flow_start", 10), ev("flow_end", 11)], {}, ["45 of 45 minutes, 1 in flow."]),
        ([ev("flow_start", 10)], {"minutes": 30, "early_end": True}, ["Stopped at 30 of 45 minutes, 20 in flow."]),
        ([ev("flow_start", 10)], {"minutes": 60}, ["60 minutes against a 45-minute estimate, 50 in flow."]),
        (
            [ev("distraction", 10, {"signal": "app_switches"})],
            {},
            ["45 of 45 minutes.", "1 distraction stretch (5 minutes)."],
        ),
        (
            [
                ev("distraction", 10, {"signal": "app_switches"}),
                ev("distraction", 30, {"signal": "app_switches"}),
                ev("ping", 34, {"activity": "away"}),
            ],
            {},
            ["45 of 45 minutes.", "2 distraction stretches (10 minutes) and away for 11 minutes."],
        ),
        ([ev("ping", 44.8, {"activity": "idle"})], {}, ["45 of 45 minutes."]),  # a moment is not a gap
        (
            [
                ev("session_start", 0, rhythm=START_RHYTHM),
                ev("ping", 25, {"stress": 0.6}),
                ev("ping", 30, {"fatigue": 0.7}),
            ],
            {},
            ["45 of 45 minutes.", "Stress rose around minute 25 and fatigue rose around minute 30."],
        ),
        (
            [
                ev("session_start", 0, {}, {"stress": 0.1}),
                ev("ping", 0, {"stress": 0.6}),
                ev("ping", 5, {"stress": 0.6}),
            ],
            {},
            ["45 of 45 minutes.", "Stress ran high from the start."],
        ),
        (
            [ev("nudge", 20, {"kind": "refocus"}), ev("distraction", 22, {"signal": "idle"})],
            {},
            ["45 of 45 minutes.", "Idle for 23 minutes and a nudge didn't stick."],
        ),
        (
            [
                ev("nudge", 10, {"kind": "refocus"}),
                ev("distraction", 12, {"signal": "low_focus"}),
                ev("nudge", 30, {"kind": "refocus"}),
                ev("distraction", 32, {"signal": "low_focus"}),
            ],
            {},
            ["45 of 45 minutes.", "2 distraction stretches (10 minutes) and 2 nudges didn't stick."],
        ),
    ],
)
def test_sentences(events, kwargs, sentences):
    summary = summarize(events, **kwargs)
    assert summary["sentences"] == sentences
    assert summary["headline"] == " ".join(sentences)


def test_headline_example_from_the_issue():
    events = [
        ev("session_start", 0, rhythm=START_RHYTHM),
        *pings(0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.5, 0.5, 0.5, first=0),
        ev("flow_start", 15, {"since": at(5).isoformat()}),
        ev("flow_end", 25),
    ]
    assert (
        summarize(events, completion=1.0)["headline"] == "45 of 45 minutes, 20 in flow; energy dipped after 30 minutes."
    )


# --------------------------------------------------------------------------- sentiment


@pytest.mark.parametrize(
    "completion, quality, early_end, expected",
    [
        (None, None, False, 0.0),
        (None, None, True, -0.1),
        (1.0, None, False, 1.0),
        (0.0, None, False, -1.0),
        (0.5, None, False, 0.0),
        (0.8, None, False, 0.6),
        (0.8, {"note": "test"}, False, 0.6),  # the seed's example: positive
        (0.625, None, False, 0.25),  # exactly the threshold (neutral)
        (0.0, None, True, -1.0),  # clamped
        (1.0, None, True, 0.9),
        (None, {"rating": 5}, False, 1.0),
        (None, {"rating": 1}, False, -1.0),
        (None, {"rating": 3}, False, 0.0),
        (None, {"rating": "4"}, False, 0.5),
        (None, {"rating": 0}, False, 0.0),  # out of range: ignored
        (None, {"rating": 6}, False, 0.0),
        (None, {"rating": True}, False, 0.0),
        (None, {"score": 0.9}, False, 0.8),
        (None, {"score": 1.5}, False, 0.0),
        (None, {"rating": 4, "score": 0.0}, False, 0.5),  # rating wins
        (None, {"rating": "x", "score": 0.0}, False, -1.0),
        (1.0, {"rating": 1}, False, 0.0),  # the mean of both
        (0.9, {"rating": 4}, False, 0.65),
        (0.9, {"rating": 4}, True, 0.55),
        (None, "great", False, 0.0),
        (None, 5, False, 0.0),
        (None, [{"rating": 5}], False, 0.0),
        (float("nan"), None, False, 0.0),
        (2.0, None, False, 1.0),
        (Decimal("0.75"), None, False, 0.5),
    ],
)
def test_summary_sentiment(completion, quality, early_end, expected):
    value = summary_sentiment(completion_score=completion, session_quality=quality, early_end=early_end)
    assert value == pytest.approx(expected)
    assert isinstance(value, float) and -1.0 <= value <= 1.0
    assert value == round(value, 3)


@pytest.mark.parametrize(
    "quality, expected",
    [
        (None, None),
        ({}, None),
        ({"rating": 2}, -0.5),
        ({"rating": 2.5}, -0.25),
        ({"score": "0.25"}, -0.5),
        ({"score": float("inf")}, None),
        ("5", None),
    ],
)
def test_quality_value(quality, expected):
    assert quality_value(quality) == expected


# --------------------------------------------------------------------------- properties

unit = st.one_of(
    st.floats(min_value=0, max_value=1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 3),
    st.none(),
    st.text(max_size=3),
    st.booleans(),
)
anything = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
content = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "energy": unit,
            "stress": unit,
            "fatigue": unit,
            "focus": unit,
            "activity": st.sampled_from(["active", "idle", "away", "other", None]),
            "kind": st.sampled_from(["check_in", "refocus", "micro_break", "recovery_break", "wrap_up", None, 3]),
            "reason": st.one_of(st.sampled_from(["in_flow", "backoff", "cap", "settling_in"]), anything),
            "signal": st.sampled_from(["idle", "away", "app_switches", "low_focus", "", None]),
            "since": st.one_of(
                st.datetimes(timezones=st.just(timezone.utc)).map(datetime.isoformat),
                st.text(max_size=8),
                st.integers(),
            ),
            "flow_minutes": anything,
            "app_switches": st.integers(-5, 100),
        },
    ),
    anything,
)
snapshot = st.one_of(st.none(), st.fixed_dictionaries({}, optional={"energy": unit, "stress": unit, "fatigue": unit}))
event_types = st.sampled_from(
    ["session_start", "tick", "nudge", "break", "ping", "flow_start", "flow_end", "distraction", "session_end", "bogus"]
)
events_strategy = st.lists(
    st.builds(
        EventRecord,
        event_type=event_types,
        ts=st.floats(min_value=-600, max_value=20000, allow_nan=False).map(lambda s: T0 + timedelta(seconds=s)),
        content=content,
        rhythm_snapshot=snapshot,
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=events_strategy,
    duration_seconds=st.floats(min_value=-100, max_value=20000, allow_nan=False),
    estimated=st.integers(-10, 300),
    completion=unit,
    quality=anything,
    early_end=st.booleans(),
    tick_seconds=st.sampled_from([1, 2, 60, 300]),
)
def test_build_summary_never_raises_and_stays_in_range(
    events, duration_seconds, estimated, completion, quality, early_end, tick_seconds
):
    summary = build_summary(
        started_at=T0,
        ended_at=T0 + timedelta(seconds=duration_seconds),
        estimated_minutes=estimated,
        completion_score=completion,
        session_quality=quality,
        early_end=early_end,
        events=events,
        tick_seconds=tick_seconds,
    )
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary  # only plain JSON types
    total = summary["duration"]["actual_minutes"]
    assert total >= 0 and summary["duration"]["overrun_minutes"] >= 0
    assert summary["completion_score"] is None or 0 <= summary["completion_score"] <= 1
    curve = summary["energy_curve"]
    assert curve["trend"] in {"rising", "falling", "steady", "unknown"}
    for point in curve["points"]:
        assert 0 <= point["energy"] <= 1 and 0 <= point["minute"] <= total
    for key in ("start", "peak", "end", "low"):
        assert curve[key] is None or 0 <= curve[key] <= 1
    flow = summary["flow_windows"]
    for window in flow["windows"]:
        assert 0 <= window["start_minute"] <= window["end_minute"] <= total
        assert window["minutes"] >= 0
    assert 0 <= flow["total_minutes"] <= total + 0.1
    for point in summary["friction_points"]:
        assert point["kind"] in {
            "distraction",
            "idle_gap",
            "early_end",
            "overrun",
            "stress_spike",
            "fatigue_spike",
            "nudge_ignored",
        }
        assert 0 <= point["at_minute"] <= max(total, summary["duration"]["estimated_minutes"])
        assert point["minutes"] is None or point["minutes"] >= 0
        assert isinstance(point["detail"], str) and point["detail"]
    assert summary["nudges"]["sent_total"] == sum(summary["nudges"]["sent"].values())
    assert 1 <= len(summary["sentences"]) <= 2
    assert all(s and not s[0].islower() and s.endswith(".") and "  " not in s for s in summary["sentences"])
    assert summary["headline"] == " ".join(summary["sentences"])


@settings(max_examples=200, deadline=None)
@given(completion=unit, quality=anything, early_end=st.booleans())
def test_sentiment_is_always_a_number_in_range(completion, quality, early_end):
    value = summary_sentiment(completion_score=completion, session_quality=quality, early_end=early_end)
    assert isinstance(value, float) and math.isfinite(value) and -1.0 <= value <= 1.0


# --------------------------------------------------------------------------- bounds


def test_friction_is_listed_up_to_the_cap_and_counted_in_full():
    # 60 idle stretches of growing length (7 minutes and more, 15 minutes apart), then the session ends early.
    events = [
        e
        for i in range(60)
        for e in (
            ev("ping", i * 15, {"activity": "idle"}),
            ev("ping", i * 15 + 1, {"activity": "idle"}),
            ev("ping", i * 15 + 7 + 0.05 * i, {"activity": "active"}),
        )
    ]
    summary = summarize(events, minutes=910, estimated=912, early_end=True)
    listed = summary["friction_points"]
    assert len(listed) == MAX_FRICTION_POINTS
    assert "early_end" in kinds(summary)  # how the session ended is always listed
    gaps = [f for f in listed if f["kind"] == "idle_gap"]
    assert min(f["minutes"] for f in gaps) >= 7 + 0.05 * 37 - 0.1  # the longest ones were kept
    assert [f["at_minute"] for f in listed] == sorted(f["at_minute"] for f in listed)
    assert summary["friction_totals"]["idle_gap"]["count"] == 60
    gap_minutes = sum(7 + 0.05 * i for i in range(60))
    assert summary["friction_totals"]["idle_gap"]["minutes"] == pytest.approx(gap_minutes, abs=0.2)
    assert summary["friction_totals"]["early_end"] == {"count": 1, "minutes": 2.0}
    assert summary["sentences"][1] in {f"Idle for {duration_text(m)}." for m in (508, 509)}  # counts every one


def test_flow_windows_are_listed_up_to_the_cap_and_totalled_in_full():
    events = [e for i in range(40) for e in (ev("flow_start", i), ev("flow_end", i + 0.1 + 0.01 * i))]
    flow = summarize(events)["flow_windows"]
    assert len(flow["windows"]) == MAX_FLOW_WINDOWS and flow["count"] == 40
    assert flow["windows"][0]["start_minute"] == 40 - MAX_FLOW_WINDOWS  # the longest: the later ones
    assert flow["total_minutes"] == round(sum(0.1 + 0.01 * i for i in range(40)), 1)


def test_counted_labels_are_capped_and_the_rest_counted_as_other():
    events = [ev("tick", i * 0.1, {"reason": f"reason_{i % 40}"}) for i in range(400)]
    suppressed = summarize(events)["nudges"]["suppressed"]
    assert len(suppressed) == MAX_COUNTED_LABELS and sum(suppressed.values()) == 400
    assert suppressed["other"] == 400 - 10 * (MAX_COUNTED_LABELS - 1)


def test_a_long_session_summary_stays_small():
    readings = [
        {"energy": (i % 10) / 10, "stress": 0.9 * (i % 2), "activity": ("idle", "active")[i % 2]} for i in range(20_000)
    ]
    events = [ev("ping", i * 0.03, r, rhythm={"energy": 0.5, "stress": 0.2}) for i, r in enumerate(readings)]
    summary = summarize(events, minutes=600, estimated=600)
    assert len(json.dumps(summary)) < 32 * 1024
    assert summary["friction_totals"]["idle_gap"]["count"] == 1  # idle every other ping: one long stretch


@pytest.mark.parametrize(
    "hours, estimated, sentence, detail",
    [
        (
            12,
            45,
            "Ended automatically after 12 hours against a 45-minute estimate.",
            "left running, ended automatically after 12 hours",
        ),
        (1, 0, "Ended automatically after 1 hour.", "left running, ended automatically after 1 hour"),
        (
            0.5,
            30,
            "Ended automatically after 0.5 hours against a 30-minute estimate.",
            "left running, ended automatically after 0.5 hours",
        ),
    ],
)
def test_a_session_the_sweep_ended_says_so(hours, estimated, sentence, detail):
    summary = build_summary(
        started_at=T0,
        ended_at=T0 + timedelta(hours=hours),
        estimated_minutes=estimated,
        completion_score=None,
        session_quality=None,
        early_end=True,
        events=[],
        ended_after_hours=hours,
    )
    assert summary["sentences"][0] == sentence and summary["ended_automatically"] is True
    (point,) = of_kind(summary, "early_end")
    assert point["detail"] == detail


def test_a_session_a_person_ended_is_not_marked_automatic():
    assert summarize()["ended_automatically"] is False


def test_a_distraction_episode_starts_when_its_evidence_began_and_ends_when_switching_calmed():
    """Issue 11: the summary placed a 10-minute distraction 5 minutes late; the policy's
    ``since`` is when the run of high readings began, and the episode lasts until a ping's
    switches fall below three quarters of the ``threshold`` it was detected at."""
    events = [
        ev("ping", 20, {"app_switches": 15}),
        ev("ping", 22, {"app_switches": 16}),
        ev("distraction", 25, {"signal": "app_switches", "since": at(20).isoformat(), "threshold": 8.0}),
        ev("ping", 27, {"app_switches": 7}),  # not below 6 yet: still in it
        ev("ping", 31, {"app_switches": 4}),
    ]
    (episode,) = of_kind(summarize(events), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (20.0, 11.0)


def test_a_detection_whose_evidence_overlaps_the_last_episode_continues_it():
    events = [
        ev("ping", 18, {"app_switches": 12}),
        ev("distraction", 25, {"signal": "app_switches", "since": at(18).isoformat(), "threshold": 8.0}),
        ev("ping", 30, {"app_switches": 3}),  # calmed: the episode would end here
        ev("distraction", 35, {"signal": "app_switches", "since": at(26).isoformat(), "threshold": 8.0}),
        ev("ping", 38, {"app_switches": 2}),
    ]
    (episode,) = of_kind(summarize(events), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (18.0, 20.0)
    apart = [*events[:3], ev("distraction", 45, {"signal": "app_switches", "since": at(40).isoformat()})]
    assert [p["at_minute"] for p in of_kind(summarize(apart), "distraction")] == [18.0, 40.0]


def test_switching_that_began_during_a_closed_episode_continues_it():
    """A self-report closes with the next ping that rates focus above low, but the switching
    detected later may have begun within it or a tick period after it: one episode, not two."""
    events = [
        ev("distraction", 30, {"signal": "low_focus", "since": at(29).isoformat()}),
        ev("ping", 31, {"app_switches": 9, "focus": 0.6}),  # focus back above low: the episode closes
        ev("distraction", 40, {"signal": "app_switches", "since": at(30.5).isoformat(), "threshold": 8.0}),
        ev("ping", 44, {"app_switches": 2}),
    ]
    (episode,) = of_kind(summarize(events), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (29.0, 15.0)
    assert episode["detail"].startswith("low focus and app switching")
    later = [*events[:2], ev("distraction", 40, {"signal": "app_switches", "since": at(36).isoformat()})]
    assert [p["at_minute"] for p in of_kind(summarize(later), "distraction")] == [29.0, 36.0]


@pytest.mark.parametrize("tick", [300, 2])
def test_a_switching_episode_begins_where_the_switching_rose_read_with_all_of_it(tick):
    """Issue 11: a person unusually quiet for their first twenty minutes (one switch in five) has
    their ordinary pace (two a ping from minute 20) read at detection as the distraction's start.
    Once it is over, the readings after it show their pace too (two a ping), and the episode
    begins where the switching rose to its own (eight a ping from minute 30)."""
    minutes = [2.5 * k for k in range(1, 25)]
    counts = [k % 2 if m <= 20 else 8 if 30 < m <= 40 else 2 for k, m in enumerate(minutes)]
    switches = [
        ev(
            "ping",
            m,
            {"activity": "active", "app_switches": c, "app_switches_counter": "since_last_ping"},
            tick_seconds=tick,
        )
        for m, c in zip(minutes, counts)
    ]
    detected = ev(
        "distraction",
        35,
        {"signal": "app_switches", "since": at(20, tick).isoformat(), "threshold": 4.0},
        tick_seconds=tick,
    )
    events = sorted([*switches, detected], key=lambda e: e.ts)
    (episode,) = of_kind(summarize(events, minutes=60, estimated=60, tick_seconds=tick), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (30.0, 12.5)  # ended by the 2 at 42.5
    # Too few readings around it to read the person's pace by: the detection's own start stands.
    few = [e for e in events if at(12.5, tick) <= e.ts <= at(45, tick)]
    (early,) = of_kind(summarize(few, minutes=60, estimated=60, tick_seconds=tick), "distraction")
    assert early["at_minute"] == 20.0


def test_a_distraction_episode_ends_when_the_person_steps_away():
    """A rolling count still carries the last minutes' switches into a break: the stretch ends at
    the first of two idle/away pings in a row (a break, not more distraction); one idle reading
    among busy ones is a moment of thought and does not end it."""
    events = [
        ev("ping", 20, {"app_switches": 15}),
        ev("distraction", 25, {"signal": "app_switches", "since": at(20).isoformat(), "threshold": 8.0}),
        ev("ping", 26, {"activity": "idle", "app_switches": 12}),  # one idle reading: still in it
        ev("ping", 27, {"activity": "active", "app_switches": 14}),
        ev("ping", 29, {"activity": "away", "app_switches": 9}),
        ev("ping", 31, {"activity": "away", "app_switches": 7}),
        ev("ping", 45, {"activity": "active", "app_switches": 2}),
    ]
    (episode,) = of_kind(summarize(events), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (20.0, 9.0)


@pytest.mark.parametrize("since", ["not a time", at(30).isoformat(), None])
def test_a_distraction_without_a_usable_since_starts_at_its_event(since):
    events = [ev("distraction", 25, {"signal": "app_switches", "since": since})]
    (episode,) = of_kind(summarize(events), "distraction")
    assert (episode["at_minute"], episode["minutes"]) == (25.0, 5.0)


def test_a_spike_that_dips_and_rises_again_soon_is_one_and_a_blip_is_none():
    """Issue 11 (held-out seeds): stress up for an hour dipped below half its rise for a reading
    or two and was two friction points; a median that was up for two minutes was one more."""
    start = [0.3] * 5
    dipped = pings(*start, *[0.5] * 5, 0.35, 0.35, *[0.5] * 5, key="stress", every=2)
    (spike,) = of_kind(summarize(dipped, minutes=60, estimated=60), "stress_spike")
    assert (spike["at_minute"], spike["minutes"]) == (13.0, 47.0)
    apart = pings(*start, *[0.5] * 5, *[0.35] * 6, *[0.5] * 5, key="stress", every=2)
    assert len(of_kind(summarize(apart, minutes=60, estimated=60), "stress_spike")) == 2
    blip = pings(*start, 0.5, 0.5, 0.3, 0.3, *[0.3] * 10, key="stress", every=1)
    assert of_kind(summarize(blip, minutes=60, estimated=60), "stress_spike") == []


def test_a_slow_drift_is_not_a_spike_but_a_step_is():
    """Issue 11: tiredness creeping up over a long session is what work does, not a friction point."""
    drift = [ev("session_start", 0, rhythm={"fatigue": 0.3})] + pings(
        *(0.3 + 0.01 * i for i in range(18)), key="fatigue"
    )
    assert of_kind(summarize(drift, minutes=90, estimated=90), "fatigue_spike") == []
    step = [ev("session_start", 0, rhythm={"fatigue": 0.3})] + pings(*([0.3] * 9 + [0.5] * 9), key="fatigue")
    (spike,) = of_kind(summarize(step, minutes=90, estimated=90), "fatigue_spike")
    assert spike["at_minute"] == 51.0  # the second risen reading: the median of three moved

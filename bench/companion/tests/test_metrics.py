"""How the benchmark reads a session: the break rows and the friction rows on hand-made runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bench.companion.drive import SessionRun
from bench.companion.metrics import fewer_check_ins, friction_per_episode, refocus_for_break
from bench.companion.people import SessionPlan, Truth
from focus import vocabulary
from focus.summary import EventRecord

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


def _refocus_after(minute: float, signal: str) -> list[EventRecord]:
    return [
        EventRecord("distraction", _at(minute), {"signal": signal}),
        EventRecord("nudge", _at(minute), {"kind": "refocus"}),
    ]


def _point(kind: str, at: float, minutes: float) -> dict:
    return {"kind": kind, "at_minute": at, "minutes": minutes, "detail": ""}


def _run(truth: Truth, events: list[EventRecord] = (), friction: list[dict] = ()) -> SessionRun:
    totals: dict[str, dict] = {}
    for point in friction:
        totals.setdefault(point["kind"], {"count": 0, "minutes": 0.0})["count"] += 1
    plan = SessionPlan(minutes=105, estimate=105, mode="deep", pings=[], truth=truth)
    summary = {"friction_points": list(friction), "friction_totals": totals}
    return SessionRun(plan, START, _at(105), list(events), summary, [], {})


COFFEE = Truth(breaks=[(45.0, 60.0, "away")])


def test_a_refocus_during_the_break_or_as_the_person_comes_back_is_for_the_break():
    for events in (_refocus_after(50, "app_switches"), _refocus_after(64, "app_switches"), _refocus_after(80, "away")):
        row = refocus_for_break("coffee_break", [[_run(COFFEE, events)]])
        assert row.passed is False and row.value.startswith("1/1")


def test_a_refocus_for_switching_well_after_the_break_is_not_the_breaks():
    for events in ([], _refocus_after(20, "app_switches"), _refocus_after(75, "app_switches")):
        row = refocus_for_break("coffee_break", [[_run(COFFEE, events)]])
        assert row.passed is True and row.value.startswith("0/1")


def _friction_rows(run: SessionRun) -> dict[str, bool | None]:
    return {row.metric: row.passed for row in friction_per_episode("x", [[run]])}


def test_one_friction_point_per_real_episode_passes_every_reading():
    run = _run(Truth(distractions=[(20.0, 30.0)]), friction=[_point("distraction", 19.0, 12.0)])
    assert set(_friction_rows(run).values()) == {True}


def test_a_fragmented_episode_fails_the_issues_row():
    truth = Truth(distractions=[(20.0, 30.0)])
    run = _run(truth, friction=[_point("distraction", 20.0, 4.0), _point("distraction", 26.0, 4.0)])
    assert _friction_rows(run)["friction points <= 1 per real episode"] is False


def test_a_false_detection_is_not_fragmentation_but_is_counted_beside_it():
    run = _run(COFFEE, friction=[_point("idle_gap", 45.5, 14.0), _point("distraction", 20.0, 10.0)])
    rows = _friction_rows(run)
    assert rows["friction points <= 1 per real episode"] is True
    assert rows["sessions with a friction point and no real episode"] is False
    assert rows["friction points <= real episodes (strict reading)"] is False


def test_points_the_summary_left_unlisted_count_as_without_an_episode():
    run = _run(COFFEE, friction=[_point("idle_gap", 45.5, 14.0)])
    run.summary["friction_totals"]["idle_gap"]["count"] = 3  # two more than the capped list shows
    assert _friction_rows(run)["sessions with a friction point and no real episode"] is False


def test_a_false_detection_just_before_a_real_one_is_not_a_fragment_of_it():
    truth = Truth(distractions=[(23.7, 33.7)])
    run = _run(truth, friction=[_point("distraction", 12.0, 8.2), _point("distraction", 24.0, 10.0)])
    rows = _friction_rows(run)
    assert rows["friction points <= 1 per real episode"] is True
    assert rows["sessions with a friction point and no real episode"] is False


def test_a_point_between_two_breaks_is_the_nearer_ones():
    truth = Truth(breaks=[(30.6, 34.7, "idle"), (41.6, 46.5, "idle")])
    run = _run(truth, friction=[_point("idle_gap", 27.1, 7.8), _point("idle_gap", 38.4, 8.5)])
    assert set(_friction_rows(run).values()) == {True}


def _session_with_check_ins(dismissed: int, learned_factor: float = 1.0) -> SessionRun:
    events: list[EventRecord] = []
    for n in range(dismissed):
        events.append(EventRecord("nudge", _at(30 + 60 * n), {"kind": "check_in"}))
        events.append(
            EventRecord(
                vocabulary.NUDGE_RESPONSE, _at(31 + 60 * n), {"event_id": len(events) - 1, "response": "dismiss"}
            )
        )
    run = _run(Truth(), events)
    run.summary["learned"] = [{"kind": "check_in", "factor": learned_factor}]
    return run


def test_check_ins_are_learned_from_the_people_who_dismissed_enough_of_them():
    taught = [_session_with_check_ins(1), _session_with_check_ins(1, learned_factor=3.0)]
    untaught = [_session_with_check_ins(0), _session_with_check_ins(1)]
    row = next(r for r in fewer_check_ins("d", [taught, untaught]) if "spaced out" in r.metric)
    assert row.passed is True and row.value.startswith("1/1") and "1 got fewer" in row.value
    not_learned = [_session_with_check_ins(1), _session_with_check_ins(1)]
    row = next(r for r in fewer_check_ins("d", [not_learned, untaught]) if "spaced out" in r.metric)
    assert row.passed is False


def test_a_refocus_sent_before_the_client_reported_the_break_is_not_the_breaks():
    events = [
        EventRecord("ping", _at(45.9), {"activity": "away", "app_switches": 4}),
        *_refocus_after(45, "app_switches"),
    ]
    early = Truth(breaks=[(44.0, 59.0, "away")])
    assert refocus_for_break("coffee_break", [[_run(early, events)]]).passed is True
    events.append(EventRecord("nudge", _at(46), {"kind": "refocus"}))
    assert refocus_for_break("coffee_break", [[_run(early, events)]]).passed is False

"""The tick invariant the integration and fault tests assert (tick_schedule_violations): one tick per
due time, anchored where the engine anchors, on the engine's own cadence (focus/engine.py _next_due)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from focus.tests.test_integration_ticks import tick_schedule_violations

T0 = datetime(2031, 5, 5, 9, 0, tzinfo=timezone.utc)
P = 2.0


def at(*seconds: float) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_a_tick_late_by_just_under_a_period_then_one_on_time_is_one_tick_per_due_time():
    # The run that failed the old period buckets ("two ticks in one period: [1, 1, ...]"): first due
    # 0.9 s after started_at, its tick 1.95 s late, the next due (2.9) on time a moment later. Counted
    # from started_at both fall in period 1; nothing was doubled.
    ticks = at(2.85, 3.0, 4.95, 6.9)
    assert [int(s // P) for s in (2.85, 3.0)] == [1, 1]
    assert tick_schedule_violations(ticks, first_due=T0 + timedelta(seconds=0.9), period=P) == []


def test_a_tick_a_period_or_more_late_restarts_the_cadence_from_when_it_ran():
    assert tick_schedule_violations(at(0.1, 7.0, 9.0, 11.1), first_due=T0, period=P) == []
    # ... so the missed due times are not made up in a burst.
    assert tick_schedule_violations(at(0.1, 7.0, 7.5), first_due=T0, period=P)


def test_two_ticks_for_one_due_time_or_one_before_its_due_time_are_violations():
    assert tick_schedule_violations(at(0.1, 0.2), first_due=T0, period=P)  # doubled
    assert tick_schedule_violations(at(0.1, 1.5), first_due=T0, period=P)  # early
    assert tick_schedule_violations(at(-0.5), first_due=T0, period=P)


def test_the_anchor_is_the_first_due_time_not_the_start():
    # The same ticks replayed from started_at (a tick 2.85 s late restarts the cadence) look early.
    assert tick_schedule_violations(at(2.85, 3.0), first_due=T0 + timedelta(seconds=0.9), period=P) == []
    assert tick_schedule_violations(at(2.85, 3.0), first_due=T0, period=P)

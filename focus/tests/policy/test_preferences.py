"""The person's preferences in the policy: kinds they hold and their working hours, as plain values."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from focus.policy import TICK_REASONS, RhythmValues, WorkingHours, decide
from focus.policy.preferences import preference_block
from focus.tests.policy.test_decide import CFG, at, make_ctx

# T0 (test_decide) is Monday 2025-03-03 09:00 UTC; at(45) is 09:45 UTC (10:45 in Berlin).
NINE_TO_FIVE_BERLIN = WorkingHours(start=time(9), end=time(17), days=frozenset(range(5)), zone="Europe/Berlin")
EVENINGS_UTC = WorkingHours(start=time(18), end=time(23), days=frozenset(range(7)), zone="UTC")
CHECK_IN_DUE = dict(now=at(45))  # nothing else going on: a check-in is due (45 quiet minutes)
STRESSED = dict(rhythm_now=RhythmValues(stress=0.95))  # a recovery break is due


def test_without_preferences_the_check_in_goes_out():
    decision = decide(make_ctx(**CHECK_IN_DUE), CFG)
    assert (decision.event_type, decision.content["kind"]) == ("nudge", "check_in")


def test_a_held_kind_is_not_sent_and_the_tick_says_the_person_turned_it_off():
    decision = decide(make_ctx(held_kinds=frozenset({"check_in"}), **CHECK_IN_DUE), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] == "held_by_you"
    assert decision.content["detail"] == "Held back a check-in because you turned them off in your preferences."
    assert "held_by_you" in TICK_REASONS


def test_a_held_kind_lets_the_next_kind_through():
    # Past a 5-minute estimate, a wrap-up comes first; held, the check-in goes instead.
    ctx = make_ctx(held_kinds=frozenset({"wrap_up"}), estimated_minutes=5, **CHECK_IN_DUE)
    assert decide(make_ctx(estimated_minutes=5, **CHECK_IN_DUE), CFG).content["kind"] == "wrap_up"
    assert decide(ctx, CFG).content["kind"] == "check_in"


def test_a_recovery_break_is_never_held_even_when_named():
    decision = decide(make_ctx(held_kinds=frozenset({"recovery_break", "check_in"}), **STRESSED), CFG)
    assert (decision.event_type, decision.content["kind"]) == ("break", "recovery_break")


def test_outside_working_hours_a_nudge_is_held_with_that_reason():
    decision = decide(make_ctx(working_hours=EVENINGS_UTC, **CHECK_IN_DUE), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] == "outside_working_hours"
    assert decision.content["detail"] == "Held back a check-in because it's outside your working hours."


def test_inside_working_hours_in_the_persons_zone_the_nudge_goes_out():
    decision = decide(make_ctx(working_hours=NINE_TO_FIVE_BERLIN, **CHECK_IN_DUE), CFG)
    assert decision.content["kind"] == "check_in"


def test_a_recovery_break_goes_out_outside_working_hours():
    decision = decide(make_ctx(working_hours=EVENINGS_UTC, **STRESSED), CFG)
    assert decision.content["kind"] == "recovery_break"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=timezone.utc)  # 2025-03-03 is a Monday


@pytest.mark.parametrize(
    "hours, moment, inside",
    [
        (NINE_TO_FIVE_BERLIN, utc(3, 8), True),  # 09:00 Berlin, Monday: the start is inside
        (NINE_TO_FIVE_BERLIN, utc(3, 7, 59), False),  # 08:59 Berlin
        (NINE_TO_FIVE_BERLIN, utc(3, 16), False),  # 17:00 Berlin: the end is outside
        (NINE_TO_FIVE_BERLIN, utc(8, 10), False),  # Saturday
        (NINE_TO_FIVE_BERLIN, utc(31, 7), True),  # 09:00 Berlin on the Monday after the switch to summer time
        # Past midnight, Friday nights only: 22:00-06:00 belongs to the day it starts on.
        (WorkingHours(time(22), time(6), frozenset({4}), "UTC"), utc(7, 23), True),  # Friday 23:00
        (WorkingHours(time(22), time(6), frozenset({4}), "UTC"), utc(8, 5, 59), True),  # Saturday 05:59
        (WorkingHours(time(22), time(6), frozenset({4}), "UTC"), utc(8, 6), False),  # Saturday 06:00
        (WorkingHours(time(22), time(6), frozenset({4}), "UTC"), utc(8, 23), False),  # Saturday 23:00
        (WorkingHours(time(22), time(6), frozenset({4}), "UTC"), utc(7, 5), False),  # Friday 05:00 (Thursday's night)
    ],
)
def test_working_hours_in_their_zone(hours, moment, inside):
    assert hours.contains(moment) is inside


def test_a_held_kind_outranks_working_hours_in_the_reason():
    assert (
        preference_block("check_in", now=utc(3, 3), held_kinds={"check_in"}, working_hours=NINE_TO_FIVE_BERLIN)
        == "held_by_you"
    )
    assert preference_block("recovery_break", now=utc(3, 3), held_kinds=(), working_hours=EVENINGS_UTC) is None

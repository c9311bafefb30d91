"""rhythm.habit: the habit-strength rule and the emotion thresholds, without Django."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhythm.habit import (
    EARLY_END_FACTOR,
    GRACE_DAYS,
    HALF_LIFE_DAYS,
    RATE,
    emotion_from_sentiment,
    habit_strength_after_session,
    habit_strength_decayed,
    session_match,
    session_quality_for_habit,
)


def after(strength, actual=45, estimated=45, early_end=False, completion=None):
    return habit_strength_after_session(
        strength,
        actual_minutes=actual,
        estimated_minutes=estimated,
        early_end=early_end,
        completion_score=completion,
    )


# --------------------------------------------------------------------------- emotion


@pytest.mark.parametrize(
    "sentiment, emotion",
    [
        (None, None),
        (float("nan"), None),
        (1.0, "positive"),
        (0.6, "positive"),
        (0.251, "positive"),
        (0.25, "neutral"),  # the seed's thresholds are strict
        (0.0, "neutral"),
        (-0.25, "neutral"),
        (-0.251, "negative"),
        (-1.0, "negative"),
        (Decimal("0.250"), "neutral"),  # as stored in memory_short_term.sentiment
        (Decimal("0.251"), "positive"),
        (Decimal("-0.300"), "negative"),
        (1, "positive"),
        (float("inf"), None),
    ],
)
def test_emotion_from_sentiment(sentiment, emotion):
    assert emotion_from_sentiment(sentiment) == emotion


# --------------------------------------------------------------------------- one session


@pytest.mark.parametrize(
    "actual, estimated, match",
    [
        (45, 45, 1.0),
        (40.5, 45, 1.0),  # 0.9 of the estimate: near enough
        (56.25, 45, 1.0),  # 1.25 of the estimate: near enough
        (36, 45, 0.8 / 0.9),
        (0, 45, 0.0),
        (-5, 45, 0.0),
        (90, 45, 0.625),  # twice the estimate
        (450, 45, 0.5),  # floor for long overruns
        (30, 0, 1.0),  # no estimate: any time counts
        (0, 0, 0.0),
        (float("nan"), 45, 0.0),
    ],
)
def test_session_match(actual, estimated, match):
    assert session_match(actual_minutes=actual, estimated_minutes=estimated) == pytest.approx(match)


@pytest.mark.parametrize(
    "completion, quality",
    [(None, 1.0), (1.0, 1.0), (0.0, 0.5), (0.6, 0.8), (1.7, 1.0), (-1, 0.5), (float("nan"), 1.0), (True, 1.0)],
)
def test_session_quality_for_habit(completion, quality):
    assert session_quality_for_habit(
        actual_minutes=45, estimated_minutes=45, completion_score=completion
    ) == pytest.approx(quality)


@pytest.mark.parametrize(
    "strength, kwargs, expected",
    [
        (0.0, {}, RATE),  # a perfect session from nothing
        (0.5, {}, 0.5 + RATE * 0.5),
        (1.0, {}, 1.0),  # never past 1
        (0.0, {"early_end": True}, RATE * EARLY_END_FACTOR),
        (0.0, {"actual": 30, "early_end": True}, RATE * EARLY_END_FACTOR * (30 / 45 / 0.9)),
        (0.0, {"completion": 0.0}, RATE * 0.5),
        (0.0, {"actual": 0, "early_end": True}, 0.0),  # nothing done: no gain
        (0.0, {"actual": 0, "early_end": True, "completion": 1.0}, RATE * EARLY_END_FACTOR * 0.5),
        (0.2, {"actual": 90}, 0.2 + RATE * 0.625 * 0.8),
        (-0.5, {}, RATE),  # out-of-range input is clamped first
        (1.5, {}, 1.0),
        (float("nan"), {}, RATE),
    ],
)
def test_after_session(strength, kwargs, expected):
    assert after(strength, **kwargs) == pytest.approx(expected)


@pytest.mark.parametrize("strength", [0.0, 0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("actual", [10, 30, 45, 60, 120])
@pytest.mark.parametrize("completion", [None, 0.0, 0.5, 1.0])
def test_early_end_gains_less_than_ending_normally(strength, actual, completion):
    normal = after(strength, actual=actual, completion=completion)
    early = after(strength, actual=actual, completion=completion, early_end=True)
    assert strength < early < normal


@pytest.mark.parametrize("strength", [0.0, 0.3, 0.8])
@pytest.mark.parametrize("early_actual", [5, 20, 30, 40])
def test_completed_near_estimate_beats_an_early_end(strength, early_actual):
    assert after(strength, actual=45, completion=1.0) > after(
        strength, actual=early_actual, early_end=True, completion=1.0
    )


@pytest.mark.parametrize("low, high", [(0.0, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 0.99)])
def test_diminishing_returns(low, high):
    assert after(high) - high < after(low) - low  # smaller gain the stronger the habit
    assert after(low) < after(high)  # but the order is kept


@pytest.mark.parametrize("worse, better", [(0, 10), (10, 30), (30, 40), (40, 45)])
def test_closer_to_the_estimate_gains_more(worse, better):
    assert after(0.3, actual=worse) < after(0.3, actual=better)


def test_many_perfect_daily_sessions_approach_but_never_pass_one():
    strength, history = 0.0, []
    for _ in range(66):
        strength = after(strength)
        history.append(strength)
    assert history == sorted(history)
    assert 0.94 < strength < 0.96  # Lally et al.: ~95% of the plateau after 66 days
    for _ in range(2000):
        strength = after(strength)
    assert strength <= 1.0


# --------------------------------------------------------------------------- decay


@pytest.mark.parametrize(
    "strength, days, expected",
    [
        (0.8, 0, 0.8),
        (0.8, 0.5, 0.8),
        (0.8, GRACE_DAYS, 0.8),  # no decay in the first day
        (0.8, GRACE_DAYS + HALF_LIFE_DAYS, 0.4),  # one half-life
        (0.8, GRACE_DAYS + 2 * HALF_LIFE_DAYS, 0.2),
        (0.8, GRACE_DAYS + HALF_LIFE_DAYS / 2, 0.8 / math.sqrt(2)),
        (0.0, 100, 0.0),
        (1.0, 10_000, 0.0),
        (0.8, float("inf"), 0.0),
        (0.8, -3, 0.8),  # a clock going backwards does not decay
        (0.8, float("nan"), 0.8),
        (1.5, 0, 1.0),
        (-0.2, 0, 0.0),
    ],
)
def test_decay(strength, days, expected):
    assert habit_strength_decayed(strength, days_idle=days) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("fewer, more", [(0, 2), (1, 1.01), (2, 3), (3, 10), (10, 60)])
def test_decay_is_monotone_in_idle_days(fewer, more):
    assert habit_strength_decayed(0.7, days_idle=more) <= habit_strength_decayed(0.7, days_idle=fewer)
    if more > GRACE_DAYS:
        assert habit_strength_decayed(0.7, days_idle=more) < habit_strength_decayed(0.7, days_idle=fewer)


# --------------------------------------------------------------------------- properties

strengths = st.floats(min_value=0, max_value=1)
minutes = st.floats(min_value=0, max_value=600)
completions = st.one_of(st.none(), st.floats(min_value=0, max_value=1))


@settings(max_examples=200, deadline=None)
@given(
    strength=strengths,
    other=strengths,
    actual=minutes,
    estimated=st.integers(0, 300),
    early_end=st.booleans(),
    completion=completions,
)
def test_after_session_is_bounded_monotone_and_diminishing(strength, other, actual, estimated, early_end, completion):
    def run(s):
        return habit_strength_after_session(
            s, actual_minutes=actual, estimated_minutes=estimated, early_end=early_end, completion_score=completion
        )

    result = run(strength)
    assert strength <= result <= 1.0
    assert result - strength <= RATE + 1e-12
    low, high = sorted((strength, other))
    assert run(low) <= run(high) + 1e-12  # stronger before, at least as strong after
    assert run(high) - high <= run(low) - low + 1e-12  # but a smaller gain
    early = habit_strength_after_session(
        strength, actual_minutes=actual, estimated_minutes=estimated, early_end=True, completion_score=completion
    )
    normal = habit_strength_after_session(
        strength, actual_minutes=actual, estimated_minutes=estimated, early_end=False, completion_score=completion
    )
    assert early <= normal


@settings(max_examples=200, deadline=None)
@given(strength=strengths, a=st.floats(min_value=0, max_value=3650), b=st.floats(min_value=0, max_value=3650))
def test_decay_is_bounded_and_composes(strength, a, b):
    decayed = habit_strength_decayed(strength, days_idle=a)
    assert 0.0 <= decayed <= strength
    if a >= GRACE_DAYS and b >= 0:
        # past the grace day, decaying a then b equals decaying a + b at once (pure exponential)
        once = habit_strength_decayed(strength, days_idle=a + b)
        twice = habit_strength_decayed(decayed, days_idle=GRACE_DAYS + b)
        assert twice == pytest.approx(once, rel=1e-9, abs=1e-300)

"""Focus habit strength (0..1) and the emotion label of a sentiment: pure functions, no Django.

Habit strength
--------------
After each ended session::

    ratio = actual_minutes / estimated_minutes
    match = 1                                   if MATCH_LOW <= ratio <= MATCH_HIGH   (near the estimate)
            ratio / MATCH_LOW                   if ratio < MATCH_LOW                  (stopped short: linear to 0)
            max(OVERRUN_FLOOR, MATCH_HIGH / ratio)  if ratio > MATCH_HIGH             (ran long: gently less)
    quality = (match + completion_score) / 2    if a completion score was given, else match
    gain = RATE * quality * (1 - strength) * (EARLY_END_FACTOR if early_end else 1)
    strength' = clamp(strength + gain, 0, 1)

- The gain is proportional to ``1 - strength``: returns diminish as the habit approaches 1 and the
  strength never passes 1. A session never weakens the habit; only idle days do.
- ``RATE`` = 0.045 follows Lally et al. (Eur. J. Soc. Psychol., 2010): automaticity rose along an
  asymptotic curve, reaching 95% of its plateau after a median of 66 days of daily repetition;
  1 - (1 - 0.045)^66 ≈ 0.95, so 66 perfect daily sessions take a new habit to about 0.95.
- An early end gains ``EARLY_END_FACTOR`` (half) of what the same session ended normally would.
- With no estimate (<= 0) any session with time in it counts as a match.

Decay (applied lazily when the strength is read or before the next session is added)::

    strength' = strength                                          if days_idle <= GRACE_DAYS
                strength * 0.5 ** ((days_idle - GRACE_DAYS) / HALF_LIFE_DAYS)   otherwise

``GRACE_DAYS`` = 1 (the same Lally study found that missing a single opportunity did not
materially affect habit formation), ``HALF_LIFE_DAYS`` = 14.

Emotion
-------
``emotion_from_sentiment`` uses the seed's thresholds: > 0.25 positive, < -0.25 negative, else
neutral (exactly ±0.25 is neutral, as in the seed's backfill SQL); None stays None.
"""

from __future__ import annotations

import math

from focusflow.numbers import finite_number

RATE = 0.045
EARLY_END_FACTOR = 0.5
MATCH_LOW = 0.9
MATCH_HIGH = 1.25
OVERRUN_FLOOR = 0.5
GRACE_DAYS = 1.0
HALF_LIFE_DAYS = 14.0

POSITIVE_ABOVE = 0.25
NEGATIVE_BELOW = -0.25


def _clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))


def session_match(*, actual_minutes: float, estimated_minutes: int) -> float:
    """How well the session's length matched its estimate, 0..1 (see the module docstring)."""
    actual = max(0.0, finite_number(actual_minutes) or 0.0)
    estimated = finite_number(estimated_minutes) or 0.0
    if estimated <= 0:
        return 1.0 if actual > 0 else 0.0
    ratio = actual / estimated
    if ratio < MATCH_LOW:
        return _clamp01(ratio / MATCH_LOW)
    if ratio <= MATCH_HIGH:
        return 1.0
    return max(OVERRUN_FLOOR, MATCH_HIGH / ratio)


def session_quality_for_habit(
    *, actual_minutes: float, estimated_minutes: int, completion_score: float | None
) -> float:
    """0..1: the length match, averaged with the completion score when one was given."""
    match = session_match(actual_minutes=actual_minutes, estimated_minutes=estimated_minutes)
    completion = finite_number(completion_score)
    if completion is None:
        return match
    return (match + _clamp01(completion)) / 2.0


def habit_strength_after_session(
    strength: float,
    *,
    actual_minutes: float,
    estimated_minutes: int,
    early_end: bool,
    completion_score: float | None,
) -> float:
    """The habit strength after one more ended session; never lower than before, never above 1."""
    current = _clamp01(finite_number(strength) or 0.0)
    quality = session_quality_for_habit(
        actual_minutes=actual_minutes, estimated_minutes=estimated_minutes, completion_score=completion_score
    )
    gain = RATE * quality * (1.0 - current) * (EARLY_END_FACTOR if early_end else 1.0)
    return _clamp01(current + gain)


def habit_strength_decayed(strength: float, *, days_idle: float) -> float:
    """The habit strength after ``days_idle`` days without a session (no decay within GRACE_DAYS)."""
    current = _clamp01(finite_number(strength) or 0.0)
    days = finite_number(days_idle)
    if days is None:
        return 0.0 if days_idle == math.inf else current
    if days <= GRACE_DAYS:
        return current
    return _clamp01(current * 0.5 ** ((days - GRACE_DAYS) / HALF_LIFE_DAYS))


def emotion_from_sentiment(sentiment: float | None) -> str | None:
    """positive (> 0.25), negative (< -0.25) or neutral; None (or NaN) gives None."""
    value = finite_number(sentiment)
    if value is None:
        return None
    if value > POSITIVE_ABOVE:
        return "positive"
    if value < NEGATIVE_BELOW:
        return "negative"
    return "neutral"

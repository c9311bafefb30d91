"""The hard guardrails, as plain values: allowed kinds, micro tone, gap, cap, ended."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focus.guardrails import (
    ALLOWED_KINDS,
    BREAK_KINDS,
    GUARDRAIL_REASONS,
    MAX_MESSAGE_CHARS,
    event_type_for,
    guardrail_block,
    is_micro_tone,
)

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=timezone.utc)
CONFIG = SimpleNamespace(min_gap_seconds=300, max_nudges=8)
OK_MESSAGE = "A gentle nudge to come back to what you set out to do."


def block(**overrides):
    values = dict(
        kind="refocus", message=OK_MESSAGE, now=NOW, nudges_sent=0, last_nudge_at=None, ended=False, config=CONFIG
    )
    values.update(overrides)
    return guardrail_block(**values)


def test_the_allowed_kinds_are_the_five_in_the_design():
    assert set(ALLOWED_KINDS) == {"check_in", "refocus", "micro_break", "recovery_break", "wrap_up"}
    assert set(BREAK_KINDS) == {"micro_break", "recovery_break"}
    assert set(BREAK_KINDS) <= set(ALLOWED_KINDS)


@pytest.mark.parametrize(
    "kind, event_type",
    [
        ("check_in", "nudge"),
        ("refocus", "nudge"),
        ("wrap_up", "nudge"),
        ("micro_break", "break"),
        ("recovery_break", "break"),
    ],
)
def test_each_kind_is_written_as_a_nudge_or_a_break(kind, event_type):
    assert event_type_for(kind) == event_type


@pytest.mark.parametrize(
    "message, ok",
    [
        ("How is this session going so far?", True),
        ("A gentle nudge to come back to what you set out to do.", True),
        ("Time for a short pause: take 3 minutes to stand up and stretch.", True),
        ("Take 2.5 minutes, then carry on.", True),
        ("I think a pause would help now.", True),  # a lone capital "I" is not shouting
        ("No full stop at the end", True),
        ("  Padded but fine.  ", True),
        ("x" * MAX_MESSAGE_CHARS, True),  # exactly 120 characters
        ("x" * (MAX_MESSAGE_CHARS + 1), False),  # 121
        ("", False),
        ("   ", False),
        ("Take a break. Then come back.", False),  # two sentences
        ("Done? Good, now rest.", False),
        ("Well done! Now rest.", False),
        ("Take a break!!", False),
        ("Take a break NOW.", False),
        ("OK, time to rest.", False),
        ("First line\nsecond line", False),
        ("First line\rsecond line", False),
        (None, False),
        (42, False),
        (["a list"], False),
    ],
)
def test_micro_tone_is_one_calm_sentence_of_at_most_120_characters(message, ok):
    assert is_micro_tone(message) is ok


def test_a_message_that_passes_every_rule_is_not_blocked():
    assert block() is None


@pytest.mark.parametrize("kind", ALLOWED_KINDS)
def test_every_allowed_kind_may_be_sent(kind):
    assert block(kind=kind) is None


@pytest.mark.parametrize("kind", ["", "nudge", "break", "CHECK_IN", "check-in", "celebrate", "tick"])
def test_an_unknown_kind_is_blocked(kind):
    assert block(kind=kind) == "unknown_kind"


@pytest.mark.parametrize("message", ["Stop. Now.", "x" * 121, "", "WAKE UP", "Hey!!"])
def test_a_message_not_in_micro_tone_is_blocked(message):
    assert block(message=message) == "not_micro_tone"


@pytest.mark.parametrize(
    "seconds_since_last, expected",
    [
        (0, "backoff"),
        (1, "backoff"),
        (299, "backoff"),  # 1 s before the gap
        (299.999, "backoff"),
        (300, None),  # exactly the gap
        (301, None),
        (3600, None),
        (-60, "backoff"),  # a last nudge "in the future" (clock skew) is too recent
    ],
)
def test_at_most_one_user_facing_event_per_min_gap(seconds_since_last, expected):
    assert block(last_nudge_at=NOW - timedelta(seconds=seconds_since_last)) == expected


@pytest.mark.parametrize(
    "min_gap, seconds_since_last, expected", [(10, 9, "backoff"), (10, 10, None), (0, 0, None), (600, 599, "backoff")]
)
def test_the_gap_follows_the_configured_value(min_gap, seconds_since_last, expected):
    config = SimpleNamespace(min_gap_seconds=min_gap, max_nudges=8)
    assert block(config=config, last_nudge_at=NOW - timedelta(seconds=seconds_since_last)) == expected


@pytest.mark.parametrize(
    "nudges_sent, expected",
    [
        (0, None),
        (1, None),
        (7, None),  # the 8th nudge is allowed
        (8, "cap"),  # the 9th is not
        (9, "cap"),
        (100, "cap"),
    ],
)
def test_at_most_max_nudges_per_session(nudges_sent, expected):
    assert block(nudges_sent=nudges_sent) == expected


@pytest.mark.parametrize(
    "max_nudges, nudges_sent, expected", [(0, 0, "cap"), (1, 0, None), (1, 1, "cap"), (3, 2, None), (3, 3, "cap")]
)
def test_the_cap_follows_the_configured_value(max_nudges, nudges_sent, expected):
    config = SimpleNamespace(min_gap_seconds=300, max_nudges=max_nudges)
    assert block(config=config, nudges_sent=nudges_sent) == expected


@pytest.mark.parametrize(
    "overrides",
    [{}, {"kind": "bogus"}, {"message": "Bad. Message."}, {"nudges_sent": 99}, {"last_nudge_at": NOW}],
)
def test_nothing_is_sent_after_the_session_ended(overrides):
    assert block(ended=True, **overrides) == "session_ended"


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"kind": "bogus", "message": "Bad. Message.", "nudges_sent": 9}, "unknown_kind"),
        ({"message": "Bad. Message.", "nudges_sent": 9, "last_nudge_at": NOW}, "not_micro_tone"),
        ({"nudges_sent": 9, "last_nudge_at": NOW}, "cap"),  # waiting would not help: cap wins
        ({"nudges_sent": 3, "last_nudge_at": NOW}, "backoff"),
    ],
)
def test_reasons_are_checked_in_a_fixed_order(overrides, expected):
    assert block(**overrides) == expected


def test_naive_datetimes_are_taken_as_utc():
    naive_now = NOW.replace(tzinfo=None)
    assert block(now=naive_now, last_nudge_at=NOW - timedelta(seconds=299)) == "backoff"
    assert block(now=NOW, last_nudge_at=naive_now - timedelta(seconds=300)) is None


def test_other_timezones_compare_by_instant():
    plus_two = timezone(timedelta(hours=2))
    last = (NOW - timedelta(seconds=300)).astimezone(plus_two)
    assert block(last_nudge_at=last) is None
    assert block(last_nudge_at=last + timedelta(seconds=1)) == "backoff"


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(ALLOWED_KINDS + ("bogus",)),
    message=st.one_of(st.sampled_from([OK_MESSAGE, "Too. Many.", "x" * 130]), st.text(max_size=150)),
    nudges_sent=st.integers(min_value=0, max_value=20),
    gap=st.one_of(st.none(), st.integers(min_value=-600, max_value=3600)),
    ended=st.booleans(),
    min_gap=st.integers(min_value=0, max_value=900),
    max_nudges=st.integers(min_value=0, max_value=12),
)
def test_a_send_is_allowed_exactly_when_every_rule_holds(kind, message, nudges_sent, gap, ended, min_gap, max_nudges):
    config = SimpleNamespace(min_gap_seconds=min_gap, max_nudges=max_nudges)
    last = None if gap is None else NOW - timedelta(seconds=gap)
    reason = guardrail_block(
        kind=kind, message=message, now=NOW, nudges_sent=nudges_sent, last_nudge_at=last, ended=ended, config=config
    )
    every_rule_holds = (
        not ended
        and kind in ALLOWED_KINDS
        and is_micro_tone(message)
        and nudges_sent < max_nudges
        and (gap is None or gap >= min_gap)
    )
    assert (reason is None) is every_rule_holds
    assert reason is None or reason in GUARDRAIL_REASONS

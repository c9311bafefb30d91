"""The message library: short, calm, varied, and picked reproducibly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focus.guardrails import ALLOWED_KINDS, BREAK_KINDS, is_micro_tone
from focus.messages import MESSAGES, pick_message, template_fields

ALL_TEMPLATES = [(kind, template) for kind, templates in MESSAGES.items() for template in templates]
NUDGE_KINDS = [kind for kind in ALLOWED_KINDS if kind not in BREAK_KINDS]


def test_there_are_messages_for_exactly_the_allowed_kinds():
    assert set(MESSAGES) == set(ALLOWED_KINDS)


@pytest.mark.parametrize("kind", ALLOWED_KINDS)
def test_each_kind_has_several_different_messages(kind):
    assert len(MESSAGES[kind]) >= 3
    assert len(set(MESSAGES[kind])) == len(MESSAGES[kind])


@pytest.mark.parametrize("kind, template", ALL_TEMPLATES)
@pytest.mark.parametrize("minutes", [1, 3, 5, 18, 30, 120])
def test_every_filled_message_is_in_micro_tone(kind, template, minutes):
    text = template.format(minutes=minutes)
    assert is_micro_tone(text), text
    assert len(text) <= 120
    assert "!!" not in text
    assert not re.search(r"\b[A-Z]{2,}\b", text)
    assert text.strip() == text and text[0].isupper()


@pytest.mark.parametrize("kind", BREAK_KINDS)
def test_break_messages_say_how_long_the_break_is(kind):
    for template in MESSAGES[kind]:
        assert template_fields(template) == {"minutes"}, template


@pytest.mark.parametrize("kind", NUDGE_KINDS)
def test_nudge_messages_need_no_values(kind):
    for template in MESSAGES[kind]:
        assert template_fields(template) == set(), template


@pytest.mark.parametrize("kind", ALLOWED_KINDS)
@pytest.mark.parametrize("seed", [0, 1, 7, 12345, -3])
def test_the_same_seed_gives_the_same_message(kind, seed):
    first = pick_message(kind, seed=seed, minutes=5)
    assert first == pick_message(kind, seed=seed, minutes=5)
    assert is_micro_tone(first)


@pytest.mark.parametrize("kind", ALLOWED_KINDS)
def test_consecutive_seeds_give_different_wording(kind):
    picked = [pick_message(kind, seed=seed, minutes=5) for seed in range(len(MESSAGES[kind]))]
    assert len(set(picked)) == len(MESSAGES[kind])
    for seed in range(20):
        assert pick_message(kind, seed=seed, minutes=5) != pick_message(kind, seed=seed + 1, minutes=5)


@pytest.mark.parametrize("kind", BREAK_KINDS)
@pytest.mark.parametrize("minutes", [3, 5, 12, 30])
def test_break_messages_carry_the_minutes(kind, minutes):
    for seed in range(len(MESSAGES[kind])):
        assert f"{minutes} minutes" in pick_message(kind, seed=seed, minutes=minutes)


@pytest.mark.parametrize("kind", BREAK_KINDS)
def test_one_minute_is_singular(kind):
    for seed in range(len(MESSAGES[kind])):
        text = pick_message(kind, seed=seed, minutes=1)
        assert "1 minute" in text and "1 minutes" not in text


@pytest.mark.parametrize("kind", BREAK_KINDS)
def test_a_break_message_without_minutes_is_refused(kind):
    with pytest.raises(ValueError, match="minutes"):
        pick_message(kind, seed=0)


@pytest.mark.parametrize("kind", NUDGE_KINDS)
def test_extra_values_are_ignored_by_nudge_messages(kind):
    assert pick_message(kind, seed=2, minutes=5) == pick_message(kind, seed=2)


@pytest.mark.parametrize("kind", ["", "nudge", "celebrate", "CHECK_IN"])
def test_an_unknown_kind_has_no_message(kind):
    with pytest.raises(KeyError):
        pick_message(kind, seed=0)


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(ALLOWED_KINDS), seed=st.integers(), minutes=st.integers(min_value=2, max_value=999))
def test_any_pick_is_one_of_the_library_messages_in_micro_tone(kind, seed, minutes):
    text = pick_message(kind, seed=seed, minutes=minutes)
    assert is_micro_tone(text)
    assert text in {t.format(minutes=minutes) for t in MESSAGES[kind]}

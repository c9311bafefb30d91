"""Every kind in focus/vocabulary.py has all of its words: a new kind missing one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from focus import summary, vocabulary
from focus.messages import MESSAGES
from focus.vocabulary import (
    DETECTION_TYPES,
    DISTRACTION_SIGNALS,
    EVENT_TYPES,
    FRICTION_KINDS,
    GUARDRAIL_REASONS,
    NUDGE_KINDS,
    TICK_REASONS,
    USER_FACING_EVENT_TYPES,
)


@pytest.mark.parametrize("name", list(NUDGE_KINDS))
def test_every_nudge_kind_has_a_title_a_sentence_name_and_a_message_set(name):
    kind = NUDGE_KINDS[name]
    assert kind.name == name and kind.title.strip() and kind.in_sentence.strip()
    assert MESSAGES.get(name), f"{name} has no messages in focus/messages.py"
    assert vocabulary.event_type_for(name) in USER_FACING_EVENT_TYPES


def test_messages_are_only_for_listed_kinds():
    assert set(MESSAGES) <= set(NUDGE_KINDS)


@pytest.mark.parametrize("name", list(TICK_REASONS))
def test_every_tick_reason_has_a_label_and_a_sentence(name):
    reason = TICK_REASONS[name]
    assert reason.name == name and reason.label.strip()
    assert (reason.detail or "").strip() or (reason.held or "").strip(), f"{name} has no reason text"


@pytest.mark.parametrize("name", GUARDRAIL_REASONS)
def test_every_guardrail_code_is_a_tick_reason_that_says_what_was_held(name):
    assert name in TICK_REASONS and TICK_REASONS[name].held


def test_held_texts_only_use_the_fields_the_policy_fills():
    for reason in TICK_REASONS.values():
        if reason.held:
            reason.held.format(kind="check-in", gap="5 minutes", nudges_sent=8)


@pytest.mark.parametrize("name", list(FRICTION_KINDS))
def test_every_friction_kind_has_a_label(name):
    assert FRICTION_KINDS[name].name == name and FRICTION_KINDS[name].label.strip()


def test_the_summary_writes_only_listed_friction_kinds():
    tree = ast.parse(Path(summary.__file__).read_text())
    written = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_friction":
            first = node.args[0]
            if isinstance(first, ast.Constant):
                written.add(first.value)
            else:  # f"{key}_spike", key in stress/fatigue
                written.update({"stress_spike", "fatigue_spike"})
    assert written and written <= set(FRICTION_KINDS)


@pytest.mark.parametrize("name", list(DISTRACTION_SIGNALS))
def test_every_distraction_signal_has_a_label(name):
    assert DISTRACTION_SIGNALS[name].label.strip()


def test_event_types_cover_detections_and_user_facing_events():
    assert set(DETECTION_TYPES) <= set(EVENT_TYPES)
    assert set(USER_FACING_EVENT_TYPES) <= set(EVENT_TYPES)
    assert set(vocabulary.BREAK_KINDS) <= set(NUDGE_KINDS)


def test_unknown_stored_kinds_still_read():
    assert vocabulary.kind_title("gone") == "Nudge" and vocabulary.kind_title(None) == "Nudge"
    assert vocabulary.reason_label("old_reason") == "old reason" and vocabulary.reason_label(None) == "nothing sent"
    assert vocabulary.friction_label("gone") == "Friction"

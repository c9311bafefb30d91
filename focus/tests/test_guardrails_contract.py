"""The guardrail numbers DESIGN.md fixes, written as literals: the tests in test_guardrails.py count
from MAX_MESSAGE_CHARS, so they would follow a changed constant (a mutant, `make mutate`, found that
119 survived them)."""

from focus.guardrails import ALLOWED_KINDS, is_micro_tone


def test_a_message_of_exactly_120_characters_is_micro_tone_and_121_is_not():
    assert is_micro_tone("x" * 120)
    assert not is_micro_tone("x" * 121)


def test_the_allowed_kinds_are_the_five_of_the_contract():
    assert set(ALLOWED_KINDS) == {"check_in", "refocus", "micro_break", "recovery_break", "wrap_up"}

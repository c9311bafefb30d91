"""rhythm.answers: the pure fold of a person's answers to nudges (what nudge_answers_add stores)."""

from rhythm.answers import answers_added


def test_answers_are_appended_per_kind_oldest_first_and_cut_to_the_last_kept():
    kept = {"check_in": ["taken", "dismissed"], "refocus": ["ignored"]}
    folded = answers_added(
        kept, [("check_in", "dismissed"), ("micro_break", "snoozed"), ("check_in", "ignored")], keep=3
    )
    assert folded == {
        "check_in": ["dismissed", "dismissed", "ignored"],
        "refocus": ["ignored"],
        "micro_break": ["snoozed"],
    }
    assert kept == {"check_in": ["taken", "dismissed"], "refocus": ["ignored"]}, "the input is left as it was"


def test_a_malformed_history_starts_over():
    assert answers_added(None, [("check_in", "taken")], keep=20) == {"check_in": ["taken"]}
    assert answers_added({"check_in": "taken"}, [("check_in", "dismissed")], keep=20) == {"check_in": ["dismissed"]}
    assert answers_added({"wrap_up": ["taken"]}, [], keep=20) == {"wrap_up": ["taken"]}

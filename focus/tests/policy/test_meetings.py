"""Meetings from the person's calendars in the policy, as plain values: every non-urgent nudge held
while in a meeting, and wrap-up before a meeting that cuts the session short."""

from __future__ import annotations

from focus.policy import TICK_REASONS, decide
from focus.tests.policy.test_decide import CFG, at, make_ctx
from focus.tests.policy.test_preferences import CHECK_IN_DUE, STRESSED


def test_in_a_meeting_a_nudge_is_held_and_the_tick_says_so():
    decision = decide(make_ctx(in_meeting=True, **CHECK_IN_DUE), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] == "in_meeting"
    assert decision.content["detail"] == "Held back a check-in because you're in a meeting."
    assert "in_meeting" in TICK_REASONS


def test_in_a_meeting_a_recovery_break_still_goes_out():
    decision = decide(make_ctx(in_meeting=True, **STRESSED), CFG)
    assert (decision.event_type, decision.content["kind"]) == ("break", "recovery_break")


def quiet(now, **overrides):
    """A 120-minute session 30 minutes in, a nudge sent recently: nothing else to say."""
    return make_ctx(now=now, tick_number=7, nudges_sent=1, last_nudge_at=at(25), **overrides)


def test_wrap_up_comes_in_the_tick_before_a_meeting_that_cuts_the_session_short():
    assert decide(quiet(at(30)), CFG).content["reason"] == "nothing_to_say"
    decision = decide(quiet(at(30), next_meeting_at=at(34)), CFG)
    assert (decision.event_type, decision.content["kind"]) == ("nudge", "wrap_up")
    assert decision.content["reason"] == "Your meeting starts in about 4 minutes."


def test_no_wrap_up_for_a_meeting_more_than_a_tick_away_or_after_the_estimate():
    assert decide(quiet(at(30), next_meeting_at=at(36)), CFG).content["reason"] == "nothing_to_say"
    # The session's 30-minute estimate ends before the meeting: the usual wrap-up, not the meeting's.
    late = decide(quiet(at(30), estimated_minutes=30, next_meeting_at=at(33)), CFG)
    assert late.content["kind"] == "wrap_up" and "estimate" in late.content["reason"]


def test_the_meeting_wrap_up_is_sent_once():
    ctx = quiet(at(30), next_meeting_at=at(34), state={"wrap_up_sent": True})
    assert decide(ctx, CFG).content["reason"] == "nothing_to_say"

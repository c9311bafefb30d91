"""The policy and the person's answers (focus/policy/answers.py), as plain values: a snoozed nudge comes
back after the snooze and not before, under the guardrails; a dismissed kind holds; a pause counts
as a break; a kind the person mostly dismisses comes less often, within limits, and the reason says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focus.policy import PolicyConfig
from focus.policy.answers import MAX_FACTOR, MIN_ANSWERS, learned, learned_factor
from focus.policy.inputs import NudgeAnswer
from focus.tests.policy.test_decide import (
    CFG,
    NO_CHECK_IN,
    QUIET,
    T0,
    TICK,
    WORK,
    Session,
    _assert_well_formed,
    make_ctx,
    reason_of,
)
from focus.vocabulary import ALLOWED_KINDS, ANSWERS

BREAKS_EARLY = replace(NO_CHECK_IN, micro_break_after_ticks=4, breakpoint_defer_ticks=0)


class AnsweringSession(Session):
    """The test_decide driver, with the person's answers and pauses handed in as the engine does."""

    def __init__(self, config: PolicyConfig = BREAKS_EARLY, *, history: dict | None = None, **kwargs):
        super().__init__(config, **kwargs)
        self.answers: list[NudgeAnswer] = []
        self.pauses: list[tuple[datetime, datetime | None]] = []
        self.history = history or {}

    def now(self) -> datetime:
        return T0 + self.step * self.tick_number

    def answer(self, response: str, *, after_seconds: float = 60, snooze_minutes: int | None = None) -> None:
        """Answer the last nudge or break sent, ``after_seconds`` after it."""
        decision = next(d for d in reversed(self.decisions) if d.event_type != "tick")
        kind = decision.content["kind"]
        nudge_at = self.last_sent_by_kind[kind]
        self.answers.append(
            NudgeAnswer(
                at=nudge_at + timedelta(seconds=after_seconds),
                kind=kind,
                response=response,
                nudge_at=nudge_at,
                snooze_minutes=snooze_minutes,
                break_minutes=decision.content.get("break_minutes"),
            )
        )

    def tick(self, *pings, **overrides):
        overrides.setdefault("answers", tuple(self.answers))
        overrides.setdefault("pauses", tuple(self.pauses))
        overrides.setdefault("answer_history", self.history)
        return super().tick(*pings, **overrides)


def test_a_snoozed_micro_break_comes_back_after_the_snooze_and_not_before():
    session = AnsweringSession()
    session.run(4, WORK)
    assert session.sent() == [(4, "micro_break")]  # at minute 20
    session.answer("snooze", snooze_minutes=10)  # at minute 21: back from minute 31
    before = session.run(2, WORK)  # minutes 25 and 30
    assert [d.event_type for d in before] == ["tick", "tick"]
    assert "on_break" not in [reason_of(d) for d in before]  # a snoozed break is not being taken
    back = session.tick(WORK)  # minute 35
    assert back.event_type == "break" and back.content["kind"] == "micro_break"
    assert back.content["reason"] == "You asked to be reminded after 10 minutes."
    assert back.content["break_minutes"] == 3
    assert session.nudges_sent == 2  # the returning break is a new nudge, and counts
    assert session.sent() == [(4, "micro_break"), (7, "micro_break")]
    assert [d.event_type for d in session.run(3, WORK)] == ["tick"] * 3  # and it comes back once


def test_a_snoozed_break_that_comes_back_still_keeps_the_minimum_gap():
    session = AnsweringSession(replace(BREAKS_EARLY, min_gap_seconds=20 * 60))
    session.run(4, WORK)  # micro break at minute 20
    session.answer("snooze", snooze_minutes=5)  # back from minute 26
    held = session.run(3, WORK)  # minutes 25, 30, 35: 30 and 35 are under 20 minutes from the last
    assert [reason_of(d) for d in held[1:]] == ["backoff", "backoff"]
    assert session.tick(WORK).content["kind"] == "micro_break"  # minute 40: 20 minutes after the last


def test_a_snoozed_break_never_goes_past_the_cap():
    session = AnsweringSession(replace(BREAKS_EARLY, max_nudges=1))
    session.run(4, WORK)
    session.answer("snooze", snooze_minutes=5)
    after = session.run(6, WORK)
    assert session.sent() == [(4, "micro_break")]
    assert "cap" in [reason_of(d) for d in after]


def test_a_snoozed_check_in_waits_for_the_snooze_and_says_so():
    session = AnsweringSession(replace(PolicyConfig(), check_in_after_ticks=3, breakpoint_defer_ticks=0))
    session.run(3, WORK)
    assert session.sent() == [(3, "check_in")]
    session.answer("snooze", snooze_minutes=15)  # at minute 16: back from minute 31
    session.run(3, WORK)  # minutes 20, 25, 30
    assert [kind for _, kind in session.sent()] == ["check_in"]
    assert session.tick(WORK).content["kind"] == "check_in"  # minute 35


def test_a_break_marked_done_is_being_taken_and_a_snoozed_one_is_not():
    taken, snoozed = AnsweringSession(), AnsweringSession()
    for session, response in ((taken, "done"), (snoozed, "snooze")):
        session.run(4, WORK)
        session.answer(response, snooze_minutes=15 if response == "snooze" else None)
    assert reason_of(taken.tick(WORK)) == "on_break"
    assert reason_of(snoozed.tick(WORK)) != "on_break"


def test_a_pause_counts_as_a_break():
    session = AnsweringSession()
    session.run(3, WORK)  # three ticks of work
    session.pauses.append((session.now(), session.now() + timedelta(seconds=30)))
    session.run(4, WORK)
    session.run(1, WORK)
    # Without the pause the break would go at tick 4; after it, four more ticks of work are needed.
    assert session.sent() == [(8, "micro_break")]


def test_a_pause_ends_a_flow_stretch():
    session = AnsweringSession(replace(NO_CHECK_IN, breakpoint_defer_ticks=0))
    session.run(4, QUIET)
    assert session.detected("flow_start") == [3]
    session.pauses.append((session.now(), session.now() + timedelta(seconds=30)))
    decision = session.tick(QUIET)
    (flow_end,) = [d for d in decision.detections if d.event_type == "flow_end"]
    assert flow_end.content == {"reason": "You paused the session.", "flow_minutes": 20.0}  # ticks 1-4, as flow counts


def test_without_answers_the_same_session_gets_its_break_at_tick_four():
    session = AnsweringSession()
    session.run(7, WORK)
    assert session.sent() == [(4, "micro_break")]


def test_a_dismissed_kind_is_held_for_longer_this_session():
    config = replace(PolicyConfig(), check_in_after_ticks=3, breakpoint_defer_ticks=0, same_kind_spacing_ticks=3)
    plain = AnsweringSession(config)
    plain.run(12, WORK)
    dismissing = AnsweringSession(config)
    dismissing.run(3, WORK)
    dismissing.answer("dismiss")
    decisions = dismissing.run(9, WORK)
    assert [kind for _, kind in plain.sent()].count("check_in") > 1
    assert [kind for _, kind in dismissing.sent()].count("check_in") == 1
    held = [d for d in decisions if reason_of(d) == "dismissed"]
    assert held and "because you dismissed one earlier this session" in held[0].content["detail"]


CHECK_INS = replace(PolicyConfig(), breakpoint_defer_ticks=0, soft_max_nudges=8)


def check_ins(history: dict, ticks: int = 24) -> AnsweringSession:
    session = AnsweringSession(CHECK_INS, history=history)
    session.run(ticks, WORK)
    return session


def test_a_person_who_dismissed_most_check_ins_gets_fewer_and_the_reason_says_so():
    usual = check_ins({})
    learned_session = check_ins({"check_in": ["dismissed"] * 7 + ["taken", "snoozed"]})
    usual_count = [k for _, k in usual.sent()].count("check_in")
    fewer = [k for _, k in learned_session.sent()].count("check_in")
    assert fewer < usual_count
    held = [d for d in learned_session.decisions if reason_of(d) == "learned_spacing"]
    assert held and held[0].content["detail"] == "Check-ins come less often: you dismissed 7 of the last 9."


def test_a_kind_the_person_takes_keeps_its_place():
    assert check_ins({"check_in": ["taken"] * 10}).sent() == check_ins({}).sent()
    too_few = ["dismissed"] * (MIN_ANSWERS - 1)
    assert check_ins({"check_in": too_few}).sent() == check_ins({}).sent()  # too few answers to learn


@given(
    kind=st.sampled_from(ALLOWED_KINDS),
    answers=st.lists(st.sampled_from(ANSWERS), max_size=30),
)
def test_what_is_learned_stays_within_the_kinds_limits(kind, answers):
    factor, dismissed, counted = learned_factor({kind: answers}, kind)
    assert 1.0 <= factor <= MAX_FACTOR[kind]
    assert counted <= 10 and dismissed <= counted
    if counted < MIN_ANSWERS or dismissed * 2 < counted:
        assert factor == 1.0


def test_a_recovery_break_is_never_learned_away():
    assert learned_factor({"recovery_break": ["dismissed"] * 10}, "recovery_break")[0] == 1.0
    assert learned_factor({"micro_break": ["dismissed"] * 10}, "micro_break")[0] == MAX_FACTOR["micro_break"]


def test_what_was_learned_reads_as_sentences():
    rows = learned({"check_in": ["dismissed"] * 7 + ["taken", "snoozed"], "micro_break": ["taken"] * 4, "bogus": 3})
    assert [r["kind"] for r in rows] == ["check_in", "micro_break"]
    assert rows[0]["counts"] == {"taken": 1, "snoozed": 1, "dismissed": 7, "ignored": 0}
    assert rows[0]["sentence"] == "Check-ins come less often: you dismissed 7 of the last 9."
    assert rows[1]["factor"] == 1.0 and rows[1]["sentence"] == "Short break: as usual (4 taken of the last 4)."


@pytest.mark.parametrize("history", [None, "x", {"check_in": "dismissed"}, {"check_in": [None, 3, "nope"]}])
def test_a_damaged_history_learns_nothing(history):
    assert learned_factor(history or {}, "check_in") == (1.0, 0, 0)


# An answer to the last nudge of a tick (or none), a pause after it, and the person's history.
ANSWER = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["done", "dismiss", "snooze"]), st.sampled_from([5, 10, 15]), st.integers(1, 299)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ticks=st.lists(st.tuples(TICK, ANSWER, st.booleans()), min_size=1, max_size=30),
    history=st.dictionaries(st.sampled_from(ALLOWED_KINDS), st.lists(st.sampled_from(ANSWERS), max_size=12)),
    gap_ticks=st.sampled_from([0, 1, 2]),
    max_nudges=st.integers(min_value=0, max_value=8),
)
def test_answers_and_pauses_never_break_the_guardrails(ticks, history, gap_ticks, max_nudges):
    """Whatever the person answers (snoozes coming back included), pauses and has learned, every
    decision is well formed and the gap and the cap hold."""
    config = replace(CFG, tick_seconds=300, min_gap_seconds=gap_ticks * 300, max_nudges=max_nudges)
    session = AnsweringSession(config, history=history)
    sent_times = []
    for (pings, rhythm), answer, pause in ticks:
        before = (session.nudges_sent, session.last_nudge_at)
        decision = session.tick(*pings, rhythm=rhythm)
        ctx = make_ctx(now=session.now(), nudges_sent=before[0], last_nudge_at=before[1])
        _assert_well_formed(decision, ctx, config)
        if decision.event_type != "tick":
            sent_times.append(session.last_nudge_at)
            if answer is not None:
                response, minutes, after = answer
                session.answer(response, after_seconds=after, snooze_minutes=minutes if response == "snooze" else None)
        if pause:
            session.pauses.append((session.now() + timedelta(seconds=10), session.now() + timedelta(seconds=20)))
    assert len(sent_times) <= max_nudges
    for earlier, later in zip(sent_times, sent_times[1:]):
        assert (later - earlier).total_seconds() >= config.min_gap_seconds

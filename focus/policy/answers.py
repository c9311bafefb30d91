"""How the person's answers shape the policy: pauses, done/snooze/dismiss, and what was learned.

Pure: values in (the tick's :class:`TickContext`: ``pauses``, ``answers``, ``answer_history``),
values out. :func:`focus.policy.decide` calls it at four points:

- **a break taken** (:func:`break_taken_since`): a resume (a pause counts as a break) or ``done`` on
  a break resets the stretch of work a micro break waits for; a pause also ends a flow stretch
  (:func:`resumed_since`: the tick writes its ``flow_end``);
- **a break declined** (:func:`break_declined`): a break that was snoozed or dismissed is not being
  taken, so the policy does not treat the next ticks as "on a break";
- **holds** (:func:`hold`): a kind the person snoozed waits until the snooze is over; a kind they
  dismissed this session waits :data:`DISMISS_HOLD_TICKS` tick periods from the dismissal; a kind
  they mostly dismiss (over their recent answers, across sessions) comes less often: its spacing,
  and for check-ins the quiet time they wait for, is multiplied by :func:`learned_factor`, which
  never goes below 1 (a taken kind keeps its place) nor above the kind's limit in
  :data:`MAX_FACTOR`; the tick's reason says why ("check-ins come less often: you dismissed 7 of
  the last 9");
- **returns** (:func:`returning`): once a snooze is over, that kind is proposed again if it still
  applies (no break taken since, for a break; a distraction still going on, for a refocus) and
  nothing of that kind went out since. It skips same-kind spacing and the breakpoint wait (the
  person asked for it) but never the guardrails: it is a new nudge, and counts.

The guardrails (focus/guardrails.py: the minimum gap, the cap, micro tone) are applied after all of
this and never move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from focus import vocabulary
from focus.clock import as_utc, minutes_in_ticks, seconds_between, session_seconds_of
from focus.policy.candidates import _Proposal
from focus.policy.config import PolicyConfig
from focus.policy.inputs import NudgeAnswer, TickContext
from focus.policy.state import _State

# A kind dismissed in this session is held this many tick periods (60 minutes) from the dismissal.
DISMISS_HOLD_TICKS = 12
# What was learned is read from the person's last RECENT_ANSWERS answers of a kind ...
RECENT_ANSWERS = 10
# ... and moves nothing until there are at least MIN_ANSWERS of them: two, because a dismissal
# holds its kind for the rest of an hour (DISMISS_HOLD_TICKS), so a person who dismisses every
# check-in gives about one a session, and issue 13 asks that they see fewer by their third session.
MIN_ANSWERS = 2
# Spacing moves once at least half of those answers were dismissals, linearly up to the kind's limit
# when all of them were: factor = 1 + (share - 0.5) / 0.5 * (limit - 1).
DISMISS_SHARE = 0.5
# The most a kind's spacing (or the check-in's quiet time) may be stretched. Breaks move little and
# the recovery break (stress or fatigue) not at all; wrap-up goes once a session anyway.
MAX_FACTOR: Mapping[str, float] = {
    "check_in": 3.0,
    "refocus": 2.0,
    "micro_break": 1.5,
    "recovery_break": 1.0,
    "wrap_up": 1.0,
}


# --------------------------------------------------------------------------- what was learned


def recent(history: Mapping[str, Sequence[str]], kind: str) -> list[str]:
    """The person's last RECENT_ANSWERS answers of ``kind``, oldest first (unknown words dropped)."""
    answers = history.get(kind) if isinstance(history, Mapping) else None
    if not isinstance(answers, (list, tuple)):
        return []
    return [a for a in answers if a in vocabulary.ANSWERS][-RECENT_ANSWERS:]


def learned_factor(history: Mapping[str, Sequence[str]], kind: str) -> tuple[float, int, int]:
    """(factor, dismissed, counted): how much ``kind``'s spacing is stretched, from its recent answers."""
    answers = recent(history, kind)
    dismissed = answers.count(vocabulary.DISMISSED)
    limit = MAX_FACTOR.get(kind, 1.0)
    if len(answers) < MIN_ANSWERS or limit <= 1.0:
        return 1.0, dismissed, len(answers)
    share = dismissed / len(answers)
    if share < DISMISS_SHARE:
        return 1.0, dismissed, len(answers)
    factor = 1.0 + (share - DISMISS_SHARE) / (1.0 - DISMISS_SHARE) * (limit - 1.0)
    return round(min(limit, max(1.0, factor)), 2), dismissed, len(answers)


def learned_sentence(kind: str, dismissed: int, counted: int) -> str:
    """ "Check-ins come less often: you dismissed 7 of the last 9." """
    plural = vocabulary.NUDGE_KINDS[kind].plural if kind in vocabulary.NUDGE_KINDS else "nudges"
    return f"{plural[:1].upper()}{plural[1:]} come less often: you dismissed {dismissed} of the last {counted}."


def learned(history: Mapping[str, Sequence[str]]) -> list[dict]:
    """What was learned, per kind with any answers: counts, the factor, and a sentence (home page, summary)."""
    rows = []
    for kind in vocabulary.ALLOWED_KINDS:
        answers = recent(history, kind)
        if not answers:
            continue
        factor, dismissed, counted = learned_factor(history, kind)
        counts = {word: answers.count(word) for word in vocabulary.ANSWERS}
        if factor > 1.0:
            sentence = learned_sentence(kind, dismissed, counted)
        else:
            sentence = f"{vocabulary.kind_title(kind)}: as usual ({_counts_text(counts)} of the last {counted})."
        rows.append({"kind": kind, "counts": counts, "factor": factor, "sentence": sentence})
    return rows


def _counts_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {word}" for word, n in counts.items() if n) or "none"


# --------------------------------------------------------------------------- this session's answers


def _snooze_over_at(answer: NudgeAnswer, tick_seconds: float) -> datetime:
    return as_utc(answer.at) + timedelta(seconds=session_seconds_of(answer.snooze_minutes or 0, tick_seconds))


def _resumes(ctx: TickContext) -> list[datetime]:
    return [as_utc(resumed) for _, resumed in ctx.pauses if resumed is not None]


def breaks_taken(ctx: TickContext) -> list[datetime]:
    """When the person took a break: each resume, and each ``done`` on a break."""
    done = [as_utc(a.at) for a in ctx.answers if a.response == vocabulary.DONE and a.kind in vocabulary.BREAK_KINDS]
    return sorted(_resumes(ctx) + done)


def break_taken_since(ctx: TickContext, since: datetime | None) -> bool:
    """A break was taken after ``since`` (the previous tick) and by now."""
    now = as_utc(ctx.now)
    return any((since is None or at > as_utc(since)) and at <= now for at in breaks_taken(ctx))


def resumed_since(ctx: TickContext, since: datetime | None) -> bool:
    """The session was paused and resumed after ``since`` (the previous tick): a flow stretch is over."""
    now = as_utc(ctx.now)
    return any((since is None or at > as_utc(since)) and at <= now for at in _resumes(ctx))


def break_declined(ctx: TickContext) -> bool:
    """The latest break suggestion was snoozed or dismissed: the person is not on it."""
    sent = [as_utc(ts) for kind, ts in ctx.last_sent_by_kind.items() if kind in vocabulary.BREAK_KINDS]
    if not sent:
        return False
    latest = max(sent)
    return any(
        a.kind in vocabulary.BREAK_KINDS
        and as_utc(a.nudge_at) == latest
        and a.response in (vocabulary.SNOOZE, vocabulary.DISMISS)
        for a in ctx.answers
    )


def _latest_answer(ctx: TickContext, kind: str) -> NudgeAnswer | None:
    mine = [a for a in ctx.answers if a.kind == kind]
    return max(mine, key=lambda a: as_utc(a.at)) if mine else None


def _sent_since(ctx: TickContext, kind: str, since: datetime) -> bool:
    last = ctx.last_sent_by_kind.get(kind)
    return last is not None and as_utc(last) > as_utc(since)


def _still_applies(answer: NudgeAnswer, ctx: TickContext, state: _State) -> bool:
    if answer.kind in vocabulary.BREAK_KINDS:
        return not any(at > as_utc(answer.at) for at in breaks_taken(ctx))
    if answer.kind == "refocus":
        return state.distraction_active or state.refocus_pending
    return True


def returning(ctx: TickContext, state: _State, now: datetime, config: PolicyConfig) -> list[_Proposal]:
    """The snoozed kinds due back now, as proposals (most recently snoozed first)."""
    proposals = []
    for kind in vocabulary.ALLOWED_KINDS:
        answer = _latest_answer(ctx, kind)
        if answer is None or answer.response != vocabulary.SNOOZE:
            continue
        if now < _snooze_over_at(answer, config.tick_seconds) or _sent_since(ctx, kind, answer.at):
            continue
        if not _still_applies(answer, ctx, state):
            continue
        minutes = answer.break_minutes
        if kind in vocabulary.BREAK_KINDS and not minutes:
            minutes = int(config.micro_break_minutes)
        proposals.append(
            _Proposal(
                kind,
                f"You asked to be reminded after {answer.snooze_minutes} minutes.",
                waits_for_breakpoint=False,
                allowed_in_flow=True,
                break_minutes=minutes if kind in vocabulary.BREAK_KINDS else None,
                snoozed=True,
            )
        )
    return proposals


def hold(
    proposal: _Proposal, ctx: TickContext, state: _State, now: datetime, config: PolicyConfig
) -> tuple[str, str] | None:
    """(tick reason, detail) if the person's answers hold this proposal back now, else None."""
    if proposal.snoozed:
        return None
    kind = proposal.kind
    answer = _latest_answer(ctx, kind)
    if (
        answer is not None
        and answer.response == vocabulary.SNOOZE
        and not _sent_since(ctx, kind, answer.at)
        and now < _snooze_over_at(answer, config.tick_seconds)
    ):
        return "snoozed", f"Holding a {vocabulary.kind_in_sentence(kind)} you snoozed until the snooze is over."
    dismissed = [a for a in ctx.answers if a.kind == kind and a.response == vocabulary.DISMISS]
    if dismissed:
        hold_seconds = session_seconds_of(minutes_in_ticks(DISMISS_HOLD_TICKS), config.tick_seconds)
        if seconds_between(max(as_utc(a.at) for a in dismissed), now) < hold_seconds:
            return "dismissed", (
                f"Holding back a {vocabulary.kind_in_sentence(kind)} because you dismissed one earlier this session."
            )
    factor, dismissed_count, counted = learned_factor(ctx.answer_history, kind)
    if factor <= 1.0:
        return None
    if kind == "check_in":
        since = as_utc(ctx.last_nudge_at) if ctx.last_nudge_at else as_utc(ctx.started_at)
        wait_ticks = config.check_in_after_ticks * factor
    else:
        last = ctx.last_sent_by_kind.get(kind)
        if last is None:
            return None
        since = as_utc(last)
        wait_ticks = config.same_kind_spacing_ticks * factor
    if seconds_between(since, now) < session_seconds_of(minutes_in_ticks(wait_ticks), config.tick_seconds):
        return "learned_spacing", learned_sentence(kind, dismissed_count, counted)
    return None

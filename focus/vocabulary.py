"""The product's words for what happens in a session: every kind, and how each one is named.

One table per concept, each entry with everything the rest of the code needs to name it:

- event types (what a ``focus_events`` row is; models.EventType is built from them);
- nudge kinds (what a nudge or break is about), their titles and how a tick's detail names them;
- tick reasons (why a tick sent nothing), their short labels and the tick's detail sentence;
- detection types and distraction signals (what the policy noticed);
- friction-point kinds (what the summary lists as friction), their labels.

Adding a kind starts here (docs/architecture.md, "Where to change what"); focus/tests/test_vocabulary.py
fails when a kind lacks a label, a message set (focus/messages.py) or a reason text. Lookups of
stored data keep a fallback (an event written by an older version may carry a kind no longer
listed), but every kind listed here has all of its words.

Pure: no Django, so the policy, the guardrails and the summary import it freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# --------------------------------------------------------------------------- event types

SESSION_START = "session_start"
TICK = "tick"  # a tick that sent nothing, with its reason
NUDGE = "nudge"
BREAK = "break"
PING = "ping"
FLOW_START = "flow_start"
FLOW_END = "flow_end"
DISTRACTION = "distraction"
SESSION_END = "session_end"
# Session controls (DESIGN.md "Session controls"; focus/controls.py).
PAUSE = "pause"  # content: reason (PAUSE_REASONS), optional title (a meeting's)
RESUME = "resume"  # content: paused_minutes
NUDGE_RESPONSE = "nudge_response"  # content: event_id, kind, response (RESPONSES), snooze_minutes

EVENT_TYPES: tuple[str, ...] = (
    SESSION_START,
    TICK,
    NUDGE,
    BREAK,
    PING,
    FLOW_START,
    FLOW_END,
    DISTRACTION,
    SESSION_END,
    PAUSE,
    RESUME,
    NUDGE_RESPONSE,
)
# The events a person is sent (counted by the guardrails: FOCUS_MAX_NUDGES, the minimum gap).
USER_FACING_EVENT_TYPES: tuple[str, ...] = (NUDGE, BREAK)
# What the policy's detectors write besides the tick's own event.
DETECTION_TYPES: tuple[str, ...] = (FLOW_START, FLOW_END, DISTRACTION)

# --------------------------------------------------------------------------- session controls

# Why a session was paused: by the person, for a meeting on their calendar, or because they went idle.
PAUSE_PERSON, PAUSE_MEETING, PAUSE_IDLE = "person", "meeting", "idle"
PAUSE_REASONS: tuple[str, ...] = (PAUSE_PERSON, PAUSE_MEETING, PAUSE_IDLE)
PAUSE_REASON_LABELS: Mapping[str, str] = {
    PAUSE_PERSON: "Paused",
    PAUSE_MEETING: "Paused for a meeting",
    PAUSE_IDLE: "Paused while idle",
}

# How a person answers a nudge or break (POST /focus/respond), and how the personal model counts it.
DONE, SNOOZE, DISMISS = "done", "snooze", "dismiss"
RESPONSES: tuple[str, ...] = (DONE, SNOOZE, DISMISS)
SNOOZE_MINUTES: tuple[int, ...] = (5, 10, 15)
RESPONSE_LABELS: Mapping[str, str] = {DONE: "Done", SNOOZE: "Snoozed", DISMISS: "Dismissed"}
# The personal model's words (rhythm.PersonalModel.nudge_answers): an unanswered nudge is "ignored".
TAKEN, SNOOZED, DISMISSED, IGNORED = "taken", "snoozed", "dismissed", "ignored"
ANSWERS: tuple[str, ...] = (TAKEN, SNOOZED, DISMISSED, IGNORED)
ANSWER_OF_RESPONSE: Mapping[str, str] = {DONE: TAKEN, SNOOZE: SNOOZED, DISMISS: DISMISSED}


def pause_label(reason: object) -> str:
    return PAUSE_REASON_LABELS.get(reason, "Paused") if isinstance(reason, str) else "Paused"


# --------------------------------------------------------------------------- activity and signals

ACTIVE, IDLE, AWAY = "active", "idle", "away"
ACTIVITIES: tuple[str, ...] = (ACTIVE, IDLE, AWAY)
IDLE_ACTIVITIES: frozenset[str] = frozenset({IDLE, AWAY})

# Where a ping's reading came from (DESIGN.md "Live delivery"): the live page's own automatic ping,
# an API client (the default, so a ping without ``source`` in its content is a client's), or the
# person's hand-made ping on the page. Kept in the ping's content only when not the default.
PING_SOURCE_PAGE = "page"
PING_SOURCE_CLIENT = "client"
PING_SOURCE_SELF_REPORT = "self_report"
PING_SOURCES: tuple[str, ...] = (PING_SOURCE_PAGE, PING_SOURCE_CLIENT, PING_SOURCE_SELF_REPORT)
PING_SOURCE_LABELS: dict[str, str] = {
    PING_SOURCE_PAGE: "sensed by the page",
    PING_SOURCE_CLIENT: "from a client",
    PING_SOURCE_SELF_REPORT: "self-report",
}

# What a ping's ``app_switches`` counts, as its client says (``app_switches_counter``): the switches
# of the last 5 minutes (a rolling count) or those since the client's previous ping. The live page's
# own pings count since the last ping; any other ping that says neither is read as a rolling count.
SWITCHES_LAST_5_MINUTES = "last_5_minutes"
SWITCHES_SINCE_LAST_PING = "since_last_ping"
SWITCH_COUNTERS: tuple[str, ...] = (SWITCHES_LAST_5_MINUTES, SWITCHES_SINCE_LAST_PING)


@dataclass(frozen=True)
class DistractionSignal:
    name: str
    label: str  # how the summary names it: "app switching for 10 minutes"


DISTRACTION_SIGNALS: Mapping[str, DistractionSignal] = {
    s.name: s
    for s in (
        DistractionSignal(IDLE, "idle"),
        DistractionSignal(AWAY, "away"),
        DistractionSignal("app_switches", "app switching"),
        DistractionSignal("low_focus", "low focus"),
    )
}

# --------------------------------------------------------------------------- nudge kinds


@dataclass(frozen=True)
class NudgeKind:
    name: str
    title: str  # a feed item's and the summary timeline's title: "Short break"
    in_sentence: str  # how a tick's detail names it: "Held back a short break suggestion ..."
    is_break: bool = False  # written as event type "break" (with break_minutes), else "nudge"
    plural: str = ""  # what was learned: "check-ins come less often"


NUDGE_KINDS: Mapping[str, NudgeKind] = {
    k.name: k
    for k in (
        NudgeKind("check_in", "Check-in", "check-in", plural="check-ins"),
        NudgeKind("refocus", "Refocus", "refocus nudge", plural="refocus nudges"),
        NudgeKind(
            "micro_break", "Short break", "short break suggestion", is_break=True, plural="short break suggestions"
        ),
        NudgeKind(
            "recovery_break",
            "Recovery break",
            "recovery break suggestion",
            is_break=True,
            plural="recovery break suggestions",
        ),
        NudgeKind("wrap_up", "Wrap up", "wrap-up nudge", plural="wrap-up nudges"),
    )
}
ALLOWED_KINDS: tuple[str, ...] = tuple(NUDGE_KINDS)
BREAK_KINDS: tuple[str, ...] = tuple(name for name, kind in NUDGE_KINDS.items() if kind.is_break)
KIND_TITLES: Mapping[str, str] = {name: kind.title for name, kind in NUDGE_KINDS.items()}


def event_type_for(kind: str) -> str:
    """The focus event type a user-facing kind is written as: "break" or "nudge"."""
    return BREAK if kind in BREAK_KINDS else NUDGE


def kind_title(kind: object) -> str:
    """A kind's title, or "Nudge" for one this version does not know (stored data)."""
    return NUDGE_KINDS[kind].title if isinstance(kind, str) and kind in NUDGE_KINDS else "Nudge"


def kind_in_sentence(kind: object) -> str:
    return NUDGE_KINDS[kind].in_sentence if isinstance(kind, str) and kind in NUDGE_KINDS else "nudge"


# --------------------------------------------------------------------------- tick reasons


@dataclass(frozen=True)
class TickReason:
    """Why a tick sent nothing.

    ``detail`` is the tick's sentence when nothing was proposed; ``held`` when a proposal was held
    back for this reason (``{kind}`` is the kind's ``in_sentence``; ``{gap}`` the minimum gap
    worded, ``{nudges_sent}`` the session's count). ``label`` is the live page's short form."""

    name: str
    label: str
    detail: str | None = None
    held: str | None = None


_HELD_RULES = "Held back a {kind} that did not meet the message rules."

TICK_REASONS: Mapping[str, TickReason] = {
    r.name: r
    for r in (
        # The first tick(s) of a session: let the person settle.
        TickReason("settling_in", "settling in", detail="The session just started, so there's time to settle in."),
        # During a break this policy suggested.
        TickReason("on_break", "on a break", detail="You're on a suggested break, so nothing was sent."),
        # Protected flow: only recovery_break / wrap_up / the long-flow break.
        TickReason(
            "in_flow",
            "you're in flow",
            detail="You're in a flow stretch, so nothing was sent.",
            held="Held back a {kind} because you're in a flow stretch.",
        ),
        # The same kind was sent too recently.
        TickReason(
            "same_kind_spacing",
            "a similar nudge went out recently",
            held="Held back a {kind} because one was sent recently.",
        ),
        # A non-urgent nudge waits for a natural pause.
        TickReason(
            "waiting_for_breakpoint",
            "waiting for a natural pause",
            held="Holding a {kind} until a natural pause in your work.",
        ),
        # Answers (focus/policy/answers.py): the person snoozed or dismissed this kind, or the
        # personal model learned that this person mostly dismisses it. The tick's detail says which.
        TickReason("snoozed", "snoozed", held="Holding a {kind} you snoozed until the snooze is over."),
        TickReason("dismissed", "you dismissed it", held="Holding back a {kind} because you dismissed one earlier."),
        TickReason("learned_spacing", "spaced out for you", held="Holding back a {kind}: you usually dismiss them."),
        # The person's preferences (focus/policy/preferences.py): a kind they hold, or outside their hours.
        TickReason(
            "held_by_you",
            "you turned these off",
            held="Held back a {kind} because you turned them off in your preferences.",
        ),
        TickReason(
            "outside_working_hours",
            "outside your working hours",
            held="Held back a {kind} because it's outside your working hours.",
        ),
        # The last slots of FOCUS_MAX_NUDGES are kept for a recovery break and the wrap-up.
        TickReason(
            "budget_reserved",
            "saving the last nudges",
            held="Held back a {kind} to keep the last nudges of this session for a needed break or the wrap-up.",
        ),
        # A meeting from the person's calendars is under way (focus/meetings.py).
        TickReason("in_meeting", "you're in a meeting", held="Held back a {kind} because you're in a meeting."),
        # No trigger fired.
        # The person stepped away or went idle (the tick's last readings say so): a break taken on
        # their own, which resets the break clock (focus/policy/decide.py); nothing else to say.
        TickReason("stepped_away", "you stepped away", detail="You stepped away; that counts as a break."),
        TickReason("nothing_to_say", "all calm", detail="Nothing needs saying right now."),
        # Guardrails (focus.guardrails.GUARDRAIL_REASONS): a proposal they block becomes a tick with their code.
        TickReason(
            "session_ended",
            "session ended",
            detail="The session has ended, so nothing more is sent.",
            held="The session has ended, so nothing more is sent.",
        ),
        TickReason("unknown_kind", "unknown kind", held=_HELD_RULES),
        TickReason("not_micro_tone", "not micro tone", held=_HELD_RULES),
        # FOCUS_MAX_NUDGES reached.
        TickReason(
            "cap",
            "nudge limit reached",
            held="Held back a {kind} because this session already had {nudges_sent} nudges, the most allowed.",
        ),
        # Less than FOCUS_NUDGE_MIN_GAP_SECONDS since the last one.
        TickReason("backoff", "giving you space", held="Held back a {kind} because the last one was under {gap} ago."),
    )
}
REASON_LABELS: Mapping[str, str] = {name: reason.label for name, reason in TICK_REASONS.items()}
# The guardrail codes, in the order they are checked: the first that applies is returned.
# "cap" is checked before "backoff" because it is the more lasting reason (waiting won't help).
GUARDRAIL_REASONS: tuple[str, ...] = ("session_ended", "unknown_kind", "not_micro_tone", "cap", "backoff")


def reason_label(reason: object) -> str:
    """A tick reason's short label; for one this version does not know, its code in words."""
    if isinstance(reason, str) and reason in TICK_REASONS:
        return TICK_REASONS[reason].label
    return str(reason or "").replace("_", " ") or "nothing sent"


# --------------------------------------------------------------------------- friction points


@dataclass(frozen=True)
class FrictionKind:
    name: str
    label: str  # the summary page's label


FRICTION_KINDS: Mapping[str, FrictionKind] = {
    f.name: f
    for f in (
        FrictionKind("distraction", "Distraction"),
        FrictionKind("idle_gap", "Idle"),
        FrictionKind("early_end", "Ended early"),
        FrictionKind("overrun", "Ran over"),
        FrictionKind("stress_spike", "Stress rose"),
        FrictionKind("fatigue_spike", "Fatigue rose"),
        FrictionKind("nudge_ignored", "Nudge didn't stick"),
    )
}
# One each at most, and they say how the session ended: always listed in a summary.
ENDING_FRICTION: frozenset[str] = frozenset({"early_end", "overrun"})


def friction_label(kind: object) -> str:
    return FRICTION_KINDS[kind].label if isinstance(kind, str) and kind in FRICTION_KINDS else "Friction"


# --------------------------------------------------------------------------- webhook event types

# What a webhook receiver is sent (DESIGN.md "Integrations"), by the event type that makes it; the
# other event types (ticks, pings, detections, answers to nudges) are never sent.
WEBHOOK_EVENT_TYPES: Mapping[str, str] = {
    SESSION_START: "session.started",
    PAUSE: "session.paused",
    RESUME: "session.resumed",
    NUDGE: "nudge.sent",
    BREAK: "break.suggested",
    SESSION_END: "session.ended",
}
WEBHOOK_TYPES: tuple[str, ...] = tuple(WEBHOOK_EVENT_TYPES.values())

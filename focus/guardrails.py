"""Hard guardrails for user-facing focus events (nudges and breaks).

Pure functions, no Django. The check is made at write time, in one place: the nudge policy
(:func:`focus.policy.decide`) calls :func:`guardrail_block` before it sends anything, and the
tick (focus/engine.py) runs ``decide`` inside the transaction that writes the event, on the
counters (nudges sent, last nudge time) it read under that transaction's lock on the session
row. Only the tick writes user-facing events (focus/events.py), so no other write can come
between the check and the event.

The guarantees (docs: DESIGN.md, "Guardrails"):

- only allowed kinds; micro tone: one sentence, at most 120 characters;
- at most one user-facing event per ``min_gap_seconds`` (FOCUS_NUDGE_MIN_GAP_SECONDS, 300);
- at most ``max_nudges`` (FOCUS_MAX_NUDGES, 8) per session;
- none after the session has ended.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from focus.clock import seconds_between
from focus.vocabulary import ALLOWED_KINDS, BREAK_KINDS, GUARDRAIL_REASONS, event_type_for

__all__ = [
    "ALLOWED_KINDS",
    "BREAK_KINDS",
    "GUARDRAIL_REASONS",
    "MAX_MESSAGE_CHARS",
    "event_type_for",
    "is_micro_tone",
    "guardrail_block",
]

MAX_MESSAGE_CHARS = 120

# A sentence end (., ! or ?, optionally followed by a closing quote/bracket) followed by more text.
_SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]*\s+\S")
# A shouted word: two or more capital letters and no lower-case ones ("NOW", "OK").
_SHOUTED_WORD = re.compile(r"\b[A-Z]{2,}\b")


def is_micro_tone(message: Any) -> bool:
    """True if ``message`` is a micro-tone message: one calm sentence of at most 120 characters.

    Concretely: a non-empty string on one line, at most MAX_MESSAGE_CHARS long after trimming,
    with no sentence break inside it, no "!!" and no shouted (ALL CAPS) word.
    """
    if not isinstance(message, str):
        return False
    text = message.strip()
    if not text or len(text) > MAX_MESSAGE_CHARS:
        return False
    if "\n" in text or "\r" in text:
        return False
    if "!!" in text:
        return False
    if _SENTENCE_BREAK.search(text):
        return False
    if _SHOUTED_WORD.search(text):
        return False
    return True


def guardrail_block(
    *,
    kind: str,
    message: str,
    now: datetime,
    nudges_sent: int,
    last_nudge_at: datetime | None,
    ended: bool,
    config: Any,
) -> str | None:
    """None if a user-facing event of this kind/message may be sent now, else a reason code.

    Reason codes (checked in this order): "session_ended", "unknown_kind", "not_micro_tone",
    "cap" (``nudges_sent >= config.max_nudges``), "backoff" (less than
    ``config.min_gap_seconds`` since ``last_nudge_at``; exactly the gap is allowed, and a
    ``last_nudge_at`` in the future counts as too recent).

    ``config`` is anything with ``min_gap_seconds`` and ``max_nudges`` attributes
    (a :class:`focus.policy.PolicyConfig`, or a settings-backed object).
    """
    if ended:
        return "session_ended"
    if kind not in ALLOWED_KINDS:
        return "unknown_kind"
    if not is_micro_tone(message):
        return "not_micro_tone"
    if nudges_sent >= config.max_nudges:
        return "cap"
    if last_nudge_at is not None:
        gap = seconds_between(last_nudge_at, now)
        if gap < config.min_gap_seconds:
            return "backoff"
    return None

"""The words a person sees: a few short, varied messages per allowed nudge/break kind.

Every message is one calm sentence of at most 120 characters (checked by
``focus.guardrails.is_micro_tone`` in the tests), with no ALL CAPS and no "!!": explaining
gently raises acceptance and more insistent notifications go with more negative emotion
(docs/policy.md, "Fewer, explained nudges"). Break messages carry the break length as
``{minutes}`` because a break's length is shown to the person in minutes.

:func:`pick_message` is deterministic: the policy passes the session's tick number as the
seed, so the wording varies from tick to tick but tests are reproducible.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Any

MESSAGES: dict[str, tuple[str, ...]] = {
    "check_in": (
        "Quick check-in: is this still the thing you meant to work on?",
        "How is this session going so far?",
        "Still on track, or is something pulling at your attention?",
        "A gentle check-in: how does the work feel right now?",
        "Is this session still going the way you hoped?",
    ),
    "refocus": (
        "Looks like your attention drifted; want to pick the thread back up?",
        "A gentle nudge to come back to what you set out to do.",
        "When you're ready, bring your attention back to this task.",
        "Maybe close what you don't need right now and return to your task.",
        "Your task is still here whenever you want to dive back in.",
    ),
    "micro_break": (
        "Time for a short pause: take {minutes} minutes to stand up and stretch.",
        "How about {minutes} minutes away from the screen to rest your eyes?",
        "A breather of {minutes} minutes now can keep you fresh for the next stretch.",
        "Consider stepping away for {minutes} minutes, then come back to it.",
        "Good moment to move a little for {minutes} minutes before you carry on.",
    ),
    "recovery_break": (
        "You seem under strain, so a break of {minutes} minutes to reset could help.",
        "Consider a proper break of {minutes} minutes: some water, fresh air, a slower breath.",
        "This might be a good time for {minutes} minutes of rest away from the screen.",
        "Taking {minutes} minutes to recharge could make the rest of this easier.",
        "Give yourself {minutes} minutes off, and come back when you feel steadier.",
    ),
    "wrap_up": (
        "You're around the time you planned, so it's a good moment to start wrapping up.",
        "Consider finishing the current piece and noting where to pick up next.",
        "Time to start bringing this session to a calm close.",
        "Wrap up when you reach a natural stopping point; you're near your planned time.",
        "A good moment to jot down your next step and start winding down.",
    ),
}

# "1 minutes" reads wrong; breaks are normally 3 minutes or longer, but keep the grammar right.
_ONE_MINUTES = re.compile(r"\b1 minutes\b")


def template_fields(template: str) -> set[str]:
    """The ``{name}`` placeholders used by a message template."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def pick_message(kind: str, *, seed: int, **fmt: Any) -> str:
    """Pick and fill one message for ``kind``, deterministically from ``seed``.

    Consecutive seeds give different messages (``seed % len(messages)``). Extra keyword
    arguments are ignored by templates that do not use them. Raises ``KeyError`` for a kind
    with no messages and ``ValueError`` when a template needs a value that was not given
    (e.g. ``minutes`` for a break).
    """
    templates = MESSAGES[kind]
    template = templates[int(seed) % len(templates)]
    missing = template_fields(template) - fmt.keys()
    if missing:
        raise ValueError(f"message for {kind!r} needs {', '.join(sorted(missing))}")
    text = template.format(**fmt)
    return _ONE_MINUTES.sub("1 minute", text)

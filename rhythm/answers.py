"""How the person answered nudges, per kind: the pure fold behind ``PersonalModel.nudge_answers``.

Each kind keeps its last ``keep`` answers, oldest first ("taken", "snoozed", "dismissed",
"ignored"). rhythm/services.py ``nudge_answers_add`` stores what :func:`answers_added` gives; the
session simulator (bench/companion/drive.py) folds a person's answers with the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def answers_added(kept: Mapping | None, answers: Iterable[tuple[str, str]], *, keep: int) -> dict[str, list[str]]:
    """``kept`` with the (kind, answer) pairs appended in order, each kind cut to its last ``keep``."""
    folded = dict(kept) if isinstance(kept, Mapping) else {}
    for kind, answer in answers:
        previous = folded.get(kind)
        history: list[str] = previous if isinstance(previous, list) else []
        folded[kind] = [*history, answer][-keep:]
    return folded

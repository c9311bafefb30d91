"""The person's own norms, carried across sessions: what is usual for *them*.

A :class:`PersonNorms` holds one robust summary (:class:`Norm`: median, MAD and how many readings
it rests on) per signal: app switches per reading while active, stress, fatigue, heart rate and
HRV. It is stored as JSON on the person's ``personal_model`` row (``norms``), read by the tick
into :class:`focus.policy.TickContext` and moved on at the end of each session from that
session's pings (:meth:`PersonNorms.updated`). Pure: no Django, no clock.

Why median/MAD: one noisy reading moves a mean and a standard deviation a lot and a median
hardly at all (docs/policy.md "The person's own norms"). Across sessions the norm moves like an
exponentially weighted average whose weight is the session's share of the readings, never less
than ``NEW_SESSION_MIN_WEIGHT`` (so a norm keeps following a person who changes) and never more
than ``NEW_SESSION_MAX_WEIGHT`` once a norm exists (so one odd session cannot replace it).

A norm is used only once it rests on ``MIN_NORM_READINGS`` readings; before that, a session
reads the person from its own first readings, never from the model's defaults.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from focus.vocabulary import IDLE_ACTIVITIES
from focusflow.numbers import finite_number

__all__ = ["MIN_NORM_READINGS", "NORM_SIGNALS", "Norm", "PersonNorms", "norm_of"]

# The signals a norm is kept for, and the range a reading must fall in to count.
NORM_SIGNALS: Mapping[str, tuple[float, float]] = {
    "app_switches": (0.0, 10_000.0),
    "stress": (0.0, 1.0),
    "fatigue": (0.0, 1.0),
    "heart_rate": (20.0, 250.0),
    "hrv_ms": (1.0, 1000.0),
}
MIN_NORM_READINGS = 6  # about two ticks of pings: fewer and the session's own readings decide
NEW_SESSION_MIN_WEIGHT = 0.2
NEW_SESSION_MAX_WEIGHT = 0.5
MAX_COUNT = 500  # the count stops growing here, so the norm keeps learning
MAD_TO_SD = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data


@dataclass(frozen=True)
class Norm:
    """A robust summary of one signal: the median, the median absolute deviation, and the count."""

    median: float
    mad: float
    count: int

    def spread(self, floor: float) -> float:
        """The scale of ordinary variation (MAD as a standard deviation), at least ``floor``."""
        return max(self.mad * MAD_TO_SD, floor)

    @classmethod
    def from_mapping(cls, data: Any) -> Norm | None:
        if not isinstance(data, Mapping):
            return None
        median, mad = finite_number(data.get("median")), finite_number(data.get("mad"), 0.0)
        count = data.get("count")
        if median is None or mad is None or isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            return None
        return cls(median=median, mad=mad, count=min(count, MAX_COUNT))

    def to_dict(self) -> dict:
        return {"median": round(self.median, 4), "mad": round(self.mad, 4), "count": self.count}

    def merged(self, session: Norm) -> Norm:
        """This norm moved toward a session's own (weight: the session's share of the readings)."""
        weight = session.count / (self.count + session.count)
        weight = min(NEW_SESSION_MAX_WEIGHT, max(NEW_SESSION_MIN_WEIGHT, weight))
        return Norm(
            median=self.median + weight * (session.median - self.median),
            mad=self.mad + weight * (session.mad - self.mad),
            count=min(MAX_COUNT, self.count + session.count),
        )


def norm_of(values: Iterable[float]) -> Norm | None:
    """The median/MAD summary of some readings, or None for none."""
    data = [float(v) for v in values]
    if not data:
        return None
    median = statistics.median(data)
    mad = statistics.median(abs(v - median) for v in data)
    return Norm(median=median, mad=mad, count=len(data))


def _readings(pings: Sequence[Any], name: str) -> list[float]:
    low, high = NORM_SIGNALS[name]
    values = []
    for ping in pings:
        if name == "app_switches" and getattr(ping, "activity", None) in IDLE_ACTIVITIES:
            continue  # no switching while away says nothing about the person's pace
        value = finite_number(getattr(ping, name, None), low, high)
        if value is not None:
            values.append(value)
    return values


@dataclass(frozen=True)
class PersonNorms:
    """The person's norms, one :class:`Norm` (or None: not known yet) per signal."""

    app_switches: Norm | None = None
    stress: Norm | None = None
    fatigue: Norm | None = None
    heart_rate: Norm | None = None
    hrv_ms: Norm | None = None
    sessions: int = 0

    @classmethod
    def from_mapping(cls, data: Any) -> PersonNorms:
        """Read stored norms, ignoring anything missing or malformed (an empty norm at worst)."""
        if not isinstance(data, Mapping):
            return cls()
        sessions = data.get("sessions")
        sessions = sessions if isinstance(sessions, int) and not isinstance(sessions, bool) and sessions > 0 else 0
        return cls(sessions=sessions, **{name: Norm.from_mapping(data.get(name)) for name in NORM_SIGNALS})

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"sessions": self.sessions}
        for name in NORM_SIGNALS:
            norm = getattr(self, name)
            if norm is not None:
                data[name] = norm.to_dict()
        return data

    def known(self, name: str, min_count: int = MIN_NORM_READINGS) -> Norm | None:
        """The norm for ``name`` if it rests on at least ``min_count`` readings, else None."""
        norm = getattr(self, name, None) if name in NORM_SIGNALS else None
        return norm if norm is not None and norm.count >= min_count else None

    def updated(self, pings: Sequence[Any]) -> PersonNorms:
        """These norms moved on by one session's pings (anything with the ping reading attributes)."""
        changes: dict[str, Any] = {}
        for name in NORM_SIGNALS:
            session = norm_of(_readings(pings, name))
            if session is None:
                continue
            old = getattr(self, name)
            changes[name] = session if old is None else old.merged(session)
        if not changes:
            return self
        return replace(self, sessions=self.sessions + 1, **changes)


def _check_fields() -> None:  # the dataclass and NORM_SIGNALS name the same signals
    names = {f.name for f in fields(PersonNorms)} - {"sessions"}
    assert names == set(NORM_SIGNALS), names


_check_fields()

"""Poisson counts: how rare a count is, and a bound on a rate seen through a count.

App switches counted over a stretch of time are read as a Poisson count: the policy asks how
many would be rare at the person's own pace (:func:`quantile`), with the pace itself bounded
from what was seen (:func:`upper_bound`). Pure: no Django, no clock.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["at_least", "quantile", "upper_bound"]

_EXACT_UP_TO = 500.0  # past this mean e^-mean underflows; the normal approximation is exact enough


def at_least(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    if mean > _EXACT_UP_TO:
        return 1.0 - NormalDist(mean, math.sqrt(mean)).cdf(k - 0.5)
    term, below = math.exp(-mean), 0.0
    for i in range(k):
        below += term
        term *= mean / (i + 1)
    return max(0.0, 1.0 - below)


def quantile(mean: float, p: float) -> int:
    """The least k with P(X >= k) <= p for X ~ Poisson(mean): a count that rare at that mean."""
    mean = max(0.0, mean)
    if mean > _EXACT_UP_TO:
        return math.ceil(NormalDist(mean, math.sqrt(mean)).inv_cdf(1.0 - p) + 0.5)
    k, term, below = 0, math.exp(-mean), 0.0
    while 1.0 - below > p:
        below += term
        k += 1
        term *= mean / k
    return k


def upper_bound(seen: int, confidence: float) -> float:
    """An upper confidence bound on a Poisson mean after ``seen`` events (Wilson-Hilferty)."""
    z, m = NormalDist().inv_cdf(confidence), seen + 1
    return m * (1 - 1 / (9 * m) + z / (3 * math.sqrt(m))) ** 3

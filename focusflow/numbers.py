"""Reading numbers out of untrusted values (JSON content, snapshots) in the pure modules."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def finite_number(value: Any, lo: float | None = None, hi: float | None = None) -> float | None:
    """A finite real number within [lo, hi] as a float, else None.

    Bools, strings, None, NaN, infinities and out-of-range values are "no reading". Decimals
    count: values may come from a DecimalField or the sanitized JSON of a snapshot.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return None
    return number

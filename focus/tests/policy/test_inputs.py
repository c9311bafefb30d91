"""A ping's readings are parsed once into typed values (focus/policy/inputs.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from focus.policy import PingSample, parse_ping

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def test_stored_content_becomes_a_parsed_sample():
    sample = PingSample.from_content(
        T0, {"activity": "active", "app_switches": 4, "stress": Decimal("0.5"), "note": "ignored", "focus": "0.7"}
    )
    assert sample == PingSample(at=T0, activity="active", app_switches=4.0, stress=0.5)


def test_odd_readings_become_no_reading():
    sample = parse_ping(
        PingSample(
            at=datetime(2025, 3, 3, 9, 0),  # noqa: DTZ001 (naive on purpose)
            activity="sleeping",
            energy=float("nan"),
            heart_rate=True,
            hrv_ms=float("inf"),
        )
    )
    assert sample == PingSample(at=T0)
    assert sample.at.tzinfo is not None


def test_parsing_twice_changes_nothing():
    once = parse_ping(PingSample(at=T0, activity="idle", app_switches=-1, fatigue=0.9))
    assert parse_ping(once) == once and once.app_switches == -1.0

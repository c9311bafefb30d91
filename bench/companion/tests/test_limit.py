"""The ideal-detector bound (bench/companion/limit.py) that docs/companion.md reads the switch rows against."""

from bench.companion.limit import ideal_detector


def test_a_stricter_detector_trades_finding_for_false_alarms():
    loose, *_, strict = ideal_detector(persons=300)
    assert strict.false_per_session <= loose.false_per_session
    assert strict.detected < loose.detected

"""The ideal-detector bound (bench/companion/limit.py) that docs/companion.md reads the switch rows against."""

from bench.companion.limit import _poisson_at_least, _quantile, _upper_bound, ideal_detector


def test_the_poisson_quantile_is_the_least_count_that_rare():
    assert _quantile(2.0, 0.05) == 6  # P(X >= 5) = 5.3%, P(X >= 6) = 1.7%
    assert _poisson_at_least(0, 3.0) == 1.0
    assert abs(_poisson_at_least(1, 3.0) - (1 - 2.718281828**-3)) < 1e-6


def test_the_upper_bound_is_above_what_was_seen_and_grows_with_confidence():
    assert 10 < _upper_bound(10, 0.5) < _upper_bound(10, 0.9) < 20


def test_a_stricter_detector_trades_finding_for_false_alarms():
    loose, *_, strict = ideal_detector(persons=300)
    assert strict.false_per_session <= loose.false_per_session
    assert strict.detected < loose.detected
    assert loose.detected > 0.9  # a 5 x distraction is plain to a detector that sees every switch

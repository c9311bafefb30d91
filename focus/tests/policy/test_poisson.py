"""Poisson counts (focus/policy/poisson.py), as the per-ping switch test reads them."""

import math

from focus.policy.poisson import at_least, quantile, upper_bound


def test_the_quantile_is_the_least_count_that_rare():
    assert quantile(2.0, 0.05) == 6  # P(X >= 5) = 5.3%, P(X >= 6) = 1.7%
    assert quantile(0.0, 1e-3) == 1
    for mean in (0.4, 3.0, 17.0, 90.0):
        k = quantile(mean, 1e-3)
        assert at_least(k, mean) <= 1e-3 < at_least(k - 1, mean)


def test_the_tail_is_exact_for_small_counts():
    assert at_least(0, 3.0) == 1.0
    assert math.isclose(at_least(1, 3.0), 1 - math.exp(-3.0))
    assert math.isclose(at_least(2, 3.0), 1 - math.exp(-3.0) * 4.0)


def test_a_large_mean_does_not_underflow():
    assert 600 < quantile(600.0, 1e-3) < 700
    assert 0.0 < at_least(650, 600.0) < 0.05


def test_the_upper_bound_is_above_what_was_seen_and_grows_with_confidence():
    assert 10 < upper_bound(10, 0.5) < upper_bound(10, 0.9) < 20
    assert upper_bound(0, 0.5) > 0

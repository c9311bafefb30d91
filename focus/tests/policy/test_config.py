"""PolicyConfig: every knob is checked when the config is built (moved from test_policy.py)."""

from __future__ import annotations

import pytest

from focus.policy import PolicyConfig


@pytest.mark.parametrize(
    "field_name, value",
    [
        ("tick_seconds", 0),
        ("tick_seconds", -5),
        ("flow_ticks", 0),
        ("max_nudges", -1),
        ("min_gap_seconds", -1),
        ("stress_rise", float("nan")),
        ("high_stress", "0.8"),
        ("long_flow_ticks", True),
        ("recovery_fatigue_span", 0.0),
    ],
)
def test_a_bad_config_value_is_refused(field_name, value):
    with pytest.raises(ValueError, match=field_name):
        PolicyConfig(**{field_name: value})


def test_a_zero_cap_and_gap_are_valid_settings():
    config = PolicyConfig(max_nudges=0, min_gap_seconds=0)
    assert config.max_nudges == 0

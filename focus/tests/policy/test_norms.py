"""The person's own norms (focus/policy/norms.py): robust, carried across sessions, never the model's defaults."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from focus.policy import Norm, PersonNorms, PingSample
from focus.policy.norms import MIN_NORM_READINGS, norm_of

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def pings(**series) -> list[PingSample]:
    length = max(len(v) for v in series.values())
    return [
        PingSample(at=T0 + timedelta(minutes=2 * i), **{k: v[i] for k, v in series.items() if i < len(v)})
        for i in range(length)
    ]


def test_a_norm_is_the_median_and_mad_so_one_wild_reading_hardly_moves_it():
    assert norm_of([2, 3, 3, 4, 40]) == Norm(median=3, mad=1, count=5)
    assert norm_of([]) is None


def test_a_first_session_builds_the_norms_from_its_own_readings():
    norms = PersonNorms().updated(pings(app_switches=[2, 3, 4, 3], stress=[0.5, 0.52, 0.48, 0.5]))
    assert norms.sessions == 1
    assert norms.app_switches == Norm(median=3, mad=0.5, count=4)
    assert norms.stress is not None and norms.stress.median == pytest.approx(0.5)
    assert norms.fatigue is None and norms.heart_rate is None  # never a default


def test_switches_while_idle_or_away_say_nothing_about_pace():
    norms = PersonNorms().updated(
        [PingSample(at=T0, activity="away", app_switches=0), PingSample(at=T0, activity="active", app_switches=6)]
    )
    assert norms.app_switches == Norm(median=6, mad=0, count=1)


def test_a_later_session_moves_the_norm_by_its_share_within_bounds():
    old = Norm(median=2.0, mad=1.0, count=100)
    moved = old.merged(Norm(median=12.0, mad=2.0, count=10))
    assert moved.median == pytest.approx(2.0 + 0.2 * 10)  # at least 20%: the norm keeps learning
    assert moved.count == 110
    young = Norm(median=2.0, mad=1.0, count=2).merged(Norm(median=12.0, mad=2.0, count=50))
    assert young.median == pytest.approx(7.0)  # at most half: one odd session cannot replace it


def test_norms_survive_json_and_ignore_damage():
    norms = PersonNorms().updated(pings(app_switches=[2, 3, 4], heart_rate=[60, 62, 64], hrv_ms=[50, 55, 60]))
    again = PersonNorms.from_mapping(json.loads(json.dumps(norms.to_dict())))
    assert again == PersonNorms.from_mapping(norms.to_dict())
    assert again.heart_rate is not None and again.heart_rate.median == 62
    for junk in (None, [], "x", {"stress": {"median": "a", "mad": 0, "count": 3}}, {"sessions": True}):
        assert PersonNorms.from_mapping(junk).stress is None


def test_a_norm_is_known_only_once_it_rests_on_enough_readings():
    few = PersonNorms(stress=Norm(0.3, 0.05, MIN_NORM_READINGS - 1))
    assert few.known("stress") is None
    assert PersonNorms(stress=Norm(0.3, 0.05, MIN_NORM_READINGS)).known("stress") is not None
    assert few.known("bogus") is None


def test_a_session_without_readings_leaves_the_norms_as_they_are():
    norms = PersonNorms(stress=Norm(0.3, 0.05, 40), sessions=3)
    assert norms.updated([PingSample(at=T0, activity="active")]) is norms

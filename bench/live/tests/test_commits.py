"""The live benchmark's commit times (bench/live/commits.py) and how it splits the events it times."""

from bench.live.commits import Commits

S = "0b8f4c52-5d7e-4a56-9d4e-1f2a3b4c5d6e"


def test_an_event_committed_in_the_first_announced_write_that_reaches_it():
    commits = Commits()
    commits.record([(S, 10)], at=100.0)
    commits.record([(S, 14), ("other", 3)], at=101.0)
    assert commits.committed_at(S, 9) == 100.0
    assert commits.committed_at(S, 10) == 100.0
    assert commits.committed_at(S, 12) == 101.0
    assert commits.committed_at(S, 15) is None  # never announced: the caller falls back to ts
    assert commits.committed_at("unknown", 1) is None


def test_an_announcement_seen_out_of_order_still_gives_the_earliest_sighting():
    commits = Commits()
    commits.record([(S, 20)], at=200.0)  # the later write's announcement arrived first
    commits.record([(S, 15)], at=200.5)
    assert commits.committed_at(S, 12) == 200.0
    assert commits.committed_at(S, 18) == 200.0

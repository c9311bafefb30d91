"""The web process's garbage collection (focusflow/collector.py)."""

import asyncio
import gc

import pytest

from focusflow import collector


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_tune_freezes_what_is_loaded_and_leaves_full_collections_to_the_clock(restored_gc):
    young, middle, _ = gc.get_threshold()
    collector.tune()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold() == (young, middle, collector.NEVER)
    full = gc.get_stats()[2]["collections"]
    survivors = [[] for _ in range(500_000)]  # far more than once started a full collection
    assert gc.get_stats()[2]["collections"] == full
    del survivors


def test_the_clock_runs_full_collections(restored_gc):
    async def run_for_a_while():
        task = asyncio.create_task(collector.collect_periodically(period=0.05))
        full = gc.get_stats()[2]["collections"]
        deadline = asyncio.get_running_loop().time() + 10
        while gc.get_stats()[2]["collections"] < full + 2 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        return gc.get_stats()[2]["collections"] - full

    assert asyncio.run(run_for_a_while()) >= 2

"""The web process's garbage collection: the full collection on a clock, not on allocation.

CPython's full (generation 2) collection looks at every tracked object. A web process holding 5,000
open streams has about 800,000 of them, and a full collection then takes 0.5-0.9 s on this box, a
stall of the event loop and so of every stream's delivery. CPython starts one whenever a quarter as
many objects again have survived into the old generation, which in a web process serving pings is
every 15-20 s, and during a reconnect storm (the heap growing fast) every second or so: that was
most of the cost of opening 10,000 streams, and the 0.5-1 s delivery spikes between storms
(docs/benchmarks.md "Live delivery").

So in the web process (focusflow/asgi.py, at startup):

- what the start-up loaded (modules, URL patterns, the compiled statements) is frozen out of the
  collector's view (:func:`gc.freeze`): it lives as long as the process anyway;
- the young generations are collected as CPython always does (cheap, on allocation);
- the full collection runs every FULL_COLLECTION_SECONDS, spread over the processes at random,
  instead of on allocation. Between two, garbage without reference cycles is freed at once as always;
  only cyclic garbage that outlived two young collections waits for the next full one.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import random
import time

log = logging.getLogger("focusflow.collector")

FULL_COLLECTION_SECONDS = 300.0
# The old generation's threshold: a full collection after this many young ones, that is never.
NEVER = 10**9


def tune() -> None:
    """Freeze what is loaded now; full collections only when :func:`collect_periodically` runs one."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)


async def collect_periodically(period: float = FULL_COLLECTION_SECONDS) -> None:
    """Run a full collection every ``period`` seconds (the first after a random share of it)."""
    await asyncio.sleep(period * random.uniform(0.5, 1.0))
    while True:
        started = time.perf_counter()
        found = gc.collect()
        log.debug("full collection: %d unreachable objects in %.0f ms", found, (time.perf_counter() - started) * 1e3)
        await asyncio.sleep(period)

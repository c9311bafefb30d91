"""Bounded sync code for the web process (focusflow/asgi.py): lanes of reused threads, and a stopping
process waiting for the requests it has taken."""

import asyncio
import contextlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor


class Lane:
    """At most ``size`` requests run their sync code at once, each on a thread of its own (and so on
    a database connection of its own): the rest wait here, on the event loop, as they waited in a
    sync worker's backlog, instead of starting threads that time out waiting for the pool (a 500).

    The threads are kept and reused (Django under ASGI would start one per request and join it
    after), and a request's slot is given back only once its thread is idle again: a request whose
    client went away mid-view is let go by Django, but its view still runs on that thread, holding
    a connection. A request whose client goes away while it waits for a slot is dropped unserved.
    """

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self.slots = asyncio.Semaphore(size)
        self.idle: list[ThreadPoolExecutor] = []
        self.started = 0
        self.waiting = 0
        self.running = 0  # admitted, until their thread is idle again

    async def admit(self, receive):
        """Wait for a slot; the receive to hand on (it replays what was read here), or None if the
        client went away first."""
        first = await receive()
        if first["type"] == "http.disconnect":
            return None
        replay: list = [first]
        pending: asyncio.Future | None = None
        self.waiting += 1
        try:
            if self.slots.locked() and not first.get("more_body"):
                # A bodiless (or one-message) request: watch for its client leaving while it waits.
                acquire = asyncio.ensure_future(self.slots.acquire())
                pending = asyncio.ensure_future(receive())
                await asyncio.wait({acquire, pending}, return_when=asyncio.FIRST_COMPLETED)
                if not acquire.done() or acquire.cancelled():
                    acquire.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await acquire
                    if not acquire.cancelled():
                        self.slots.release()  # acquired while being cancelled
                    return None  # the client went away (disconnect is all receive can say now)
            else:
                await self.slots.acquire()
        finally:
            self.waiting -= 1
        self.running += 1

        async def replaying():
            nonlocal pending
            if replay:
                return replay.pop(0)
            if pending is not None:
                message, pending = pending, None
                return await message
            return await receive()

        return replaying

    def executor(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()
        self.started += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"web-{self.name}-{self.started}")

    async def release(self, executor: ThreadPoolExecutor) -> None:
        """Give the slot back once the thread has finished whatever it was given."""
        try:
            await asyncio.wrap_future(executor.submit(lambda: None))
        finally:
            self.idle.append(executor)
            self.running -= 1
            self.slots.release()


def unanswered(lanes: Iterable[Lane]) -> int:
    """Requests waiting for a thread or running their sync code."""
    return sum(lane.waiting + lane.running for lane in lanes)


async def settle(lanes: Iterable[Lane], timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) until the requests these lanes have taken are answered.

    A stopping web server cancels what is left after its own short grace, and a request cancelled
    before its answer started is answered 500 by the server: pings queued behind a reconnect storm
    at a restart were."""
    lanes = tuple(lanes)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while unanswered(lanes) and loop.time() < deadline:
        await asyncio.sleep(0.05)

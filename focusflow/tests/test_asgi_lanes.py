"""The web process's lanes (focusflow/lanes.py): what they count, and a stopping process waiting for
the requests it has taken (focusflow/asgi_worker.py) instead of leaving them to be cancelled."""

from __future__ import annotations

import asyncio

from focusflow.lanes import Lane, settle, unanswered


def request_receive():
    """A bodiless request's receive: the request, then nothing until the client leaves (never here)."""
    sent = []

    async def receive():
        if sent:
            await asyncio.Event().wait()
        sent.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    return receive


def test_a_lane_counts_who_waits_and_who_runs_until_the_thread_is_idle():
    async def scenario():
        lane = Lane("sync", 1)
        assert await lane.admit(request_receive()) is not None
        assert (lane.waiting, lane.running) == (0, 1)
        second = asyncio.ensure_future(lane.admit(request_receive()))
        await asyncio.sleep(0.01)
        assert (lane.waiting, lane.running) == (1, 1)
        executor = lane.executor()
        await lane.release(executor)
        assert await second is not None
        assert (lane.waiting, lane.running) == (0, 1)
        await lane.release(lane.executor())
        assert (lane.waiting, lane.running) == (0, 0)

    asyncio.run(scenario())


def test_a_client_that_leaves_while_waiting_is_not_counted():
    async def scenario():
        lane = Lane("sync", 1)
        await lane.admit(request_receive())

        async def leaves():
            return {"type": "http.disconnect"}

        assert await lane.admit(leaves) is None
        assert (lane.waiting, lane.running) == (0, 1)

    asyncio.run(scenario())


def test_settle_waits_for_the_requests_taken_and_gives_up_at_its_timeout():
    async def scenario():
        lanes = (Lane("sync", 2), Lane("stream", 1))
        sync, stream = lanes
        loop = asyncio.get_running_loop()
        await sync.admit(request_receive())
        await stream.admit(request_receive())
        waiting = asyncio.ensure_future(stream.admit(request_receive()))
        await asyncio.sleep(0.01)
        assert unanswered(lanes) == 3

        async def answer_all():
            await asyncio.sleep(0.2)
            await sync.release(sync.executor())
            await stream.release(stream.executor())
            await waiting
            await stream.release(stream.executor())

        answering = asyncio.ensure_future(answer_all())
        started = loop.time()
        await settle(lanes, 30)
        assert unanswered(lanes) == 0
        assert 0.15 <= loop.time() - started < 10  # returned once answered, not at the timeout
        await answering

        await sync.admit(request_receive())
        started = loop.time()
        await settle(lanes, 0.3)  # never answered: settle stops waiting
        assert loop.time() - started >= 0.3
        assert unanswered(lanes) == 1

    asyncio.run(scenario())

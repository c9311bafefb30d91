"""When each event committed, as the live benchmark measures it (bench/live/__main__.py).

An event's ``ts`` is taken when it is written, and a tick batch writes a hundred sessions' events in
one transaction that commits a few hundred milliseconds later: ``ts`` to arrival is an upper bound
on the delivery the issue asks about (committed → received). The commit itself is what the
publisher announces right after it (focus.stream.publish: "session S has events up to N"), so a
subscriber of its own on the same Redis, which does nothing else, sees each commit within a
millisecond or so of it; an event committed in the first announced write of its session whose
newest id is at least its own. That is the commit time used here; an event whose announcement was
not seen falls back to its ``ts``.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict


class Commits:
    """The announcements seen, per session: (newest id, when seen), and the commit time of an event."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._index: dict[str, tuple[list[int], list[float]]] | None = None

    def record(self, items: list[tuple[str, int]], at: float) -> None:
        for session_id, newest in items:
            self.seen[str(session_id)].append((int(newest), at))
        self._index = None

    def committed_at(self, session_id: str, event_id: int) -> float | None:
        """The earliest announcement of ``session_id`` that covers ``event_id``, or None."""
        if self._index is None:
            self._index = {}
            for sid, rows in self.seen.items():
                rows = sorted(rows)
                newest = [row[0] for row in rows]
                # The earliest sighting among all announcements reaching at least this far.
                earliest = [row[1] for row in rows]
                for k in range(len(earliest) - 2, -1, -1):
                    earliest[k] = min(earliest[k], earliest[k + 1])
                self._index[sid] = (newest, earliest)
        found = self._index.get(session_id)
        if found is None:
            return None
        newest, earliest = found
        k = bisect.bisect_left(newest, event_id)
        return earliest[k] if k < len(newest) else None


class Subscriber:
    """A thread subscribed to the announcements channel, recording each one as it arrives."""

    def __init__(self, redis_url: str, commits: Commits) -> None:
        self.redis_url, self.commits = redis_url, commits
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="bench-commits")

    def start(self) -> Subscriber:
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the announcements subscriber did not start")
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)

    def _run(self) -> None:
        import redis

        from focus.stream.hub import parse_announcement
        from focus.stream.publish import CHANNEL

        pubsub = redis.Redis.from_url(self.redis_url).pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        pubsub.get_message(timeout=1.0)  # the subscription's confirmation
        self.ready.set()
        while not self.stopping.is_set():
            message = pubsub.get_message(timeout=0.5)
            if message and message.get("type") == "message":
                self.commits.record(parse_announcement(message["data"]), time.time())
        pubsub.close()

"""Per-user request throttling: 429 with Retry-After.

Every signed-in caller has a rate per minute (service accounts act for many people and get a much
higher one: the "staff" rate, for holders of focusflow.act_for_any_person, not the staff flag), and
the two writes a client repeats, start and ping, have a tighter per-person rate of their own (a
view's `throttle_scope`). The dashboard's form views run the same throttles through
`throttle_wait` (same classes, same counters), so both doors share one count per person.

Counting is a fixed window per (scope, user): one atomic cache increment per counter. DRF's own
throttle keeps a list of timestamps that it reads and writes back, so parallel requests can slip
past the limit, and each staff request would pickle a list of thousands of floats. The counters live
in the cache (CACHE_URL: Redis in production, so every web worker shares them). The first of a
request's throttles to run counts the request for all of them and leaves the others their counts
(`PersonRateThrottle._count_request`): with Redis that is one round trip whatever the number of
counters (a small Lua script: INCR each key, EXPIRE it when it is new), where two throttles through
Django's cache API cost six (add, then incr, which checks that the key exists before it increments).
Other cache backends (the per-process memory cache of the quick start) take add + incr per counter. If the cache cannot be reached the request is let through: throttling
protects the service, and a Redis outage must not take the API (or a person's pings) down with it;
the database is the source of truth. The outage is logged once per process, a warning when the
cache first fails and an info line when it answers again, not once per request (a busy web worker
would otherwise log hundreds of lines a second).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from focusflow.people import acts_for_any_person

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/min" → (120, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


class CacheOutage:
    """Whether this process finds the throttle cache down, so that an outage is logged once: a
    warning when the cache first fails, an info line (how long, how many requests went
    unthrottled) when it answers again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self._let_through = 0

    @property
    def is_down(self) -> bool:
        return self._since is not None

    def failed(self, error: Exception, *, checks: int = 1) -> None:
        with self._lock:
            self._let_through += checks
            if self._since is not None:
                return
            self._since = time.monotonic()
        logger.warning(
            "Throttle cache unavailable (%s); letting requests through unthrottled until it answers again",
            error.__class__.__name__,
            exc_info=error,
        )

    def answered(self) -> None:
        if self._since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._since is None:
                return
            seconds, let_through = time.monotonic() - self._since, self._let_through
            self._since, self._let_through = None, 0
        logger.info(
            "Throttle cache answers again after %.0f s; %d throttle checks were let through meanwhile",
            seconds,
            let_through,
        )


cache_outage = CacheOutage()


@dataclass(frozen=True)
class Counter:
    """One throttle's count for one request: its (scope, user, window) key and the limit on it."""

    key: str
    limit: int
    period: int
    window: int
    now: float

    def retry_after(self) -> int:
        """Seconds until this window ends (at least 1: Retry-After is a whole number of seconds)."""
        return max(1, math.ceil((self.window + 1) * self.period - self.now))


# Every counter of a request in one round trip. A key is new when INCR makes it 1: only then does it
# get its lifetime (the window and a second), as Django's add() gave it, so a window's count never
# outlives the window by more than that second; INCR and EXPIRE run together in the script, so no key
# is ever left without a lifetime. Returns the counts in the order of KEYS.
COUNT_SCRIPT = Script(
    None,
    b"""
local counts = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then
        redis.call('EXPIRE', key, ARGV[i])
    end
    counts[i] = count
end
return counts
""",
)


def _redis_client():
    """The Redis client of the default cache when it is Django's RedisCache, else None.

    Through the cache rather than a client of our own built from CACHE_URL: it is the same
    connection pool (no second pool per process), with the same LOCATION and socket timeouts
    (CACHE_SOCKET_TIMEOUT) as CACHES says, and it follows CACHES when tests override it.
    `_cache.get_client` is not documented Django API (stable since the backend arrived in 4.0);
    focus/tests/test_throttle_round_trips.py fails if it stops giving one round trip per request."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def _count_with_django_cache(counter: Counter) -> int:
    """The portable path (the memory cache of the quick start): add, then an atomic incr."""
    cache.add(counter.key, 0, timeout=counter.period + 1)
    try:
        return cache.incr(counter.key)
    except ValueError:  # the window's key expired between add and incr
        cache.add(counter.key, 0, timeout=counter.period + 1)
        return cache.incr(counter.key)


def count(counters: list[Counter]) -> list[int] | None:
    """Count one request against each counter, atomically per counter; None if the cache is down
    (the caller lets the request through). With Redis, one round trip for all of them."""
    try:
        client = _redis_client()
        if client is None:
            counts = [_count_with_django_cache(counter) for counter in counters]
        else:
            keys = [cache.make_key(counter.key) for counter in counters]
            counts = [int(n) for n in COUNT_SCRIPT(keys=keys, args=[c.period + 1 for c in counters], client=client)]
    except Exception as error:  # any cache failure: fail open (see the module's docstring)
        cache_outage.failed(error, checks=len(counters))
        return None
    cache_outage.answered()
    return counts


# Where the first of a request's throttles leaves the counts it took for the others (by throttle class).
_COUNTED_FOR = "_focus_throttle_counts"


class PersonRateThrottle(BaseThrottle):
    """The general per-user rate: "user", or "staff" for service accounts (focusflow.act_for_any_person)."""

    timer = staticmethod(time.time)

    def rate_scope(self, request, view) -> str | None:
        return "staff" if acts_for_any_person(request) else "user"

    def counter(self, request, view, now: float) -> Counter | None:
        """What this throttle counts for the request, or None if it holds the request to no rate."""
        user = request.user
        if not (user and user.is_authenticated):  # anonymous calls are refused before this runs
            return None
        scope = self.rate_scope(request, view)
        # Read on every request (not at import, as DRF does) so a changed setting takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        if not rate:
            return None
        limit, period = parse_rate(rate)
        window = int(now // period)
        return Counter(key=f"throttle:{scope}:{user.pk}:{window}", limit=limit, period=period, window=window, now=now)

    def allow_request(self, request, view) -> bool:
        self.retry_after = None
        counted = getattr(request, _COUNTED_FOR, {}).pop(type(self), None)
        if counted is None:
            counted = self._count_request(request, view)
        counter, count_now = counted
        if counter is None or count_now is None:  # no rate here, or the cache is down: let through
            return True
        if count_now <= counter.limit:
            return True
        self.retry_after = counter.retry_after()
        return False

    def _count_request(self, request, view) -> tuple[Counter | None, int | None]:
        """Count the request for this throttle and, in the same round trip, for the view's other
        throttles (DRF's check_throttles and throttle_wait run each of them once per request, this
        one first); they find their counts on the request."""
        now = self.timer()
        others = {
            type(throttle): throttle
            for throttle in _throttles_of(view)
            if isinstance(throttle, PersonRateThrottle) and type(throttle) is not type(self)
        }
        counters = {type(self): self.counter(request, view, now)}
        counters |= {kind: throttle.counter(request, view, now) for kind, throttle in others.items()}
        to_count = [counter for counter in counters.values() if counter is not None]
        counts = iter((count(to_count) if to_count else None) or [None] * len(to_count))
        counted = {kind: (counter, None if counter is None else next(counts)) for kind, counter in counters.items()}
        own = counted.pop(type(self))
        if counted:
            setattr(request, _COUNTED_FOR, counted)
        return own

    def wait(self) -> float | None:
        return self.retry_after


def _throttles_of(view) -> list[BaseThrottle]:
    get_throttles = getattr(view, "get_throttles", None)
    return list(get_throttles()) if get_throttles is not None else []


class ActionRateThrottle(PersonRateThrottle):
    """A tighter per-person rate on one action (the view's `throttle_scope`, e.g. "focus_start").
    Service accounts are held to the staff rate only: they act for many people."""

    def rate_scope(self, request, view) -> str | None:
        scope = getattr(view, "throttle_scope", None)
        return None if scope is None or acts_for_any_person(request) else scope


class _FormDoor:
    """Stands in for a DRF view when a Django form view asks the throttles (they read only
    `throttle_scope` from the view)."""

    def __init__(self, throttle_scope: str | None) -> None:
        self.throttle_scope = throttle_scope

    def get_throttles(self) -> list[BaseThrottle]:
        return [throttle_class() for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES]


def throttle_wait(request, *, scope: str | None = None) -> int | None:
    """Run the API's throttles (DEFAULT_THROTTLE_CLASSES, as DRF's APIView.check_throttles does) for a
    request that does not go through DRF, e.g. a dashboard form: the same classes, rates and cache
    counters, so a person's count is shared by both doors. `scope` is the API view's `throttle_scope`
    for the same action ("focus_start", "focus_ping"), or None for the per-user rate only.

    Returns None when the request may go on, else the seconds to wait (for Retry-After)."""
    door = _FormDoor(scope)
    waits = []
    for throttle in door.get_throttles():
        if not throttle.allow_request(request, door):
            waits.append(throttle.wait())
    if not waits:
        return None
    return max((int(math.ceil(wait)) for wait in waits if wait is not None), default=1)

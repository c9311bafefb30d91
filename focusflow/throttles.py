"""Per-user request throttling: 429 with Retry-After.

Every signed-in caller has a rate per minute (service accounts act for many people and get a much
higher one: the "staff" rate, for holders of focusflow.act_for_any_person, not the staff flag), and
the two writes a client repeats, start and ping, have a tighter per-person rate of their own (a
view's `throttle_scope`). The dashboard's form views run the same throttles through
`throttle_wait` (same classes, same counters), so both doors share one count per person.

Counting is a fixed window per (scope, user): one atomic cache increment per request. DRF's own
throttle keeps a list of timestamps that it reads and writes back, so parallel requests can slip
past the limit, and each staff request would pickle a list of thousands of floats. The counters live
in the cache (CACHE_URL: Redis in production, so every web worker shares them). If the cache cannot
be reached the request is let through: throttling protects the service, and a Redis outage must not
take the API (or a person's pings) down with it; the database is the source of truth. The outage is
logged once per process, a warning when the cache first fails and an info line when it answers
again, not once per request (a busy web worker would otherwise log hundreds of lines a second).
"""

from __future__ import annotations

import logging
import math
import threading
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from focusflow.people import acts_for_any_person

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"120/min" → (120, 60)."""
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

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._let_through += 1
            if self._since is not None:
                return
            self._since = time.monotonic()
        logger.warning("Throttle cache unavailable (%s); letting requests through unthrottled until it answers "
                       "again", error.__class__.__name__, exc_info=error)

    def answered(self) -> None:
        if self._since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._since is None:
                return
            seconds, let_through = time.monotonic() - self._since, self._let_through
            self._since, self._let_through = None, 0
        logger.info("Throttle cache answers again after %.0f s; %d throttle checks were let through meanwhile",
                    seconds, let_through)


cache_outage = CacheOutage()


class PersonRateThrottle(BaseThrottle):
    """The general per-user rate: "user", or "staff" for service accounts (focusflow.act_for_any_person)."""

    timer = staticmethod(time.time)

    def rate_scope(self, request, view) -> str | None:
        return "staff" if acts_for_any_person(request) else "user"

    def allow_request(self, request, view) -> bool:
        self.retry_after = None
        user = request.user
        if not (user and user.is_authenticated):  # anonymous calls are refused before this runs
            return True
        scope = self.rate_scope(request, view)
        # Read on every request (not at import, as DRF does) so a changed setting takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        if not rate:
            return True
        limit, period = parse_rate(rate)
        now = self.timer()
        window = int(now // period)
        key = f"throttle:{scope}:{user.pk}:{window}"
        try:
            cache.add(key, 0, timeout=period + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # the window's key expired between add and incr
                cache.add(key, 0, timeout=period + 1)
                count = cache.incr(key)
        except Exception as error:  # any cache failure: fail open (see the module's docstring)
            cache_outage.failed(error)
            return True
        cache_outage.answered()
        if count <= limit:
            return True
        self.retry_after = max(1, math.ceil((window + 1) * period - now))
        return False

    def wait(self) -> float | None:
        return self.retry_after


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


def throttle_wait(request, *, scope: str | None = None) -> int | None:
    """Run the API's throttles (DEFAULT_THROTTLE_CLASSES, as DRF's APIView.check_throttles does) for a
    request that does not go through DRF, e.g. a dashboard form: the same classes, rates and cache
    counters, so a person's count is shared by both doors. `scope` is the API view's `throttle_scope`
    for the same action ("focus_start", "focus_ping"), or None for the per-user rate only.

    Returns None when the request may go on, else the seconds to wait (for Retry-After)."""
    door = _FormDoor(scope)
    waits = []
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        throttle = throttle_class()
        if not throttle.allow_request(request, door):
            waits.append(throttle.wait())
    if not waits:
        return None
    return max((int(math.ceil(wait)) for wait in waits if wait is not None), default=1)

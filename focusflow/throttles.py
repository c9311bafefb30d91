"""Per-user request throttling: 429 with Retry-After.

Every signed-in caller has a rate per minute (service accounts act for many people and get a much
higher one: the "staff" rate, for holders of rhythm.act_for_any_person, not the staff flag), and the two writes a client repeats, start and ping, have a tighter per-person
rate of their own (a view's `throttle_scope`).

Counting is a fixed window per (scope, user): one atomic cache increment per request. DRF's own
throttle keeps a list of timestamps that it reads and writes back, so parallel requests can slip
past the limit, and each staff request would pickle a list of thousands of floats. The counters live
in the cache (CACHE_URL: Redis in production, so every web worker shares them). If the cache cannot
be reached the request is let through and a warning logged: throttling protects the service, and a
Redis outage must not take the API down with it (the database is the source of truth).
"""

from __future__ import annotations

import logging
import math
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


class PersonRateThrottle(BaseThrottle):
    """The general per-user rate: "user", or "staff" for service accounts (rhythm.act_for_any_person)."""

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
        except Exception:
            logger.warning("throttle cache unavailable; letting the request through", exc_info=True)
            return True
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

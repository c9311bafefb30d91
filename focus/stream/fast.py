"""Opening a stream on the event loop: the common case answered without a thread (focusflow/asgi.py).

A page's stream is opened again after every dropped connection and every web restart: 10,000 pages
reconnecting meant 10,000 runs of the whole sync stack (middleware, DRF, two ORM queries, the
throttle) on the few threads a web process can give them, about 10 ms of CPU and a queue of tens
of seconds each (docs/benchmarks.md "Live delivery"). Here the one case that needs no more than a
look-up is decided on the event loop, with one SQL statement on an async connection and one Redis
round trip for the throttle:

    an owner (token or browser session) opening the stream of their own session that has not ended,
    within the rate, with a well-formed Last-Event-ID / ?after=.

Everything else says ``None`` and goes the whole way through the view (focus.stream.api), which
answers it as before: 401, 404, 400, 204, 429, a service account (its access record), an expired
token (deleted there), a session cookie signed with an old key, a Host Django refuses, a request
the security middleware would redirect. So the view stays the one description of the stream's
rules; this is a shortcut to one of its answers, with the view's own response headers (recorded
from the view's first streaming answer: until then every stream goes through the view).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from hmac import compare_digest
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from django.conf import settings

from focus.stream.sse import parse_last_event_id

log = logging.getLogger("focus.stream")

POOL_SIZE = 8  # async database connections per web process, for opening streams only
# An opening waits this long for one of them (a reconnect storm queues here, on the event loop:
# cheaper than the view's queue), then goes through the view.
POOL_TIMEOUT_S = 30.0
PROBE_WAIT_S = 1.0
PROBE_STALE_S = 10.0  # a probe that never answered (its client left while it waited): start another


@dataclass(frozen=True)
class Opening:
    session_id: uuid.UUID
    after: int | None


# Stand-in values compiled into the statements once, replaced by the request's at each run.
_TOKEN_PREFIX = "\x00focus-token-prefix"
_TOKEN_DIGEST = "\x00focus-token-digest"
_USER_ID = -0xF0C05
_SESSION_ID = uuid.UUID(int=0xF0C05)
_MARKERS = {(type(m), m) for m in (_TOKEN_PREFIX, _TOKEN_DIGEST, _USER_ID, _SESSION_ID)}


def _statement(by: str) -> tuple[str, list]:
    """The look-up as the ORM writes it (the same joins and permission test as the token
    authentication's, focusflow.people.actor_columns), compiled once: by token or by user id.
    Columns: the token's digest (the password for a session: unused), user id, token expiry (last
    login for a session: unused), active, superuser, password, granted, whether the session is the
    login's own and open."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef
    from knox.models import AuthToken

    from focus.models import FocusSession
    from focusflow.people import actor_columns

    own_open = Exists(
        FocusSession.objects.filter(pk=_SESSION_ID, person_id=OuterRef("actor_person_id"), ended_at__isnull=True)
    )
    if by == "token":
        query = (
            AuthToken.objects.filter(token_key=_TOKEN_PREFIX, digest=_TOKEN_DIGEST)
            .annotate(**actor_columns("user_id"))
            .annotate(own_open=own_open)
            .values_list(
                "digest",
                "user_id",
                "expiry",
                "user__is_active",
                "user__is_superuser",
                "user__password",
                "actor_granted",
                "own_open",
            )
        )
    else:
        query = (
            get_user_model()
            .objects.filter(pk=_USER_ID)
            .annotate(**actor_columns("pk"))
            .annotate(own_open=own_open)
            .values_list(
                "password", "pk", "last_login", "is_active", "is_superuser", "password", "actor_granted", "own_open"
            )
        )
    sql, params = query.query.get_compiler("default").as_sql()
    return sql, list(params)


def _bind(params: list, values: dict) -> list:
    return [values[p] if (type(p), p) in _MARKERS else p for p in params]


class Opener:
    """One per web process (its event loop): the async connections, the compiled statements, and
    the view's headers once seen."""

    def __init__(self) -> None:
        self.pool = None
        self.redis = None
        self.script = None
        self.statements: dict[str, tuple[str, list]] = {}
        self.headers: list[tuple[str, str]] | None = None  # the view's, from its first streaming answer
        # Until the headers are known one stream at a time goes through the view (the probe) while
        # the others wait for it here, instead of all queueing for the view's few threads.
        self.probing = False
        self.probe_started = 0.0
        self.probed = asyncio.Event()
        self.opened = 0  # streams opened here
        self.viewed = 0  # streams the view opened (focusflow/asgi.py counts them)
        self.deferred = 0

    async def warm(self) -> None:
        """Before the process serves: the statements compiled, the connections opened."""
        for by in ("token", "user"):
            self.statements.setdefault(by, _statement(by))
        await self._connection_pool()

    def view_answered(self, headers: list[tuple[str, str]] | None) -> None:
        """A stream went through the view: its headers if it streamed; the next probe may start."""
        self.viewed += headers is not None
        if headers is not None and self.headers is None:
            self.headers = headers
        self.probing = False
        self.probed.set()
        self.probed = asyncio.Event()

    # ------------------------------------------------------------------ connections
    async def _connection_pool(self):
        if self.pool is None:
            from django.db import connections
            from psycopg import AsyncConnection
            from psycopg_pool import AsyncConnectionPool

            params = connections["default"].get_connection_params()
            kwargs = {k: v for k, v in params.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
            # Prepared after a few uses (psycopg's default): two statements, run thousands of times.
            kwargs.update(autocommit=True, application_name="focusflow stream opening")
            pool = AsyncConnectionPool(
                kwargs=kwargs,
                connection_class=AsyncConnection,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=POOL_TIMEOUT_S,
                open=False,
                name="focus-stream-open",
            )
            await pool.open()
            self.pool = pool
        return self.pool

    async def _fetch(self, by: str, values: dict) -> list:
        if by not in self.statements:
            self.statements[by] = _statement(by)
        sql, params = self.statements[by]
        pool = await self._connection_pool()
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, _bind(params, values))
            return await cursor.fetchall()

    async def _session_data(self, session_key: str) -> dict | None:
        from django.contrib.sessions.backends.db import SessionStore

        pool = await self._connection_pool()
        async with pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > now()",
                [session_key],
            )
            row = await cursor.fetchone()
        return SessionStore().decode(row[0]) if row else None

    # ------------------------------------------------------------------ the decision
    async def opening(self, scope) -> Opening | None:
        """The stream to open at once, or None: let the view answer."""
        if scope.get("method") != "GET" or not _plain_request(scope):
            return None
        while self.headers is None:
            if not self.probing or time.monotonic() - self.probe_started > PROBE_STALE_S:
                # This one goes through the view (focusflow/asgi.py calls view_answered after it).
                self.probing, self.probe_started = True, time.monotonic()
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.probed.wait(), PROBE_WAIT_S)
        try:
            return await self._opening(scope)
        except Exception:  # the view will answer (and report) whatever this could not
            self.deferred += 1
            log.debug("a stream opening went through the view", exc_info=True)
            return None

    async def _opening(self, scope) -> Opening | None:
        from django.urls import Resolver404, resolve

        headers = _headers(scope)
        if scope.get("root_path"):
            return None
        try:  # exactly the URLs the view answers (the uuid converter's form, no trailing slash)
            match = resolve(scope["path"])
            after = _after(headers, scope)
        except (Resolver404, ValueError):
            return None
        if match.url_name != "session-stream":
            return None
        session_id = match.kwargs["session_id"]
        authorization = headers.get("authorization", "")
        if authorization:
            row = await self._by_token(authorization, session_id)
        else:
            row = await self._by_session_cookie(headers.get("cookie", ""), session_id)
        if row is None:
            return None
        user_id, is_active, is_superuser, granted, own_open = row
        if not is_active or is_superuser or granted or not own_open:
            return None  # refused, or a service account (its access record): the view
        if not await self._within_rate(user_id):
            return None  # the view answers 429
        self.opened += 1
        return Opening(session_id=session_id, after=after)

    async def _by_token(self, authorization: str, session_id: uuid.UUID):
        from knox.crypto import hash_token
        from knox.settings import CONSTANTS, knox_settings

        from focusflow.tokens import WELL_FORMED_TOKEN

        prefix, _, key = authorization.partition(" ")
        if prefix != knox_settings.AUTH_HEADER_PREFIX or not WELL_FORMED_TOKEN.fullmatch(key.strip()):
            return None
        key = key.strip()
        digest = hash_token(key)
        # By the digest (knox's primary key: one index look-up), compared again as knox compares it.
        rows = await self._fetch(
            "token", {_TOKEN_PREFIX: key[: CONSTANTS.TOKEN_KEY_LENGTH], _TOKEN_DIGEST: digest, _SESSION_ID: session_id}
        )
        found = next((row for row in rows if compare_digest(digest, row[0])), None)
        if found is None:
            return None
        _, user_id, expiry, is_active, is_superuser, _, granted, own_open = found
        if expiry is not None and expiry.timestamp() < time.time():
            return None  # expired: the view deletes it and answers 401
        return user_id, is_active, is_superuser, granted, own_open

    async def _by_session_cookie(self, cookie_header: str, session_id: uuid.UUID):
        """As SessionMiddleware and django.contrib.auth.get_user: the login the session names, if its
        hash still matches the password's (one with an old SECRET_KEY: the view, which renews it)."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.utils.crypto import constant_time_compare

        if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
            return None
        morsel = SimpleCookie(cookie_header).get(settings.SESSION_COOKIE_NAME)
        if morsel is None or not morsel.value:
            return None
        data = await self._session_data(morsel.value)
        if not data or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
            return None
        User = get_user_model()
        user_id = User._meta.pk.to_python(data.get(SESSION_KEY))
        rows = await self._fetch("user", {_USER_ID: user_id, _SESSION_ID: session_id})
        if not rows:
            return None
        _, user_id, _, is_active, is_superuser, password, granted, own_open = rows[0]
        user = User(pk=user_id, password=password)
        if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
            return None
        return user_id, is_active, is_superuser, granted, own_open

    async def _within_rate(self, user_id) -> bool:
        """PersonRateThrottle's "user" counter (focusflow.throttles), counted the same way: the same
        key and script, one round trip; a cache that does not answer lets the stream through."""
        from django.core.cache import cache
        from rest_framework.settings import api_settings

        from focusflow.throttles import COUNT_SCRIPT, Counter, count, parse_rate

        rate = api_settings.DEFAULT_THROTTLE_RATES.get("user")
        if not rate:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        backend = settings.CACHES["default"]["BACKEND"]
        location = settings.CACHES["default"].get("LOCATION")
        if backend.endswith("LocMemCache"):  # in this process, no I/O: the throttle's own count
            counter = Counter(
                key=f"throttle:user:{user_id}:{window}", limit=limit, period=period, window=window, now=now
            )
            counts = count([counter])
            return counts is None or counts[0] <= limit
        if not backend.endswith("RedisCache") or not isinstance(location, str):
            return False  # another cache: let the throttle itself count
        key = cache.make_key(f"throttle:user:{user_id}:{window}")
        try:
            if self.redis is None:
                import redis.asyncio as aioredis

                timeout = settings.CACHES["default"].get("OPTIONS", {}).get("socket_timeout", 2)
                self.redis = aioredis.from_url(location, socket_connect_timeout=timeout, socket_timeout=timeout)
                self.script = self.redis.register_script(COUNT_SCRIPT.script)
            (count,) = await asyncio.wait_for(self.script(keys=[key], args=[period + 1]), 5)
        except Exception:
            return True  # fail open, as the throttle does
        return int(count) <= limit


def _plain_request(scope) -> bool:
    """No redirect or refusal the middleware would make: an allowed Host, and HTTPS when required."""
    from django.http.request import split_domain_port, validate_host

    headers = _headers(scope)
    host = headers.get("host", "")
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed):
        return False
    if settings.SECURE_SSL_REDIRECT or settings.PREPEND_WWW:
        proxy = settings.SECURE_PROXY_SSL_HEADER
        secure = scope.get("scheme") == "https" or (
            proxy is not None and headers.get(proxy[0][5:].lower().replace("_", "-")) == proxy[1]
        )
        if not secure or settings.PREPEND_WWW:
            return False
    return True


def _headers(scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        found[key] = f"{found[key]}; {text}" if key == "cookie" and key in found else text
    return found


def _after(headers: dict[str, str], scope) -> int | None:
    """Last-Event-ID, else ?after= (digits); ValueError for anything the view would refuse."""
    header = parse_last_event_id(headers.get("last-event-id"))
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if set(query) - {"after"} or len(query.get("after", [])) > 1:
        raise ValueError("other query parameters: the view decides")
    if header is not None:
        return header
    if "after" in query:
        value = query["after"][0]
        if not value.isdigit():
            raise ValueError("after must be digits")
        return int(value)
    return None


_opener: Opener | None = None
_opener_loop: asyncio.AbstractEventLoop | None = None


def current_opener() -> Opener:
    global _opener, _opener_loop
    loop = asyncio.get_running_loop()
    if _opener is None or _opener_loop is not loop:
        _opener, _opener_loop = Opener(), loop
    return _opener

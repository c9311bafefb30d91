"""FocusFlow settings: one module, every knob read from the environment.

Unset, DEBUG is off: a forgotten variable must never give public debug pages, a known SECRET_KEY or
cookies without Secure, so production needs SECRET_KEY and EMAIL_URL and refuses to start without
them. `make run` turns DEBUG on for the quick start (SQLite file, an embedded broker on the file
system, a development key, mail on the console). A bad value stops the process at start with a
message naming the variable (environs).
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from environs import Env, EnvError
from marshmallow.validate import Range, Regexp

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"

env = Env()

try:
    DEBUG = env.bool("DEBUG", False)
    _secret_key = env.str("SECRET_KEY", "")
    # Password-reset mail (accounts/password_reset/): smtp://, submission:// (STARTTLS), console://, …
    _email = env.dj_email_url("EMAIL_URL") if env.str("EMAIL_URL", "") else None
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", False)
    DATABASE_URL = env.str("DATABASE_URL", "")
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")

    # The tick engine (DESIGN.md "Runtime knobs"); small values run the system time-compressed.
    FOCUS_QUEUE = env.str("FOCUS_QUEUE", "focus")
    FOCUS_TICK_SECONDS = env.int("FOCUS_TICK_SECONDS", 300, validate=Range(min=1))
    FOCUS_NUDGE_MIN_GAP_SECONDS = env.int("FOCUS_NUDGE_MIN_GAP_SECONDS", 300, validate=Range(min=0))
    FOCUS_MAX_NUDGES = env.int("FOCUS_MAX_NUDGES", 8, validate=Range(min=0))
    FOCUS_DISPATCH_SECONDS = env.int("FOCUS_DISPATCH_SECONDS", 10, validate=Range(min=1))
    # The ceiling on pings per session (beyond it a ping is a 429): one every 15 s for the longest
    # estimate (600 min), every 18 s for 12 hours. It bounds what ending a session reads.
    FOCUS_MAX_PINGS_PER_SESSION = env.int("FOCUS_MAX_PINGS_PER_SESSION", 2400, validate=Range(min=1))
    # A claimed session's lease: a lost message is re-claimed once it runs out (well under a tick).
    FOCUS_LEASE_SECONDS = env.int(
        "FOCUS_LEASE_SECONDS", max(3, min(60, FOCUS_TICK_SECONDS // 2)), validate=Range(min=1)
    )

    # A session nobody ended ends by itself this long after it started (focus/overdue.py). Hours;
    # a fraction only for a time-compressed demo.
    FOCUS_MAX_SESSION_HOURS = env.float(
        "FOCUS_MAX_SESSION_HOURS", 12.0, validate=Range(min=0, max=24 * 365, min_inclusive=False)
    )

    # A paused session ends by itself (early_end) once paused this long (focus/long_pauses.py).
    # Session minutes, like the policy's lengths: at FOCUS_TICK_SECONDS=2 the default is 24 s.
    FOCUS_MAX_PAUSE_MINUTES = env.float(
        "FOCUS_MAX_PAUSE_MINUTES", 60.0, validate=Range(min=0, max=24 * 60 * 7, min_inclusive=False)
    )
    # Integrations (DESIGN.md "Integrations"; focusflow/outbound.py). Private, loopback and link-local
    # addresses, and plain http, only when this is true: for tests and their local servers, never production.
    FOCUS_ALLOW_PRIVATE_URLS = env.bool("FOCUS_ALLOW_PRIVATE_URLS", False)
    # Webhook deliveries (focus/webhooks/): each attempt waits this long for an answer; a failed one is
    # retried after FOCUS_WEBHOOK_RETRY_SECONDS, doubling each time, and given up after
    # FOCUS_WEBHOOK_MAX_ATTEMPTS attempts (10 from 30 s: about 4 h 15 min from the first to the last).
    FOCUS_WEBHOOK_TIMEOUT_SECONDS = env.float("FOCUS_WEBHOOK_TIMEOUT_SECONDS", 10.0, validate=Range(min=0.1, max=60))
    FOCUS_WEBHOOK_RETRY_SECONDS = env.float("FOCUS_WEBHOOK_RETRY_SECONDS", 30.0, validate=Range(min=0.1))
    FOCUS_WEBHOOK_MAX_ATTEMPTS = env.int("FOCUS_WEBHOOK_MAX_ATTEMPTS", 10, validate=Range(min=1, max=30))
    # The outbox sweep (beat): sends deliveries that are due (retries, and any whose first send was lost).
    FOCUS_WEBHOOK_SWEEP_SECONDS = env.int("FOCUS_WEBHOOK_SWEEP_SECONDS", 10, validate=Range(min=1))

    # Calendar feeds (planner/calendars/): busy times expanded for this many days ahead; each feed
    # fetched every FOCUS_CALENDAR_REFRESH_SECONDS (conditional GET), each fetch bounded by a timeout
    # and a size; a failing feed retried after FOCUS_CALENDAR_RETRY_SECONDS, doubling up to a day.
    FOCUS_CALENDAR_DAYS = env.int("FOCUS_CALENDAR_DAYS", 7, validate=Range(min=1, max=60))
    FOCUS_CALENDAR_REFRESH_SECONDS = env.int("FOCUS_CALENDAR_REFRESH_SECONDS", 900, validate=Range(min=1))
    FOCUS_CALENDAR_RETRY_SECONDS = env.float("FOCUS_CALENDAR_RETRY_SECONDS", 60.0, validate=Range(min=0.1))
    FOCUS_CALENDAR_TIMEOUT_SECONDS = env.float("FOCUS_CALENDAR_TIMEOUT_SECONDS", 10.0, validate=Range(min=0.1, max=60))
    FOCUS_CALENDAR_MAX_BYTES = env.int("FOCUS_CALENDAR_MAX_BYTES", 5_000_000, validate=Range(min=1000))
    FOCUS_CALENDAR_SWEEP_SECONDS = env.int("FOCUS_CALENDAR_SWEEP_SECONDS", 60, validate=Range(min=1))
    # Live delivery (focus/stream/): a keepalive comment on an idle stream this often (the contract
    # says at least every 25 s); a resync of every open stream from the database this often (a lost
    # publish costs at most this long); without Redis, streams poll the database this often instead.
    FOCUS_STREAM_KEEPALIVE_SECONDS = env.float("FOCUS_STREAM_KEEPALIVE_SECONDS", 20.0, validate=Range(min=0.1, max=25))
    FOCUS_STREAM_RESYNC_SECONDS = env.float("FOCUS_STREAM_RESYNC_SECONDS", 30.0, validate=Range(min=0.1))
    FOCUS_STREAM_POLL_SECONDS = env.float("FOCUS_STREAM_POLL_SECONDS", 2.0, validate=Range(min=0.1))
    # The web process's database connections under ASGI: a pool per process (psycopg_pool), since a
    # sync view runs in a thread that ends with its request (a persistent connection there would leak).
    # 0: persistent connections as before (WSGI, worker, beat). focusflow/asgi.py turns it on.
    DATABASE_POOL_MAX = env.int("DATABASE_POOL_MAX", 0, validate=Range(min=0, max=200))
    # How often running sessions are paused for a meeting that started, and resumed after (focus/meetings.py).
    FOCUS_MEETING_SWEEP_SECONDS = env.int("FOCUS_MEETING_SWEEP_SECONDS", 30, validate=Range(min=1))

    # API throttles (per user; staff/service accounts act for many people), plus tighter per-person
    # rates on the two writes a client repeats (start and ping). "N/s|min|hour|day", checked here.
    _rate = Regexp(r"^\d+/(s|sec|m|min|h|hour|d|day)$", error="must look like 120/min")
    THROTTLE_USER_RATE = env.str("THROTTLE_USER_RATE", "120/min", validate=_rate)
    THROTTLE_STAFF_RATE = env.str("THROTTLE_STAFF_RATE", "6000/min", validate=_rate)
    THROTTLE_START_RATE = env.str("THROTTLE_START_RATE", "20/min", validate=_rate)
    THROTTLE_PING_RATE = env.str("THROTTLE_PING_RATE", "60/min", validate=_rate)
    THROTTLE_EXPORT_RATE = env.str("THROTTLE_EXPORT_RATE", "10/hour", validate=_rate)  # GET /api/me/export
    # The cache holds the throttle counters: redis://… in production so every web worker shares them;
    # unset, each process counts on its own (fine for the quick start).
    CACHE_URL = env.str("CACHE_URL", "")
    # Every broker and cache connection is bounded: a Redis that accepts connections but never
    # answers must not hang a process. Worker and beat wait BROKER_SOCKET_TIMEOUT (above the
    # consumer's 1 s BRPOP); a web request waits BROKER_REQUEST_TIMEOUT for its one broker call
    # (the first tick's enqueue, /healthz) and CACHE_SOCKET_TIMEOUT per throttle-counter call.
    _seconds = Range(min=0, min_inclusive=False)
    BROKER_SOCKET_TIMEOUT = env.float("BROKER_SOCKET_TIMEOUT", 5.0, validate=Range(min=2))
    BROKER_REQUEST_TIMEOUT = env.float("BROKER_REQUEST_TIMEOUT", 0.25, validate=_seconds)
    CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", 0.1, validate=_seconds)
    # Behind a proxy that ends TLS, trust its X-Forwarded-Proto to tell HTTPS requests apart. Off by
    # default: where clients reach the app directly, anyone could send the header.
    TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", False)
    _hsts_seconds = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 3600, validate=Range(min=0))
    _hsts_preload = env.bool("SECURE_HSTS_PRELOAD", False)
    LOG_LEVEL = env.str("LOG_LEVEL", "INFO")
    # The sweep's own lines (Celery's "Sending due task focus.dispatch_due_ticks", "received",
    # "succeeded", one of each per FOCUS_DISPATCH_SECONDS) show only at DEBUG (focus/scheduler.py).
    SWEEP_LOG_LEVEL = env.str("SWEEP_LOG_LEVEL", LOG_LEVEL)
    # Password guessing (django-axes): a username or an address is locked out after this many failed
    # logins in a row, for this many minutes (an operator can unlock earlier: README "Who may do what").
    LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5, validate=Range(min=1))
    LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", 15, validate=Range(min=1))
    # Behind N reverse proxies the client address is the Nth from the right of X-Forwarded-For;
    # 0 (direct) uses REMOTE_ADDR, which a client cannot forge.
    LOGIN_PROXY_COUNT = env.int("LOGIN_PROXY_COUNT", 0, validate=Range(min=0))
    # API tokens (django-rest-knox): stored as a SHA-512 digest only, valid this many days.
    API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", 90, validate=Range(min=1))
    # Where collectstatic writes and whitenoise serves from (the release phase fills it).
    STATIC_ROOT = env.path("STATIC_ROOT", BASE_DIR / "staticfiles")
except EnvError as exc:  # names the variable, e.g. 'Environment variable "FOCUS_MAX_NUDGES" invalid'
    raise ImproperlyConfigured(str(exc)) from exc

if _secret_key:
    SECRET_KEY = _secret_key
elif DEBUG:
    SECRET_KEY = "insecure-dev-key-only-for-DEBUG-runs"
else:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (production). "
        "For a development shell set DEBUG=true, as `make run` does."
    )

# Mail: the password-reset views send a link by mail, so production must say how mail leaves
# (rather than Django's default SMTP on localhost:25, where a reset silently goes nowhere).
if _email is None and DEBUG:
    _email = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif _email is None:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off (production): password-reset mail needs it, "
        "e.g. submission://user:password@smtp.example.com (STARTTLS on 587) or smtp://host:25."
    )
elif "EMAIL_BACKEND" not in _email:  # dj-email-url ignores a scheme it does not know
    raise ImproperlyConfigured(
        'Environment variable "EMAIL_URL" invalid: use smtp://, submission://, console://, file:// or dummy://.'
    )
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or None
# A mail server that hangs must not hold a web worker until gunicorn kills it: 10 s unless ?timeout=.
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 10
DEFAULT_FROM_EMAIL = _email.get("DEFAULT_FROM_EMAIL", "FocusFlow <noreply@localhost>")
SERVER_EMAIL = _email.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "focusflow",  # system checks a deploy must pass (focusflow/checks.py)
    "planner",
    "rhythm",
    "focus",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # whitenoise's, able to run on the event loop: every middleware here can, so under ASGI a request
    # hops to a thread once, for its view (focusflow/middleware.py).
    "focusflow.middleware.StaticFilesMiddleware",
    # After the static files, which are answered there: those keep their long-lived caching.
    "csp.middleware.CSPMiddleware",
    "focusflow.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DEBUG on, a missing page is the site's 404, never Django's technical one (demo users see it).
    "focusflow.error_views.FriendlyNotFoundMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "focusflow.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "focusflow.wsgi.application"

if DATABASE_URL:
    import dj_database_url

    # The pool is PostgreSQL's (psycopg_pool); an SQLite DATABASE_URL (the quick start) keeps Django's own.
    if DATABASE_POOL_MAX and DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DATABASE_POOL_MAX),
            "max_size": DATABASE_POOL_MAX,
            "timeout": 10,
        }
    else:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: it pays off for long analytic queries, not for ours. The sweeps' queries
        # are estimated dear (a subquery per session) and run in milliseconds, but PostgreSQL compiled
        # them first, 0.2-0.7 s of a core every 30 s, which stalled live delivery on a busy box
        # (docs/benchmarks.md "Live delivery"). A DATABASE_URL's own ?options=... is kept.
        db_options = DATABASES["default"].setdefault("OPTIONS", {})
        if "jit" not in db_options.get("options", ""):
            db_options["options"] = f"{db_options.get('options', '')} -c jit=off".strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if CACHE_URL.startswith(("redis://", "rediss://")):
    # Short socket timeouts: with Redis down or hung the throttle lets requests through
    # (focusflow/throttles.py) instead of making every request wait for it; a request's throttles
    # make one call together, so a hung cache costs a request about one CACHE_SOCKET_TIMEOUT.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "focusflow",
            "OPTIONS": {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT, "socket_timeout": CACHE_SOCKET_TIMEOUT},
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured('Environment variable "CACHE_URL" invalid: use redis://host:port/db or locmem://.')

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username or address before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Either counter locks: one username from many addresses, or one address trying many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "focusflow.lockout.lockout_response"  # 429, the site's layout, Retry-After
AXES_IPWARE_PROXY_COUNT = LOGIN_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if LOGIN_PROXY_COUNT else ("REMOTE_ADDR",)

# The access audit finds the person of a record that names only its session through this model
# (focusflow/people.py): named here, as AUTH_USER_MODEL is, so the project package imports no app.
PERSON_ACCESS_SESSION_MODEL = "focus.FocusSession"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Request bodies: API bodies are small; anything bigger is refused with 413 before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Security: cookies are secure whenever DEBUG is off; TLS redirect is opt-in (a proxy usually ends TLS).
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = _hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = _hsts_preload
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, images and fetches from our own origin only.
# No inline scripts, styles or event-handler attributes anywhere (page data travels in json_script
# blocks, which are not executed); Swagger UI loads its init script from a URL of its own
# (SpectacularSwaggerSplitView) and its icons are data: images in its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    # Token first: it sends WWW-Authenticate, so DRF answers 401 (not 403) to anonymous calls.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "focusflow.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["focusflow.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "focusflow.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "focusflow.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["focusflow.throttles.PersonRateThrottle", "focusflow.throttles.ActionRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": THROTTLE_USER_RATE,
        "staff": THROTTLE_STAFF_RATE,
        "focus_start": THROTTLE_START_RATE,
        "focus_ping": THROTTLE_PING_RATE,
        "me_export": THROTTLE_EXPORT_RATE,
    },
}

# Hashed, expiring tokens; never refreshed on use (a write per request would cost the hot path).
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "FocusFlow API",
    "DESCRIPTION": "A real-time focus companion: sessions, ticks, nudges and summaries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # A session's mode and a person's default mode are one choice set, one schema component.
    "ENUM_NAME_OVERRIDES": {"ModeEnum": "focus.models.Mode"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "focusflow.schema.allow_empty_optional_query",
    ],
    # Swagger UI served from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: the database is the source of truth for what is due; the broker only carries work.
if not CELERY_BROKER_URL:
    _broker_dir = RUN_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Without socket timeouts redis-py waits forever on a broker that accepted the connection and
    # went silent: a worker or beat would wedge on it. With them a command fails after the timeout
    # and kombu reconnects (worker, beat) or the publish fails and the next sweep carries on.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
        "socket_timeout": BROKER_SOCKET_TIMEOUT,
    }
# Live delivery's fan-out rides the broker's Redis (pub/sub, focus/stream/); with no Redis (the quick
# start's file-system broker) each web process's streams poll the database instead.
FOCUS_STREAM_REDIS_URL = CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"focus.*": {"queue": FOCUS_QUEUE}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
OVERDUE_SWEEP_SECONDS = max(1, min(60, round(FOCUS_MAX_SESSION_HOURS * 3600 / 20)))
# The long-pause sweep: every minute, or a tenth of the longest pause when that is shorter (compressed runs).
LONG_PAUSE_SWEEP_SECONDS = max(1, min(60, round(FOCUS_MAX_PAUSE_MINUTES / 5 * FOCUS_TICK_SECONDS / 10)))
# The one beat entry. A migration installs it (so the admin shows it after `migrate`); beat aligns
# its interval with FOCUS_DISPATCH_SECONDS when it starts. A sweep older than one period is dropped.
CELERY_BEAT_SCHEDULE = {
    "focus.dispatch_due_ticks": {
        "task": "focus.dispatch_due_ticks",
        "schedule": float(FOCUS_DISPATCH_SECONDS),
        "options": {"queue": FOCUS_QUEUE, "expire_seconds": FOCUS_DISPATCH_SECONDS},
    },
    # Its own entry (installed by migration 0003): end sessions left running past the maximum. Every
    # minute, or more often when the maximum is tiny (a time-compressed run).
    "focus.end_overdue_sessions": {
        "task": "focus.end_overdue_sessions",
        "schedule": float(OVERDUE_SWEEP_SECONDS),
        "options": {"queue": FOCUS_QUEUE, "expire_seconds": OVERDUE_SWEEP_SECONDS},
    },
    # Its own entry (installed by migration session_pause): end sessions paused past FOCUS_MAX_PAUSE_MINUTES.
    "focus.end_long_paused_sessions": {
        "task": "focus.end_long_paused_sessions",
        "schedule": float(LONG_PAUSE_SWEEP_SECONDS),
        "options": {"queue": FOCUS_QUEUE, "expire_seconds": LONG_PAUSE_SWEEP_SECONDS},
    },
    # Installed by focus migration "webhooks": sends the webhook deliveries that are due.
    "focus.sweep_webhooks": {
        "task": "focus.sweep_webhooks",
        "schedule": float(FOCUS_WEBHOOK_SWEEP_SECONDS),
        "options": {"queue": FOCUS_QUEUE, "expire_seconds": FOCUS_WEBHOOK_SWEEP_SECONDS},
    },
    # Installed by planner migration "calendar_feeds": fetches the calendar feeds that are due.
    "planner.refresh_calendar_feeds": {
        "task": "planner.refresh_calendar_feeds",
        "schedule": float(FOCUS_CALENDAR_SWEEP_SECONDS),
        "options": {"queue": "celery", "expire_seconds": FOCUS_CALENDAR_SWEEP_SECONDS},
    },
    # Installed by planner migration "calendar_feeds" too: pauses sessions for meetings, resumes them after.
    "focus.sweep_meetings": {
        "task": "focus.sweep_meetings",
        "schedule": float(FOCUS_MEETING_SWEEP_SECONDS),
        "options": {"queue": FOCUS_QUEUE, "expire_seconds": FOCUS_MEETING_SWEEP_SECONDS},
    },
    "rhythm.backfill_emotion": {
        "task": "rhythm.backfill_emotion",
        "schedule": crontab(hour=3, minute=15),  # nightly, UTC
        "options": {"queue": "celery"},
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# No publish retries: a sweep or first tick that cannot be published is re-claimed by a later sweep.
# A web request publishes on its own bounded, one-attempt connection (focusflow/broker.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"focus.scheduler": {"level": SWEEP_LOG_LEVEL}},
}

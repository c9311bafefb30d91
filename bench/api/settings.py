"""The product's settings, unchanged, plus the bench-only URLconf that adds the bare endpoint.
Used only by `make bench-api` (DJANGO_SETTINGS_MODULE=bench.api.settings); the product never
serves /bench/."""

from focusflow.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api.urls"

"""Response headers for pages and API answers that carry health data."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer Django itself makes (dashboard pages, API
    answers, CSV exports, the admin): they carry heart rate, stress and the like, which no shared
    proxy and no browser disk cache should keep. A view that set its own Cache-Control keeps it.

    Listed after WhiteNoiseMiddleware, which answers static files itself, so those keep their
    long-lived caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response

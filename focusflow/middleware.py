"""Middleware of our own, each able to run on either side of Django's handler.

Under ASGI (focusflow/asgi.py) Django runs a request's middleware on the event loop when every one
of them can, and hops to a thread and back around each one that cannot: one sync-only middleware
among async-capable ones costs two extra hops per request (a thread, then the loop again for the
rest, then a thread for the view). So ours are both (:class:`EitherSide`), and whitenoise's, which
is sync only, is wrapped (:class:`StaticFilesMiddleware`): the chain runs on the loop and each
request pays one hop, to its view's thread.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control
from whitenoise.middleware import WhiteNoiseMiddleware


class EitherSide:
    """A middleware that only looks at the response: :meth:`answer` (sync, no I/O unless
    :meth:`aanswer` says otherwise), run on whichever side the inner handler is."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        return self.answer(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        return await self.aanswer(request, await self.get_response(request))

    def answer(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response

    async def aanswer(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return self.answer(request, response)


class NoStoreMiddleware(EitherSide):
    """`Cache-Control: no-store, private` on every answer Django itself makes (dashboard pages, API
    answers, CSV exports, the admin): they carry heart rate, stress and the like, which no shared
    proxy and no browser disk cache should keep. A view that set its own Cache-Control keeps it.

    Listed after StaticFilesMiddleware, which answers static files itself, so those keep their
    long-lived caching."""

    def answer(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise's middleware, able to run on the event loop: a static file is looked up in memory
    and served from a thread (it opens the file); anything else goes on without a hop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable, *args, **kwargs) -> None:
        super().__init__(get_response, *args, **kwargs)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)

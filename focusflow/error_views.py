"""Django's error views (focusflow/urls.py: handler400/403/404/500) for what never reaches an API
view (no such URL, a refused host, an unhandled error): JSON for API paths and JSON clients, the
site's pages otherwise."""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render

from focusflow.middleware import EitherSide

logger = logging.getLogger(__name__)


def _wants_json(request) -> bool:
    path = request.path
    return path.startswith(("/focus/", "/planner/", "/rhythm/", "/api/", "/healthz")) or (
        "application/json" in request.headers.get("Accept", "")
    )


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    from django.views.defaults import bad_request as default

    return default(request, exception)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Permission denied.", "code": "permission_denied"}, status=403)
    from django.views.defaults import permission_denied as default

    return default(request, exception or PermissionDenied())


def server_error(request):
    logger.error("Unhandled server error on %s", request.path)
    if _wants_json(request):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    from django.views.defaults import server_error as default

    return default(request)


class FriendlyNotFoundMiddleware(EitherSide):
    """With DEBUG on (`make run`, `make demo-fast`) Django answers a missing page with its technical
    404 (the URL patterns, "You're seeing this error because you have DEBUG = True"): not what a demo
    user should see. Pages get the site's own 404 instead, as in production; API paths and JSON
    clients keep their JSON. Off DEBUG, handler404 (`not_found`) already does this."""

    @staticmethod
    def _technical(response) -> bool:
        return (
            settings.DEBUG and response.status_code == 404 and response.get("Content-Type", "").startswith("text/html")
        )

    def answer(self, request, response):
        if self._technical(response):
            return not_found(request) if _wants_json(request) else render(request, "404.html", status=404)
        return response

    async def aanswer(self, request, response):
        if self._technical(response):  # the template is rendered on a thread, as a view would be
            return await sync_to_async(self.answer)(request, response)
        return response

"""The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): 429 in the site's layout,
with Retry-After, for both the dashboard's login and the admin's."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response

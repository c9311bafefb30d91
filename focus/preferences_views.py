"""The preferences page (/preferences/): a person's settings and their data (download, delete).

Thin: the form's values are read into the API's input shape and validated by the API's own
serializer (focus/me_serializers.py), so the page and PATCH /api/me/preferences accept exactly the
same values; one service saves them. The download is the API's own export (GET /api/me/export,
signed in by the session cookie); deleting the account is a POST here with the password.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from focus.me_serializers import (
    HOLDABLE_KINDS,
    RECOVERY_BREAK_STAYS,
    TIME_ZONE_CHOICES,
    PreferencesInput,
    PreferencesSerializer,
    preference_values,
)
from focus.models import Mode
from focus.personal_data import SERVICE_ACCOUNT_STAYS, erasable, person_erase
from focus.policy import NEVER_HELD, WEEKDAYS
from focus.preferences import preferences_change
from focus.views import TZ_COOKIE, person_view, throttled_write
from focus.vocabulary import kind_title
from focusflow.people import own_person_id
from planner.calendars import services as calendar_services
from planner.calendars.expand import CalendarUnreadable
from planner.calendars.models import CalendarFeed
from planner.calendars.serializers import CalendarFeedUploadInput, CalendarFeedUrlInput
from rhythm.services import preferences_for

DAY_NAMES = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
DELETE_CONFIRMATION = "delete my account"


def _from_post(post) -> dict:
    """The page's form as the API's PATCH body (checkboxes absent mean off)."""
    body: dict = {
        "held_kinds": [kind for kind in post.getlist("held_kinds")],
        "notifications": post.get("notifications") == "on",
        "sound": post.get("sound") == "on",
        "default_mode": post.get("default_mode", ""),
        "time_zone": post.get("time_zone", ""),
        "meetings": post.get("meetings", "pause"),
        "meeting_titles": post.get("meeting_titles") == "on",
    }
    estimate = post.get("default_estimate", "").strip()
    body["default_estimate"] = int(estimate) if estimate.isascii() and estimate.isdigit() else estimate
    if post.get("has_working_hours") == "on":
        body["working_hours"] = {
            "start": post.get("work_start", ""),
            "end": post.get("work_end", ""),
            "days": post.getlist("work_days"),
        }
    else:
        body["working_hours"] = None
    return body


def _page(request, *, values: dict, errors: dict | None = None, status: int = 200):
    browser_zone = request.COOKIES.get(TZ_COOKIE, "")
    hours = values.get("working_hours") or {}
    return render(
        request,
        "focus/preferences.html",
        {
            "values": values,
            "errors": errors or {},
            "kinds": [(kind, kind_title(kind), kind in values.get("held_kinds", [])) for kind in HOLDABLE_KINDS],
            "never_held": [(kind, kind_title(kind)) for kind in sorted(NEVER_HELD)],
            "recovery_break_stays": RECOVERY_BREAK_STAYS,
            "modes": Mode.choices,
            "zones": [zone for zone in TIME_ZONE_CHOICES if zone],
            "browser_zone": browser_zone,
            "hours": hours,
            "days": [(day, DAY_NAMES[day], day in hours.get("days", WEEKDAYS[:5])) for day in WEEKDAYS],
            "delete_confirmation": DELETE_CONFIRMATION,
            # The person's own calendar feeds (/api/me/calendars/ adds and removes them).
            "calendars": CalendarFeed.objects.filter(person_id=own_person_id(request)).order_by("created_at"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@person_view
def preferences_page(request):
    person_id = own_person_id(request)
    if request.method == "GET":
        return _page(request, values=PreferencesSerializer(preferences_for(person_id=person_id)).data)
    return _save(request, person_id)


@throttled_write()
def _save(request, person_id):
    body = _from_post(request.POST)
    serializer = PreferencesInput(data=body)
    if not serializer.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in serializer.errors.items()}
        return _page(request, values=body, errors=errors, status=400)
    preferences_change(person_id=person_id, values=preference_values(dict(serializer.validated_data)))
    messages.success(request, "Preferences saved.")
    return redirect("dashboard-preferences")


@require_POST
@person_view
@throttled_write()
def account_delete(request):
    """Delete the signed-in person's account and everything held about them (focus/personal_data.py)."""
    password = request.POST.get("password", "")
    confirmation = request.POST.get("confirmation", "").strip().lower()
    refusal, status = None, 400
    if not request.user.check_password(password) or confirmation != DELETE_CONFIRMATION:
        refusal = 'Type "delete my account" and your password to delete your account.'
    elif not erasable(request.user):
        refusal, status = SERVICE_ACCOUNT_STAYS, 409
    if refusal:
        values = PreferencesSerializer(preferences_for(person_id=own_person_id(request))).data
        return _page(request, values=values, errors={"delete": [refusal]}, status=status)
    user = request.user
    with transaction.atomic():  # the login's session goes with everything else, or nothing goes
        logout(request)
        person_erase(user=user)
    messages.success(request, "Your account and everything FocusFlow held about you are deleted.")
    return redirect("login")


# --------------------------------------------------------------------------- calendars


@require_POST
@person_view
@throttled_write()
def calendar_add(request):
    """Add a calendar by URL or an uploaded .ics, validated by the API's own serializers
    (planner/calendars/serializers.py); no request is made to the URL here (a task reads it)."""
    person_id = own_person_id(request)
    name = request.POST.get("name", "")
    if request.FILES.get("file") is not None:
        serializer = CalendarFeedUploadInput(data={"file": request.FILES["file"], "name": name})
    else:
        serializer = CalendarFeedUrlInput(data={"url": request.POST.get("url", "").strip(), "name": name})
    if not serializer.is_valid():
        messages.error(request, " ".join(str(e) for errs in serializer.errors.values() for e in errs))
        return redirect("dashboard-preferences")
    data = serializer.validated_data
    try:
        if "file" in data:
            calendar_services.feed_add_upload(person_id=person_id, text=data["file"], name=data["name"])
        else:
            calendar_services.feed_add_url(person_id=person_id, url=data["url"], name=data["name"])
    except CalendarUnreadable as exc:
        messages.error(request, str(exc))
        return redirect("dashboard-preferences")
    messages.success(request, "Calendar added.")
    return redirect("dashboard-preferences")


@require_POST
@person_view
@throttled_write()
def calendar_remove(request, feed_id):
    feed = CalendarFeed.objects.filter(pk=feed_id, person_id=own_person_id(request)).first()
    if feed is None:
        raise Http404("No such calendar.")
    calendar_services.feed_remove(feed=feed)
    messages.success(request, "Calendar removed.")
    return redirect("dashboard-preferences")

"""Dashboard pages (server-rendered). Thin: a form validates, one service writes, a read module
(focus/dashboard/) gathers what a page shows. Every page shows the signed-in person's own data;
another person's session is a 404, as in the API.

The live page's JavaScript (static/js/live.js) polls the events API and posts pings to
`session_ping` here with the form's CSRF token; asked for JSON it answers JSON, otherwise it
redirects back, so every form also works without JavaScript.

The writes are throttled like the API's (`throttled_write`): the same throttle classes and rates,
and the same per-person counters, so a person over the start or ping rate through one door is over
it through the other.
"""

from __future__ import annotations

import csv
import functools
import uuid
import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from focus import controls, dashboard, selectors, services, vocabulary
from focus.api import SessionPingApi, SessionStartApi
from focus.clock import duration_text
from focus.forms import ESTIMATE_PRESETS, EndForm, PingForm, StartForm
from focus.models import FocusSession, Mode
from focus.policy.answers import learned
from focus.preferences import zone_of
from focus.serializers import EventSerializer
from focus.vocabulary import EVENT_TYPES, PING_SOURCE_SELF_REPORT
from focusflow.errors import Conflict, InvalidInput, NotFound
from focusflow.people import own_person_id
from focusflow.throttles import throttle_wait
from planner import services as planner_services
from rhythm import selectors as rhythm_selectors
from rhythm import services as rhythm_services
from rhythm.selectors import preferences_or_defaults

TZ_COOKIE = "ff_tz"  # set by static/js/focusflow.js from the browser's own time zone


def person_view(view):
    """Login required; the page renders in the person's time zone (their preferences) or else the
    browser's (days, streaks, clock times). The preferences are kept on the request for the page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.focus_preferences = preferences_or_defaults(person_id=own_person_id(request))
        zone = zone_of(request.focus_preferences)
        name = unquote(request.COOKIES.get(TZ_COOKIE, ""))
        if zone is None and 0 < len(name) <= 64:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                zone = None
        with timezone.override(zone or timezone.get_default_timezone()):
            return view(request, *args, **kwargs)

    return wrapper


def _own_session(request, session_id: uuid.UUID) -> FocusSession:
    try:
        return selectors.session_get(session_id=session_id, person_id=own_person_id(request))
    except NotFound:
        raise Http404("No such session.") from None


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _throttled(request, *, wait: int, back_url: str) -> HttpResponse:
    """429 with Retry-After, as the API answers: JSON for the live page's script, else a page in the
    site's layout that says nothing was saved and when to try again."""
    if _wants_json(request):
        response = JsonResponse(
            {"detail": f"That's a lot in a short time; try again in {wait} s.", "code": "throttled"}, status=429
        )
    else:
        response = render(request, "focus/throttled.html", {"wait": wait, "back_url": back_url}, status=429)
    response["Retry-After"] = str(wait)
    return response


def throttled_write(scope: str | None = None):
    """Hold a dashboard write to the API's throttles: the per-user rate, and `scope` (the API
    view's `throttle_scope` for the same action) on top. Checked before the form is read, as DRF
    does, so every attempt counts."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            wait = throttle_wait(request, scope=scope)
            if wait is not None:
                session_id = kwargs.get("session_id")
                back_url = reverse("dashboard-live", args=[session_id]) if session_id else reverse("dashboard")
                return _throttled(request, wait=wait, back_url=back_url)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --------------------------------------------------------------------------- home and start


def _render_home(request, form: StartForm | None = None, status: int = 200):
    person_id = own_person_id(request)
    active = selectors.active_session_for(person_id=person_id)
    tasks = dashboard.open_tasks(person_id=person_id)
    return render(
        request,
        "focus/dashboard.html",
        {
            "active": active,
            "active_minutes": duration_text(dashboard.session_minutes(active), "short") if active else "",
            "form": form or StartForm(tasks=tasks, initial=_start_defaults(request)),
            "presets": ESTIMATE_PRESETS,
            "stats": dashboard.home_stats(person_id=person_id),
            "learned": learned(rhythm_selectors.nudge_answers(person_id=person_id)),
        },
        status=status,
    )


def _start_defaults(request) -> dict:
    """The start form's estimate and mode: the person's defaults (preferences)."""
    preferences = request.focus_preferences
    return {"estimated_duration": preferences.default_estimate, "mode": preferences.default_mode}


@require_GET
@person_view
def home(request):
    return _render_home(request)


@require_POST
@person_view
@throttled_write(SessionStartApi.throttle_scope)
def session_start(request):
    person_id = own_person_id(request)
    form = StartForm(request.POST, tasks=dashboard.open_tasks(person_id=person_id))
    if not form.is_valid():
        return _render_home(request, form, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():  # a new task is kept only if the session starts
            task_id = data["task_id"]
            if data["create_task"]:
                task_id = planner_services.task_create(person_id=person_id, title=data["new_task_title"]).id
            session = services.session_start(
                person_id=person_id, task_id=task_id, estimated_duration=data["estimated_duration"], mode=data["mode"]
            )
    except Conflict as conflict:
        messages.info(request, "A session is already running; here it is.")
        active_id = conflict.extra.get("active_session_id")
        return redirect("dashboard-live", session_id=active_id) if active_id else redirect("dashboard")
    except InvalidInput as error:
        for message in (error.extra.get("errors") or {}).get("task_id", [error.detail]):
            form.add_error("task", message)
        return _render_home(request, form, status=400)
    return redirect("dashboard-live", session_id=session.id)


# --------------------------------------------------------------------------- live session


@require_GET
@person_view
def session_live(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    if not session.is_active:
        return redirect("dashboard-summary", session_id=session.id)
    live = dashboard.live_page(session=session)
    config = {
        "sessionId": str(session.id),
        "eventsUrl": reverse("session-events", kwargs={"session_id": session.id}),  # the API's raw events
        "feedUrl": reverse("dashboard-feed", kwargs={"session_id": session.id}),  # what live.js polls
        "summaryUrl": reverse("dashboard-summary", kwargs={"session_id": session.id}),
        "startedAt": session.started_at.isoformat(),
        "serverNow": timezone.now().isoformat(),
        "scale": live["scale"],
        "estimate": session.estimated_duration,
        "lastEventId": live["last_event_id"],
        "inFlow": live["in_flow"],
        # The timer leaves paused time out (static/js/controls.js announces pause and resume).
        "pausedMs": round(session.clock().paused_seconds(session.paused_at or timezone.now()) * 1000),  # closed
        "pausedAt": session.paused_at.isoformat() if session.paused_at else None,
        "pollMs": 3000,
        # The countdown to the next check (live.js): when it is due, and the cadence after a check.
        "nextCheckAt": live["next_check_at"].isoformat() if live["next_check_at"] else None,
        "tickSeconds": settings.FOCUS_TICK_SECONDS,
        # Live delivery (static/js/stream.js, sensing.js): the event stream, the API's ping, the tick period.
        "streamUrl": reverse("session-stream", kwargs={"session_id": session.id}),
        "pingApiUrl": reverse("focus-ping"),
        "eventTypes": list(EVENT_TYPES),
    }
    return render(
        request,
        "focus/live.html",
        {
            "session": session,
            "live": live,
            "config": config,
            "ping_form": PingForm(initial=live["sliders"]),
            "preferences": request.focus_preferences,  # notifications and sound, for the page's script
            "end_form": EndForm(),
        },
    )


FEED_PAGE = 200  # events per answer of the feed endpoint, as the events API's default page


@require_GET
@person_view
@throttled_write()  # the per-user rate, as when the page polled the events API
def session_feed(request, session_id: uuid.UUID):
    """The live page's updates: the events after ``?after=<event id>``, oldest first, each rendered
    by the one feed renderer (focus.dashboard.feed) so the page's script words nothing itself."""
    session = _own_session(request, session_id)
    after = request.GET.get("after", "0")
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        return JsonResponse({"detail": "Invalid input.", "errors": {"after": ["A whole number."]}}, status=400)
    events = list(selectors.session_events(session=session, after_id=int(after))[:FEED_PAGE])
    return JsonResponse({"events": [dashboard.feed_update(e) for e in reversed(events)]})


@require_POST
@person_view
@throttled_write(SessionPingApi.throttle_scope)  # also "I got distracted": a ping with low focus
def session_ping(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    form = PingForm(request.POST)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        if _wants_json(request):
            return JsonResponse({"detail": "Invalid input.", "errors": errors}, status=400)
        for message in form.non_field_errors() or [f"{k}: {v[0]}" for k, v in errors.items()]:
            messages.error(request, message)
        return redirect("dashboard-live", session_id=session.id)
    try:
        event = services.session_ping(
            session_id=session.id,
            person_id=session.person_id,
            values={**form.cleaned_data["values"], "source": PING_SOURCE_SELF_REPORT},  # by hand on the page
        )
    except Conflict as conflict:
        if _wants_json(request):
            return JsonResponse(conflict.as_payload(), status=409)
        messages.info(request, "This session has already ended.")
        return redirect("dashboard-summary", session_id=session.id)
    except services.PingCeilingReached as ceiling:
        if _wants_json(request):
            return JsonResponse(ceiling.as_payload(), status=ceiling.status_code)
        messages.error(request, ceiling.detail)
        return redirect("dashboard-live", session_id=session.id)
    if _wants_json(request):
        # The event as the API shows it, and its feed item rendered for the page (focus.dashboard.feed).
        return JsonResponse({**EventSerializer(event).data, **dashboard.feed_update(event)}, status=201)
    messages.success(request, "Logged.")
    return redirect("dashboard-live", session_id=session.id)


@require_POST
@person_view
@throttled_write()
def session_end(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    form = EndForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            messages.error(request, errs[0])
        return redirect("dashboard-live", session_id=session.id)
    try:
        services.session_end(
            session_id=session.id,
            person_id=session.person_id,
            completion_score=form.cleaned_data["completion_score"],
            session_quality=form.cleaned_data["session_quality"],
        )
    except Conflict:
        messages.info(request, "This session had already ended.")
    return redirect("dashboard-summary", session_id=session.id)


# --------------------------------------------------------------------------- session controls


def _control_answer(request, session: FocusSession, *, done: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {
                "session_id": str(session.id),
                "paused_at": session.paused_at.isoformat() if session.paused_at else None,
                "paused_minutes": session.paused_minutes(),
            }
        )
    messages.success(request, done)
    return redirect("dashboard-live", session_id=session.id)


def _control_conflict(request, session_id, conflict: Conflict) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(conflict.as_payload(), status=409)
    messages.info(request, conflict.detail)
    return redirect("dashboard-live", session_id=session_id)


@require_POST
@person_view
@throttled_write()
def session_pause(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    try:
        session = controls.pause_session(session_id=session.id, person_id=session.person_id)
    except Conflict as conflict:
        return _control_conflict(request, session.id, conflict)
    return _control_answer(request, session, done="Paused. Nothing is sent and no time counts until you resume.")


@require_POST
@person_view
@throttled_write()
def session_resume(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    try:
        session = controls.resume_session(session_id=session.id, person_id=session.person_id)
    except Conflict as conflict:
        return _control_conflict(request, session.id, conflict)
    return _control_answer(request, session, done="Resumed.")


# The answer buttons send "done", "dismiss" or "snooze-<minutes>" (templates/focus/_feed_answer.html).
RESPONSE_CHOICES = {
    "done": ("done", None),
    "dismiss": ("dismiss", None),
    **{f"snooze-{m}": ("snooze", m) for m in vocabulary.SNOOZE_MINUTES},
}


@require_POST
@person_view
@throttled_write()
def nudge_respond(request):
    """Answer a nudge from its feed item; the event must be one of the person's own (else 404)."""
    choice = RESPONSE_CHOICES.get(request.POST.get("response", ""))
    event_id = request.POST.get("event_id", "")
    if choice is None or not event_id.isascii() or not event_id.isdigit() or len(event_id) > 18:
        errors = {"response": ["Done, dismiss or snooze-5/10/15."]} if choice is None else {"event_id": ["A number."]}
        if _wants_json(request):
            return JsonResponse({"detail": "Invalid input.", "errors": errors}, status=400)
        messages.error(request, "That answer could not be read.")
        return redirect("dashboard")
    response, minutes = choice
    try:
        event = controls.respond(
            event_id=int(event_id), response=response, snooze_minutes=minutes, person_id=own_person_id(request)
        )
    except NotFound:
        raise Http404("No such nudge.") from None
    except Conflict as conflict:
        if _wants_json(request):
            return JsonResponse(conflict.as_payload(), status=409)
        messages.info(request, conflict.detail)
        return redirect("dashboard")
    if _wants_json(request):
        return JsonResponse({**EventSerializer(event).data, **dashboard.feed_update(event)}, status=201)
    messages.success(request, dashboard.answer_text(event.content) + ".")
    return redirect("dashboard-live", session_id=event.session_id)


@require_POST
@person_view
@throttled_write()
def learned_reset(request):
    """Forget how the person answered nudges: the policy goes back to its defaults for them."""
    rhythm_services.nudge_answers_reset(person_id=own_person_id(request))
    messages.success(request, "Forgotten. Nudges come as they did at first.")
    return redirect("dashboard")


# --------------------------------------------------------------------------- summary and history


@require_GET
@person_view
def session_summary(request, session_id: uuid.UUID):
    session = _own_session(request, session_id)
    if session.is_active:
        return redirect("dashboard-live", session_id=session.id)
    return render(request, "focus/summary.html", {"session": session, "page": dashboard.summary_page(session=session)})


@require_GET
@person_view
def history(request):
    task_id, mode = dashboard.parse_filters(request.GET)
    data = dashboard.history(person_id=own_person_id(request), task_id=task_id, mode=mode)
    query = request.GET.urlencode() if (task_id or mode) else ""
    return render(
        request,
        "focus/history.html",
        {
            "history": data,
            "task_id": str(task_id) if task_id else "",
            "mode": mode or "",
            "modes": Mode.choices,
            "query": query,
            "days": dashboard.HISTORY_DAYS,
        },
    )


@require_GET
@person_view
def history_csv(request):
    task_id, mode = dashboard.parse_filters(request.GET)
    sessions = dashboard.history_sessions(
        person_id=own_person_id(request), since=dashboard.history_start(), task_id=task_id, mode=mode
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="focusflow-sessions-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerows(dashboard.csv_rows(sessions))
    return response

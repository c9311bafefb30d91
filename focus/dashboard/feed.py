"""The live feed: how one event reads in it. The one feed renderer: the live page renders its first
items with templates/focus/_feed_item.html from :func:`feed_item`, and later ones arrive from the
feed endpoint (focus.views.session_feed) rendered by the same function and template, so the page's
JavaScript only inserts them (no wording of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from focus.clock import duration_text
from focus.dashboard.format import percent
from focus.models import EventType, FocusEvent
from focus.vocabulary import (
    DISMISS,
    DONE,
    PING_SOURCE_PAGE,
    PING_SOURCE_SELF_REPORT,
    SNOOZE,
    kind_title,
    pause_label,
    reason_label,
)

FEED_LIMIT = 60  # events rendered with the live page; newer ones arrive by polling
PING_FIELDS = (("energy", "energy"), ("stress", "stress"), ("fatigue", "fatigue"), ("focus", "focus"))


def feed_item(*, event_id: int, event_type: str, ts: datetime, content: Mapping[str, Any] | None) -> dict | None:
    """How one event reads in the live feed , or
    None for events the feed does not list (ticks that sent nothing, the start)."""
    content = content if isinstance(content, Mapping) else {}
    item = {"id": event_id, "type": event_type, "ts": ts, "title": "", "message": "", "tone": "system"}
    if event_type in (EventType.NUDGE, EventType.BREAK):
        kind = content.get("kind")
        title = kind_title(kind)
        if event_type == EventType.BREAK and isinstance(content.get("break_minutes"), int):
            title += f" · {duration_text(content['break_minutes'], 'short')}"
        item.update(
            title=title,
            message=str(content.get("message") or ""),
            tone="break" if event_type == EventType.BREAK else "nudge",
            answerable=True,  # done / snooze / dismiss buttons (the live page marks the answered ones)
            is_break=event_type == EventType.BREAK,
        )
    elif event_type == EventType.FLOW_START:
        item.update(title="In flow", message="You're in a flow stretch; nudges will hold back.", tone="flow")
    elif event_type == EventType.FLOW_END:
        item.update(title="Flow ended", message=str(content.get("reason") or ""), tone="flow")
    elif event_type == EventType.DISTRACTION:
        item.update(title="Distraction noticed", message=str(content.get("reason") or ""), tone="friction")
    elif event_type == EventType.PING:
        item.update(
            title=PING_TITLES.get(str(content.get("source")), "Logged by a client"),
            message=ping_text(content),
            tone="you",
        )
    elif event_type == EventType.PAUSE:
        meeting = content.get("title")
        item.update(title=pause_label(content.get("reason")), message=str(meeting or ""), tone="system")
    elif event_type == EventType.RESUME:
        minutes = content.get("paused_minutes")
        paused = f"after {duration_text(minutes)} paused" if isinstance(minutes, (int, float)) and minutes >= 1 else ""
        item.update(title="Resumed", message=paused, tone="system")
    elif event_type == EventType.NUDGE_RESPONSE:
        item.update(title=answer_text(content), message="", tone="you", answers=content.get("event_id"))
    elif event_type == EventType.SESSION_END:
        item.update(title="Session ended", message="", tone="system")
    else:
        return None
    return item


def answer_text(content: Mapping[str, Any]) -> str:
    """How an answer to a nudge reads: "Snoozed the short break for 10 minutes"."""
    what = kind_title(content.get("kind")).lower()
    response = content.get("response")
    if response == SNOOZE and isinstance(content.get("snooze_minutes"), int):
        return f"Snoozed the {what} for {duration_text(content['snooze_minutes'])}"
    if response == DONE:
        return f"Took the {what}" if content.get("kind") in ("micro_break", "recovery_break") else f"Done: {what}"
    if response == DISMISS:
        return f"Dismissed the {what}"
    return "Answered"


def answered_labels(events) -> dict[int, str]:
    """Which nudges of these events were answered, and how (event id -> the answer's words)."""
    return {
        e.content["event_id"]: answer_text(e.content)
        for e in events
        if e.event_type == EventType.NUDGE_RESPONSE and isinstance(e.content, Mapping) and e.content.get("event_id")
    }


# Where a ping's reading came from (focus.vocabulary.PING_SOURCES; no source: an API client's).
PING_TITLES = {PING_SOURCE_SELF_REPORT: "You logged", PING_SOURCE_PAGE: "Sensed by this page"}


def ping_text(content: Mapping[str, Any]) -> str:
    parts = [f"{label} {p}%" for key, label in PING_FIELDS if (p := percent(content.get(key))) is not None]
    if isinstance(content.get("activity"), str):
        parts.append(content["activity"])
    if isinstance(content.get("app_switches"), int):
        switches = content["app_switches"]
        parts.append(f"{switches} app switch" if switches == 1 else f"{switches} app switches")
    if isinstance(content.get("heart_rate"), int):
        parts.append(f"heart rate {content['heart_rate']}")
    text = ", ".join(parts)
    note = content.get("note")
    if isinstance(note, str) and note.strip():
        text = f"{text} · “{note.strip()}”" if text else f"“{note.strip()}”"
    return text or "a check-in"


def tick_text(content: Mapping[str, Any] | None) -> str:
    content = content if isinstance(content, Mapping) else {}
    reason = content.get("reason")
    return reason_label(reason)


def feed_html(item: Mapping[str, Any], *, new: bool = False) -> str:
    """One feed item as the page shows it (templates/focus/_feed_item.html)."""
    return render_to_string("focus/_feed_item.html", {"item": item, "new": new})


def last_check_text(*, event_type: str, ts: datetime, content: Mapping[str, Any] | None) -> str | None:
    """What the live page's "last check" line says after this event, or None if it does not change it."""
    at = timezone.localtime(ts).strftime("%H:%M")
    if event_type == EventType.TICK:
        return f"Last check {at}: nothing sent ({tick_text(content)})"
    if event_type in (EventType.NUDGE, EventType.BREAK):
        item = feed_item(event_id=0, event_type=event_type, ts=ts, content=content) or {}
        return f"Last check {at}: sent a {str(item.get('title') or 'nudge').lower()}"
    return None


def feed_update(event: FocusEvent) -> dict[str, Any]:
    """One event for the live page's script: its feed item rendered (or None if the feed does not
    list it), the words a notification shows, and the "last check" line."""
    item = feed_item(event_id=event.id, event_type=event.event_type, ts=event.ts, content=event.content)
    return {
        "id": event.id,
        "event_type": event.event_type,
        "ts": event.ts.isoformat(),
        "html": feed_html(item, new=True) if item else None,
        "title": item["title"] if item else "",
        "message": item["message"] if item else "",
        "last_check": last_check_text(event_type=event.event_type, ts=event.ts, content=event.content),
    }

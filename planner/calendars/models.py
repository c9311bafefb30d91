"""Calendar feeds and the busy times expanded from them. Loaded with planner's models (imported at
the end of planner/models.py)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.db import models
from django.db.models import Q


class CalendarFeed(models.Model):
    """One iCalendar source of a person's: an address fetched periodically, or an uploaded file.

    `ics` keeps the last calendar text that was read well (a feed's last good answer, or the
    upload): the busy times are expanded from it again as the days move on, and when the feed
    answers 304 Not Modified. `next_fetch_at` is when it is due; a claim moves it one lease ahead,
    a failure by the backoff."""

    class Source(models.TextChoices):
        URL = "url"
        UPLOAD = "upload"

    class State(models.TextChoices):
        PENDING = "pending", "Not read yet"
        OK = "ok", "Read"
        FAILING = "failing", "Failing (retrying with backoff)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_id = models.UUIDField(db_index=True)
    name = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    url = models.CharField(max_length=2000, blank=True)
    ics = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    claim_seq = models.PositiveIntegerField(default=0)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0, help_text="Failed fetches in a row.")
    last_error = models.CharField(max_length=300, blank=True)
    busy_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "planner_calendar_feeds"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["next_fetch_at"], name="calendar_feed_due_idx")]

    def __str__(self) -> str:
        return self.name or self.host or "uploaded calendar"

    @property
    def host(self) -> str:
        """The feed's host only: its path often carries a private token, so it is shown nowhere."""
        try:
            return urlsplit(self.url).hostname or ""
        except ValueError:
            return ""


class BusyTime(models.Model):
    """A span when the person is in a meeting, expanded from one feed (replaced at each expansion)."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="busy_times")
    person_id = models.UUIDField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "planner_busy_times"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["person_id", "starts_at"], name="busy_time_person_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="busy_time_ends_after")
        ]

    def __str__(self) -> str:
        return f"busy {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

"""Reads of a person's busy times (their own only: nothing here takes another person's id from a
request)."""

from __future__ import annotations

import uuid
from datetime import datetime

from planner.calendars.models import BusyTime


def busy_at(*, person_id: uuid.UUID, at: datetime) -> BusyTime | None:
    """The meeting under way at `at` (the one ending last, if several overlap), or None."""
    return BusyTime.objects.filter(person_id=person_id, starts_at__lte=at, ends_at__gt=at).order_by("-ends_at").first()


def busy_next(*, person_id: uuid.UUID, after: datetime, before: datetime) -> BusyTime | None:
    """The first meeting starting in (after, before], or None."""
    return (
        BusyTime.objects.filter(person_id=person_id, starts_at__gt=after, starts_at__lte=before)
        .order_by("starts_at")
        .first()
    )


def busy_upcoming(*, person_id: uuid.UUID, after: datetime, limit: int = 50) -> list[BusyTime]:
    return list(BusyTime.objects.filter(person_id=person_id, ends_at__gt=after).order_by("starts_at")[:limit])

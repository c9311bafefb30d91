"""A person's preferences as the rest of focus uses them: saving a change (with the rules that span
fields), the values the policy reads (focus/policy/preferences.py) and the time zone pages show in."""

from __future__ import annotations

import uuid
import zoneinfo

from focus.policy import WEEKDAYS, WorkingHours
from rhythm.models import PersonPreferences
from rhythm.services import preferences_update


def preferences_change(*, person_id: uuid.UUID, values: dict) -> PersonPreferences:
    """Save validated preference fields (focus/me_serializers.py); what is not given stays."""
    return preferences_update(person_id=person_id, **values)


def working_hours_of(preferences: PersonPreferences | None) -> WorkingHours | None:
    """The policy's view of the person's working hours (None: no working hours, nothing held)."""
    if preferences is None or not preferences.has_working_hours:
        return None
    days = frozenset(WEEKDAYS.index(day) for day in preferences.work_days if day in WEEKDAYS)
    zone = preferences.time_zone or "UTC"  # no zone chosen yet: working hours are read in UTC
    return WorkingHours(start=preferences.work_start, end=preferences.work_end, days=days, zone=zone)


def held_kinds_of(preferences: PersonPreferences | None) -> frozenset[str]:
    return frozenset(preferences.held_kinds or ()) if preferences is not None else frozenset()


def zone_of(preferences: PersonPreferences | None) -> zoneinfo.ZoneInfo | None:
    """The person's chosen time zone, or None (then the browser's is used)."""
    if preferences is None or not preferences.time_zone:
        return None
    try:
        return zoneinfo.ZoneInfo(preferences.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None

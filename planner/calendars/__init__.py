"""A person's calendars (DESIGN.md "Integrations"): iCalendar feeds added by URL or uploaded, and
the busy times expanded from them for the next days. Busy times never leave the person's account:
the API under /api/me/calendars/ shows a person only their own, and the admin shows a feed's state
(fetches, failures, backoff), never its address's path or its contents.

- `models.py`: CalendarFeed, BusyTime (loaded with planner's models).
- `expand.py`: the calendar text → busy times in a window, recurring events and time zones
  included (icalendar + recurring-ical-events). Pure.
- `refresh.py`: fetching a feed (through focusflow/outbound.py: the address rules, a timeout, a
  size limit, conditional GET), expanding it, backoff on failure, the sweep.
- `services.py`, `serializers.py`, `api.py`: the API. `selectors.py`: busy times for a person.
"""

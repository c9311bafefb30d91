"""Serializer pieces shared by the apps' APIs: numbers that refuse booleans, times that the database
can store, and input serializers that refuse unknown keys (a typo such as "hr" must not be silently
dropped)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from django.db import models
from rest_framework import serializers


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true/false (and null where allowed): "yes", 1 or "0" are mistakes, not booleans."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# --------------------------------------------------------------------------- times from outside

# RFC 3339 (ASCII digits only: `\d` would also match "²" or "١"), with a space allowed for the "T".
_MOMENT = re.compile(
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})[Tt ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
# PostgreSQL refuses a UTC offset of 16 hours or more ("time zone displacement out of range"); no
# real zone has ever used one (the widest, historic local mean times, are under 16 hours).
MAX_OFFSET = timedelta(hours=15, minutes=59)
# Python (and so psycopg reading a row back) knows years 1-9999 only. A day of margin at each end
# keeps every stored time showable in any time zone a page may render it in.
EARLIEST_MOMENT = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST_MOMENT = datetime(9999, 12, 31, tzinfo=timezone.utc)  # exclusive

MOMENT_RULES = (
    "An RFC 3339 time with a UTC offset (Z or ±HH:MM, at most ±15:59), e.g. 2026-05-06T09:30:00+02:00, "
    "between 0001-01-02 and 9999-12-30 in UTC; no leap second (:60). Stored in UTC, to the microsecond."
)


class UnstorableMoment(ValueError):
    """A time from outside that the database cannot hold; the message says which rule it breaks."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def parse_moment(value: object) -> datetime:
    """The one parser for times that come from outside (bodies and query strings): an aware UTC
    datetime PostgreSQL can store and Python can read back, or UnstorableMoment.

    Deliberate refusals rather than guesses: a naive time (whose zone? the server's UTC would be
    wrong for nearly everyone), a leap second (Python and PostgreSQL have no 23:59:60; rolling it
    into the next minute would change the day of a 31 December time), an offset of 16 hours or more,
    and instants outside years 1-9999. Digits past the microsecond are dropped (PostgreSQL keeps
    microseconds)."""
    if isinstance(value, datetime):
        moment = value
    else:
        match = _MOMENT.match(value) if isinstance(value, str) else None
        if match is None:
            raise UnstorableMoment("Not an RFC 3339 time: use e.g. 2026-05-06T09:30:00Z.", "invalid")
        parts = match.groupdict()
        if parts["second"] == "60":
            raise UnstorableMoment(
                "Leap seconds (:60) cannot be stored: send :59 or the next minute's :00.", "leap_second"
            )
        offset = parts["offset"]
        if offset is None:
            raise UnstorableMoment("Give a UTC offset (Z or ±HH:MM): a time without one is ambiguous.", "naive")
        if offset in ("Z", "z"):
            zone = timezone.utc
        else:
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if minutes > 59:
                raise UnstorableMoment("Not an RFC 3339 time: the offset's minutes run to 59.", "invalid")
            shift = timedelta(hours=hours, minutes=minutes)
            if shift > MAX_OFFSET:
                raise UnstorableMoment("The UTC offset must be between -15:59 and +15:59.", "offset")
            zone = timezone(shift if offset[0] == "+" else -shift)
        fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
        try:
            moment = datetime(
                int(parts["year"]),
                int(parts["month"]),
                int(parts["day"]),
                int(parts["hour"]),
                int(parts["minute"]),
                int(parts["second"] or 0),
                int(fraction),
                tzinfo=zone,
            )
        except ValueError:
            raise UnstorableMoment("Not a real date and time (check the month, day and hour).", "invalid") from None
    if moment.utcoffset() is None:
        raise UnstorableMoment("Give a UTC offset (Z or ±HH:MM): a time without one is ambiguous.", "naive")
    if moment.utcoffset() > MAX_OFFSET or moment.utcoffset() < -MAX_OFFSET:
        raise UnstorableMoment("The UTC offset must be between -15:59 and +15:59.", "offset")
    # Aware datetimes compare by instant without converting, so this cannot overflow.
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise UnstorableMoment("The time must fall between 0001-01-02 and 9999-12-30 (UTC).", "out_of_range")
    return moment.astimezone(timezone.utc)


class MomentField(serializers.DateTimeField):
    """A date-time from outside, parsed by parse_moment: every API input time goes through this
    field, so what the database cannot store is a 400 with a field message, never a 500."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("help_text", MOMENT_RULES)
        super().__init__(**kwargs)

    def to_internal_value(self, value) -> datetime:
        try:
            return parse_moment(value)
        except UnstorableMoment as error:
            raise serializers.ValidationError(error.message, code=error.code) from None


class RejectUnknownFields:
    """Mixin for serializers of request bodies: every key must be a known field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class InputSerializer(RejectUnknownFields, serializers.Serializer):
    """Validates a request body: a JSON object whose keys are all known fields."""


class InputModelSerializer(RejectUnknownFields, serializers.ModelSerializer):
    """A model serializer for request bodies: unknown keys refused, and every DateTimeField of the
    model read by MomentField."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: MomentField,
    }


def validated(serializer_class, data) -> dict:
    """Validate request data with an input serializer; a failure is a 400 with field messages."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

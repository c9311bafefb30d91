"""Input and output shapes of /api/me/calendars/."""

from django.conf import settings
from rest_framework import serializers

from focusflow import outbound
from focusflow.fields import InputSerializer
from planner.calendars.models import CalendarFeed


class CalendarFeedUrlInput(InputSerializer):
    """Add a feed by address (a JSON body)."""

    url = serializers.CharField(
        max_length=outbound.MAX_URL_LENGTH,
        help_text="An https:// iCalendar feed on a public address (checked again, with its addresses, at every read).",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate_url(self, value: str) -> str:
        problem = outbound.url_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_name(self, value: str) -> str:
        return " ".join(value.replace("\x00", "").split())


class CalendarFeedUploadInput(InputSerializer):
    """Add a calendar by uploading an .ics file (multipart/form-data)."""

    file = serializers.FileField(help_text="An .ics file, at most FOCUS_CALENDAR_MAX_BYTES.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate_file(self, value) -> str:
        if value.size > settings.FOCUS_CALENDAR_MAX_BYTES:
            raise serializers.ValidationError(
                f"The file is larger than {settings.FOCUS_CALENDAR_MAX_BYTES // 1000} KB."
            )
        return value.read().decode("utf-8", errors="replace").replace("\x00", "")

    validate_name = CalendarFeedUrlInput.validate_name


class CalendarFeedSerializer(serializers.ModelSerializer):
    """A feed as its owner sees it: where it comes from, whether it reads, and when it is read next."""

    class Meta:
        model = CalendarFeed
        fields = [
            "id",
            "name",
            "source",
            "url",
            "state",
            "busy_count",
            "failures",
            "last_error",
            "last_status_code",
            "last_fetch_at",
            "last_success_at",
            "next_fetch_at",
            "created_at",
        ]
        read_only_fields = fields

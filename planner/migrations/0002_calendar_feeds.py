"""Calendar feeds and their busy times; and the beat entry that reads the feeds that are due
(planner/calendars/refresh.py). Beat aligns its interval with settings (CELERY_BEAT_SCHEDULE)
when it starts."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

SWEEP_TASK = "planner.refresh_calendar_feeds"
MEETINGS_TASK = "focus.sweep_meetings"  # focus/meetings.py: what the busy times do to sessions


def install_sweep(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    meetings_every, _ = IntervalSchedule.objects.get_or_create(
        every=settings.FOCUS_MEETING_SWEEP_SECONDS, period="seconds"
    )
    PeriodicTask.objects.update_or_create(
        name=MEETINGS_TASK,
        defaults={
            "task": MEETINGS_TASK,
            "interval": meetings_every,
            "queue": settings.FOCUS_QUEUE,
            "expire_seconds": settings.FOCUS_MEETING_SWEEP_SECONDS,
            "enabled": True,
            "description": "Pauses sessions for meetings from the calendars and resumes them after (focus/meetings.py).",
        },
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=settings.FOCUS_CALENDAR_SWEEP_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=SWEEP_TASK,
        defaults={
            "task": SWEEP_TASK,
            "interval": every,
            "queue": "celery",
            "expire_seconds": settings.FOCUS_CALENDAR_SWEEP_SECONDS,
            "enabled": True,
            "description": "Reads the calendar feeds that are due and expands their busy times.",
        },
    )


def uninstall_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP_TASK, MEETINGS_TASK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("person_id", models.UUIDField(db_index=True)),
                ("name", models.CharField(blank=True, max_length=100)),
                ("source", models.CharField(choices=[("url", "Url"), ("upload", "Upload")], max_length=8)),
                ("url", models.CharField(blank=True, max_length=2000)),
                ("ics", models.TextField(blank=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Not read yet"),
                            ("ok", "Read"),
                            ("failing", "Failing (retrying with backoff)"),
                        ],
                        default="pending",
                        max_length=8,
                    ),
                ),
                ("etag", models.CharField(blank=True, max_length=300)),
                ("last_modified", models.CharField(blank=True, max_length=100)),
                ("next_fetch_at", models.DateTimeField(blank=True, null=True)),
                ("claim_seq", models.PositiveIntegerField(default=0)),
                ("last_fetch_at", models.DateTimeField(blank=True, null=True)),
                ("last_success_at", models.DateTimeField(blank=True, null=True)),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("failures", models.PositiveSmallIntegerField(default=0, help_text="Failed fetches in a row.")),
                ("last_error", models.CharField(blank=True, max_length=300)),
                ("busy_count", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "db_table": "planner_calendar_feeds",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["next_fetch_at"], name="calendar_feed_due_idx")],
            },
        ),
        migrations.CreateModel(
            name="BusyTime",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("person_id", models.UUIDField()),
                ("starts_at", models.DateTimeField()),
                ("ends_at", models.DateTimeField()),
                ("title", models.CharField(blank=True, max_length=200)),
                (
                    "feed",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="busy_times",
                        to="planner.calendarfeed",
                    ),
                ),
            ],
            options={
                "db_table": "planner_busy_times",
                "ordering": ["starts_at", "id"],
                "indexes": [models.Index(fields=["person_id", "starts_at"], name="busy_time_person_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="busy_time_ends_after"
                    )
                ],
            },
        ),
        migrations.RunPython(install_sweep, uninstall_sweep),
    ]

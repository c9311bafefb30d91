"""Pause and resume (focus/controls.py): the session's paused spans, the new event types, and the
beat entry that ends sessions paused past FOCUS_MAX_PAUSE_MINUTES (focus/long_pauses.py)."""

from django.conf import settings
from django.db import migrations, models

import focusflow.json

TASK_NAME = "focus.end_long_paused_sessions"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=settings.LONG_PAUSE_SWEEP_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK_NAME,
            "interval": every,
            "queue": settings.FOCUS_QUEUE,
            "expire_seconds": settings.LONG_PAUSE_SWEEP_SECONDS,
            "enabled": True,
            "description": "Ends focus sessions paused past FOCUS_MAX_PAUSE_MINUTES (see focus/long_pauses.py).",
        },
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("focus", "0004_install_overdue_sweep"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="focussession",
            name="paused_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="focussession",
            name="pauses",
            field=models.JSONField(
                blank=True,
                db_default=models.Value([], models.JSONField()),
                default=list,
                encoder=focusflow.json.SanitizedJSONEncoder,
            ),
        ),
        migrations.AlterField(
            model_name="focusevent",
            name="event_type",
            field=models.CharField(
                choices=[
                    ("session_start", "Session Start"),
                    ("tick", "Tick"),
                    ("nudge", "Nudge"),
                    ("break", "Break"),
                    ("ping", "Ping"),
                    ("flow_start", "Flow Start"),
                    ("flow_end", "Flow End"),
                    ("distraction", "Distraction"),
                    ("session_end", "Session End"),
                    ("pause", "Pause"),
                    ("resume", "Resume"),
                    ("nudge_response", "Nudge Response"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]

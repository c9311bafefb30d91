"""Install the beat entry that ends sessions left running past FOCUS_MAX_SESSION_HOURS
(focus/overdue.py). Beat aligns its interval with settings when it starts (CELERY_BEAT_SCHEDULE)."""

from django.conf import settings
from django.db import migrations

TASK_NAME = "focus.end_overdue_sessions"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=settings.OVERDUE_SWEEP_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK_NAME,
            "interval": every,
            "queue": settings.FOCUS_QUEUE,
            "expire_seconds": settings.OVERDUE_SWEEP_SECONDS,
            "enabled": True,
            "description": "Ends focus sessions left running past FOCUS_MAX_SESSION_HOURS (see focus/overdue.py).",
        },
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("focus", "0003_session_ping_count"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

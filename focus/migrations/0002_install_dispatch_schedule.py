"""Install the one beat entry that sweeps due sessions (DESIGN.md "Scheduling").

No PeriodicTask is ever created or deleted per session. Beat also aligns this entry's interval
with FOCUS_DISPATCH_SECONDS when it starts (CELERY_BEAT_SCHEDULE in settings)."""

from django.conf import settings
from django.db import migrations

TASK_NAME = "focus.dispatch_due_ticks"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=settings.FOCUS_DISPATCH_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK_NAME,
            "interval": every,
            "queue": settings.FOCUS_QUEUE,
            "expire_seconds": settings.FOCUS_DISPATCH_SECONDS,
            "enabled": True,
            "description": "Claims due focus sessions and publishes their ticks (see focus/scheduler.py).",
        },
    )


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("focus", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

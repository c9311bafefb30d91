"""A ping counter on each session, for the ceiling on pings per session (FOCUS_MAX_PINGS_PER_SESSION).

Existing sessions are counted from their events, so a session already running when this is applied
is held to the ceiling too. The partial constraint and index on active sessions are untouched."""

from django.db import migrations, models

COUNT_PINGS = """
UPDATE focus_sessions SET ping_count = (
    SELECT COUNT(*) FROM focus_events
    WHERE focus_events.session_id = focus_sessions.id AND focus_events.event_type = 'ping'
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("focus", "0002_install_dispatch_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="focussession",
            name="ping_count",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunSQL(COUNT_PINGS, reverse_sql=migrations.RunSQL.noop, elidable=True),
    ]

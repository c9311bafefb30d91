"""The person access log stays append-only, with one exception: erasing a person (a person's data is
theirs, focus/personal_data.py) deletes the rows about them, and only inside the transaction that
erases them (it names the person in the transaction-local setting focusflow.erasing_person). UPDATE
is still always refused, and so is any other DELETE."""

from django.db import migrations

ERASABLE = """
CREATE OR REPLACE FUNCTION person_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.person_id IS NOT NULL
       AND OLD.person_id::text = current_setting('focusflow.erasing_person', true) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'person_access_log is append-only';
END $$;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION person_access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'person_access_log is append-only'; END $$;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("focusflow", "0001_identity_from_rhythm"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(ERASABLE), _on_postgresql(APPEND_ONLY)),
    ]

"""Identity (PersonAccount, PersonAccess) leaves rhythm for the focusflow app, in Django's state only:
the tables and their rows stay (focusflow/migrations/0001_identity_from_rhythm.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rhythm", "0002_person_access"),
        ("focusflow", "0001_identity_from_rhythm"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PersonAccess"),
                migrations.DeleteModel(name="PersonAccount"),
            ],
            database_operations=[],
        ),
    ]

"""Identity (PersonAccount, PersonAccess) moves here from rhythm, in Django's state only: the tables
(person_accounts, person_access_log, with its append-only trigger) and their rows stay as they are.

The models' content types move with them, and with those their permissions, so a service account's
grant of act_for_any_person (now checked as "focusflow.act_for_any_person") survives the move. On a
fresh database there is nothing to move yet: content types are made after every migration has run.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

MODELS = ("personaccount", "personaccess")


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist (the target's was made before this ran): keep the target's permissions, move the
        # grants of the source's onto them, and drop the source's content type with what is left.
        for permission in Permission.objects.filter(content_type=old):
            kept, _ = Permission.objects.get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            kept.user_set.add(*permission.user_set.all())
            kept.group_set.add(*permission.group_set.all())
        old.delete()


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="rhythm", target="focusflow")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="focusflow", target="rhythm")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("rhythm", "0002_person_access"),  # the tables exist (made by rhythm's migrations)
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PersonAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("actor_id", models.BigIntegerField(db_index=True)),
                        ("actor_username", models.CharField(max_length=150)),
                        ("person_id", models.UUIDField(blank=True, db_index=True, null=True)),
                        ("method", models.CharField(max_length=8)),
                        ("path", models.CharField(max_length=300)),
                        ("status", models.PositiveSmallIntegerField()),
                    ],
                    options={
                        "verbose_name": "person access (audit)",
                        "verbose_name_plural": "person accesses (audit)",
                        "db_table": "person_access_log",
                        "ordering": ["-at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="PersonAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("person_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="person_account",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "person_accounts",
                        "permissions": [
                            (
                                "act_for_any_person",
                                "Can act for any person (service account): read and write their data",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

"""Identity moved from rhythm to focusflow in Django's state only: a database migrated before the move
keeps its accounts, its audit rows and its service accounts' grants of act_for_any_person."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("rhythm", "0002_person_access"), ("focusflow", None)]
AFTER = [("rhythm", "0003_identity_to_focusflow"), ("focusflow", "0001_identity_from_rhythm")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_grants_and_rows(django_user_model):
    migrate(BEFORE)
    try:
        old_type = ContentType.objects.get(app_label="rhythm", model="personaccount")
        ingest = django_user_model.objects.create_user("ingest")
        ingest.user_permissions.add(Permission.objects.get(content_type=old_type, codename="act_for_any_person"))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO person_accounts (user_id, person_id) VALUES (%s, gen_random_uuid())", [ingest.pk]
            )
            cursor.execute(
                "INSERT INTO person_access_log (at, actor_id, actor_username, method, path, status) "
                "VALUES (now(), %s, 'ingest', 'GET', '/rhythm/state/', 200)",
                [ingest.pk],
            )
    finally:
        migrate(AFTER)

    from focusflow.models import PersonAccess, PersonAccount

    ingest = django_user_model.objects.get(username="ingest")  # a fresh permission cache
    assert ingest.has_perm("focusflow.act_for_any_person")
    assert ContentType.objects.get(app_label="focusflow", model="personaccount").pk == old_type.pk
    assert not ContentType.objects.filter(app_label="rhythm", model__in=["personaccount", "personaccess"]).exists()
    assert PersonAccount.objects.filter(user=ingest).exists()
    assert PersonAccess.objects.get().actor_username == "ingest"

"""A person's data is theirs: everything held about them in one export, and erasing all of it.

What counts as "held about a person" is found, not listed, so a table added later is covered
without touching this module:

- every model with a UUID field named `person_id` (or `user_id`, the seed's name in
  memory_short_term) holds the person's rows (sessions, tasks, rhythm state and samples, personal
  model, memory, preferences, the person access log, their account mapping);
- every model that a person's row owns through a cascading foreign key (a session's events);
- every model with a `username` field (django-axes' login attempts and logs), for their login;
- their login itself (auth user, its API tokens, permissions, browser sessions) and the admin's
  history entries about any of those rows.

focus/tests/test_personal_data.py checks after an erasure that no row of any table in the database
still names the person, their login, or any of their records.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from focusflow.errors import Conflict
from focusflow.models import PersonAccount
from focusflow.people import ACT_FOR_ANY_PERSON

EXPORT_FORMAT = "focusflow-export/1"
PERSON_FIELDS = ("person_id", "user_id")  # memory_short_term keys the person as user_id (the seed's)
# The person access log refuses DELETE except for the rows of the person this transaction erases
# (focusflow/migrations/0002_person_access_erasure.py reads this setting).
ERASING_SETTING = "focusflow.erasing_person"


@dataclass(frozen=True)
class Holding:
    """One table's rows about a person: `lookup` filters the model to them."""

    model: type[models.Model]
    lookup: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def rows(self, person_id: uuid.UUID) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.lookup: person_id})


def _person_field(model: type[models.Model]) -> str | None:
    for name in PERSON_FIELDS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.UUIDField):
            return name
    return None


def holdings() -> list[Holding]:
    """Every table that holds rows about a person, owners before what they own."""
    owners = [Holding(m, f) for m in apps.get_models() if (f := _person_field(m)) is not None]
    owner_models = {h.model for h in owners}
    owned = [
        Holding(rel.related_model, f"{rel.field.name}__{holding.lookup}")
        for holding in owners
        for rel in holding.model._meta.related_objects
        if rel.on_delete is models.CASCADE and rel.related_model not in owner_models and not rel.many_to_many
    ]
    return owners + owned


def _username_models() -> list[type[models.Model]]:
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if model is user_model:
            continue
        try:
            field = model._meta.get_field("username")
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.CharField):
            found.append(model)
    return found


def _row(obj: models.Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _user_of(person_id: uuid.UUID):
    account = PersonAccount.objects.filter(person_id=person_id).select_related("user").first()
    return account.user if account else None


# --------------------------------------------------------------------------- export


def person_export(*, person_id: uuid.UUID) -> dict:
    """Everything held about the person, table by table (each row with all of its columns)."""
    user = _user_of(person_id)
    account = None
    if user is not None:
        account = {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "api_tokens": [
                {"created": token.created, "expiry": token.expiry}
                for token in user.auth_token_set.order_by("created")  # never the digest
            ],
        }
    tables: dict[str, list[dict]] = {}
    for holding in holdings():
        if holding.model is PersonAccount:
            continue  # the account block above
        tables[holding.table] = [_row(obj) for obj in holding.rows(person_id).order_by("pk")]
    if user is not None:
        for model in _username_models():
            rows = model._default_manager.filter(username=user.get_username()).order_by("pk")
            tables[model._meta.db_table] = [_row(obj) for obj in rows]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "person_id": person_id,
        "account": account,
        "tables": tables,
    }


# --------------------------------------------------------------------------- erasure


def _admin_history(person_id: uuid.UUID, user) -> Iterator[models.QuerySet]:
    """The admin's history entries about the person's rows and their login (object ids are text)."""
    for holding in holdings():
        content_type = ContentType.objects.get_for_model(holding.model, for_concrete_model=False)
        ids = holding.rows(person_id).annotate(_text_pk=Cast("pk", models.CharField())).values("_text_pk")
        yield LogEntry.objects.filter(content_type=content_type, object_id__in=ids)
    if user is not None:
        content_type = ContentType.objects.get_for_model(user, for_concrete_model=False)
        yield LogEntry.objects.filter(content_type=content_type, object_id=str(user.pk))


def _browser_sessions_of(user) -> list[str]:
    """The keys of the login's browser sessions (database sessions are signed blobs: read each live one)."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return []
    from django.contrib.sessions.models import Session  # noqa: PLC0415 (only with database sessions)

    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


SERVICE_ACCOUNT_STAYS = (
    "A service account's record of what it did for other people must outlive it: "
    "an administrator removes the account in the admin."
)


def erasable(user) -> bool:
    """Whether this login may be erased here: not a service account (nor a superuser)."""
    return not (user.is_superuser or user.has_perm(ACT_FOR_ANY_PERSON))


@transaction.atomic
def person_erase(*, person_id: uuid.UUID | None = None, user=None) -> dict[str, int]:
    """Delete the person's login and everything held about them, in one transaction; returns how
    many rows went from each table. A service account (one that acts for any person) is not erased
    here: the record of what it did for other people must outlive it (an administrator removes it)."""
    if user is None and person_id is None:
        raise ValueError("name the person or their login")
    if person_id is None:
        person_id = PersonAccount.objects.get_or_create(user=user)[0].person_id
    user = user if user is not None else _user_of(person_id)
    if user is not None and not erasable(user):
        raise Conflict(SERVICE_ACCOUNT_STAYS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [ERASING_SETTING, str(person_id)])

    deleted: dict[str, int] = {}

    def count(queryset: models.QuerySet) -> None:
        _, per_model = queryset.delete()
        for label, n in per_model.items():
            if n:
                table = apps.get_model(label)._meta.db_table
                deleted[table] = deleted.get(table, 0) + n

    for entries in list(_admin_history(person_id, user)):
        count(entries)
    if user is not None:
        from django.contrib.sessions.models import Session  # noqa: PLC0415

        count(Session.objects.filter(session_key__in=_browser_sessions_of(user)))
        for model in _username_models():
            count(model._default_manager.filter(username=user.get_username()))
    for holding in holdings():
        count(holding.rows(person_id))
    if user is not None:
        count(get_user_model()._default_manager.filter(pk=user.pk))  # tokens, permissions, groups go with it
    return deleted

"""Identity: which person a login acts as (PersonAccount, holding the permission that lets a service
account act for any person) and the append-only record of every time one does (PersonAccess).

These were rhythm's models until identity moved here; the tables keep their names (person_accounts,
person_access_log) and the migration that moved them changed only Django's state (focusflow/migrations).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class PersonAccount(models.Model):
    """The person a login acts as."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_account")
    person_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        db_table = "person_accounts"
        permissions = [
            ("act_for_any_person", "Can act for any person (service account): read and write their data"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id}"


class PersonAccess(models.Model):
    """One cross-person read or write by a service account: who, for whom, what, when. Append-only.

    The actor is kept by id and username, not a foreign key: deleting an account must not erase or
    rewrite what it did. `person_id` is null when a list spanned every person (no filter).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(db_index=True)
    actor_username = models.CharField(max_length=150)
    person_id = models.UUIDField(null=True, blank=True, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "person_access_log"
        ordering = ["-at", "-id"]
        verbose_name = "person access (audit)"
        verbose_name_plural = "person accesses (audit)"

    def __str__(self) -> str:
        return f"{self.actor_username} {self.method} {self.path} for {self.person_id or 'everyone'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The person access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The person access log is append-only.")

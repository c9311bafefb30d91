"""Who a request acts for, and the record of every time someone acts for another person.

A person acts only for themself. A service account — a login holding the permission
`focusflow.act_for_any_person` (or a superuser), never merely the staff flag — acts for any person_id
(the seed's style), whose records are created on first use. Every cross-person read or write of a
service account is recorded as a `PersonAccess` row (who, for whom, what, when), written in the
same transaction as the write (`PersonAccessAudit` on the API views).
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from rest_framework.exceptions import PermissionDenied

from focusflow.models import PersonAccess, PersonAccount

ACT_FOR_ANY_PERSON = "focusflow.act_for_any_person"
_APP_LABEL, _CODENAME = ACT_FOR_ANY_PERSON.split(".")


@dataclass
class Actor:
    """The signed-in caller: their own person, whether they may act for anyone, and whom they touched."""

    person_id: uuid.UUID
    acts_for_any_person: bool
    persons: set[uuid.UUID] = field(default_factory=set)  # foreign person_ids named in the request
    unscoped: bool = False  # a read or write by record id, across all people
    erased: set[uuid.UUID] = field(default_factory=set)  # people erased by the request (record_erasure)


def account_person_id(*, user) -> uuid.UUID:
    """The person a login acts as; the mapping is made on first use."""
    account, _ = PersonAccount.objects.get_or_create(user=user)
    return account.person_id


def _grant_for(user_id: OuterRef) -> Exists:
    """The act-for-any-person permission, held directly or through a group."""
    return Exists(
        Permission.objects.filter(content_type__app_label=_APP_LABEL, codename=_CODENAME).filter(
            Q(user=user_id) | Q(group__user=user_id)
        )
    )


def actor_columns(user_id: str) -> dict:
    """Annotations that read a login's person and its permission inside another query on the login
    (`user_id` names its column there): the token lookup uses them, so a token call is one statement."""
    return {
        "actor_person_id": Subquery(PersonAccount.objects.filter(user=OuterRef(user_id)).values("person_id")[:1]),
        "actor_granted": _grant_for(OuterRef(user_id)),
    }


def actor_prime(user, *, person_id: uuid.UUID | None, granted: bool) -> None:
    """Keep what actor_columns read on the user, for actor() (nothing when the login has no person yet)."""
    if person_id is not None:
        user._focus_actor = _actor(user, person_id=person_id, granted=granted)


def _actor(user, *, person_id: uuid.UUID, granted: bool) -> Actor:
    return Actor(person_id=person_id, acts_for_any_person=bool(user.is_active and (user.is_superuser or granted)))


def _load_actor(user) -> Actor:
    """One query (the one that already mapped the login to its person), the permission in an EXISTS."""
    row = (
        PersonAccount.objects.filter(user=user)
        .annotate(granted=_grant_for(OuterRef("user_id")))
        .values_list("person_id", "granted")
        .first()
    )
    if row is None:  # first use: make the mapping
        account_person_id(user=user)
        return _load_actor(user)
    person_id, granted = row
    return _actor(user, person_id=person_id, granted=granted)


def actor(request) -> Actor:
    if not hasattr(request, "_focus_actor"):
        primed = getattr(request.user, "_focus_actor", None)  # read with the token (actor_prime)
        request._focus_actor = primed if primed is not None else _load_actor(request.user)
    return request._focus_actor


def acts_for_any_person(request) -> bool:
    """A service account? (Used by the throttles: service accounts get the much higher rate.)"""
    user = request.user
    return bool(user and user.is_authenticated) and actor(request).acts_for_any_person


def own_person_id(request) -> uuid.UUID:
    return actor(request).person_id


def acting_person_id(request, requested: uuid.UUID | None) -> uuid.UUID:
    """The person_id a call acts for: the one given (service accounts, or one's own) or else one's own."""
    who = actor(request)
    if requested is None or requested == who.person_id:
        return who.person_id
    if who.acts_for_any_person:
        who.persons.add(requested)
        return requested
    raise PermissionDenied("You can only act for your own person_id.")


def visible_person_id(request) -> uuid.UUID | None:
    """The person whose records a call may touch by id; None means anyone's (service accounts)."""
    who = actor(request)
    if who.acts_for_any_person:
        who.unscoped = True
        return None
    return who.person_id


def readable_person_id(request, requested: uuid.UUID | None) -> uuid.UUID | None:
    """For a list: `?person_id=` names one person (403 if foreign without the permission)."""
    return visible_person_id(request) if requested is None else acting_person_id(request, requested)


def record_erasure(request, person_id: uuid.UUID) -> None:
    """The call erased this person: its access record keeps that an erasure happened (who, when,
    what), not whom — a row naming them would be the one thing of theirs left behind."""
    actor(request).erased.add(person_id)


# --------------------------------------------------------------------------- the access record


def _records(data) -> list[dict]:
    """The records an answer carries: itself, a list of them, or a page's `results`. Nested values
    (a session's `session_quality` is the client's own JSON) are never read as records."""
    if isinstance(data, dict):
        results = data.get("results")
        return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else [data]
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    return []


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _touched_persons(who: Actor, response) -> set[uuid.UUID]:
    """Whom the call touched: the person_ids it named, and for a call by record id, the people whose
    records the answer carries (a record without a person_id is found through its session)."""
    persons: set[uuid.UUID] = set(who.persons)
    if who.unscoped:
        sessions: set[uuid.UUID] = set()
        for record in _records(getattr(response, "data", None)):
            person_id = _as_uuid(record.get("person_id"))
            if person_id is not None:
                persons.add(person_id)
            elif (session_id := _as_uuid(record.get("session_id"))) is not None:
                sessions.add(session_id)
        if sessions:
            # The session model is named in settings, not imported: the apps depend on focusflow,
            # never the other way round.
            session_model = apps.get_model(settings.PERSON_ACCESS_SESSION_MODEL)
            persons |= set(session_model.objects.filter(pk__in=sessions).values_list("person_id", flat=True))
    persons.discard(who.person_id)
    return persons


class PersonAccessAudit:
    """Mixin for API views: a service account's call runs in one transaction that also writes its
    access record; a refused call (4xx/5xx) is rolled back and writes nothing. Other callers pay
    nothing (no transaction, no query)."""

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._access_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, permitted and throttled by now
        if acts_for_any_person(request):
            self._access_stack.enter_context(transaction.atomic())
            self._access_stack.callback(self._record_person_access, request)  # runs before the commit

    def get_object(self):
        obj = super().get_object()
        person_id = getattr(obj, "person_id", None)
        if person_id is not None and acts_for_any_person(self.request):
            actor(self.request).persons.add(person_id)  # a delete answers without the record
        return obj

    def _record_person_access(self, request) -> None:
        response = getattr(self, "response", None)
        if response is None or response.status_code >= 400:
            transaction.set_rollback(True)
            return
        who = actor(request)
        persons: set[uuid.UUID | None] = set(_touched_persons(who, response)) - who.erased
        if who.erased and not persons:
            persons = {None}  # an erasure: recorded without naming the person (record_erasure)
        if not persons and who.unscoped and request.method not in ("GET", "HEAD", "OPTIONS"):
            persons = {None}  # a write whose person the answer does not name: still recorded
        user = request.user
        PersonAccess.objects.bulk_create(
            [
                PersonAccess(
                    actor_id=user.pk,
                    actor_username=user.get_username(),
                    person_id=person_id,
                    method=request.method,
                    path=(request.path if who.erased else request.get_full_path())[:300],
                    status=response.status_code,
                )
                for person_id in sorted(persons, key=lambda p: (p is None, str(p)))
            ]
        )

"""Who a request acts for. A person acts only for themself; staff and service accounts act for any
person_id (the seed's style), whose records are created on first use."""

from __future__ import annotations

import uuid

from rest_framework.exceptions import PermissionDenied

from rhythm.services import account_person_id


def own_person_id(request) -> uuid.UUID:
    if not hasattr(request, "_focus_person_id"):
        request._focus_person_id = account_person_id(user=request.user)
    return request._focus_person_id


def acting_person_id(request, requested: uuid.UUID | None) -> uuid.UUID:
    """The person_id a write acts for: the body's (staff, or one's own) or else one's own."""
    own = own_person_id(request)
    if requested is None or requested == own:
        return own
    if request.user.is_staff:
        return requested
    raise PermissionDenied("You can only act for your own person_id.")


def visible_person_id(request) -> uuid.UUID | None:
    """The person whose records a read may see; None means any (staff)."""
    return None if request.user.is_staff else own_person_id(request)

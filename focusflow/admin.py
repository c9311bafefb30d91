"""The admin is for an operator: people by account name, times in the operator's own zone (named),
readable summaries first and the stored JSON behind a disclosure. Shared helpers for every app's admin."""

import json
import zoneinfo
from urllib.parse import unquote

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.html import format_html

from focusflow.json import SanitizedJSONEncoder
from focusflow.models import PersonAccess, PersonAccount

TZ_COOKIE = "ff_tz"  # the browser's zone, set by static/js/focusflow.js (focus/views.py reads it too)


def browser_zone(request):
    """The zone the operator's browser named in its cookie, else the site's (settings.TIME_ZONE)."""
    name = unquote(request.COOKIES.get(TZ_COOKIE, ""))
    if 0 < len(name) <= 64:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return timezone.get_default_timezone()


def local_time(value, *, seconds: bool = False, short: bool = False) -> str:
    """An instant in the active zone with the zone named: "Tue 1 Dec 2026, 20:05 CET"; ``short``
    (a list column) leaves out the weekday and the year: "1 Dec, 20:05 CET"."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    clock = f"%H:%M{':%S' if seconds else ''} %Z"
    return local.strftime(f"{local.day} %b, {clock}" if short else f"%a {local.day} %b %Y, {clock}")


def json_details(value, label: str = "JSON") -> str:
    """The stored JSON, pretty-printed behind a <details> (closed), so the page reads first."""
    if value in (None, {}, []):
        return "–"
    text = json.dumps(value, cls=SanitizedJSONEncoder, indent=2, sort_keys=True)
    return format_html('<details class="ff-json"><summary>{}</summary><pre>{}</pre></details>', label, text)


def with_person_username(queryset, field: str = "person_id"):
    """Annotate ``person_username``: the account a person_id belongs to (none for a person only a
    service account has acted for)."""
    accounts = PersonAccount.objects.filter(person_id=OuterRef(field)).values("user__username")[:1]
    return queryset.annotate(person_username=Subquery(accounts))


def person_cell(username, person_id) -> str:
    """The account name, with the person_id on hover (searchable by either)."""
    short = str(person_id)[:8] if person_id else "–"
    return format_html('<span title="{}">{}</span>', person_id or "", username or f"{short}… (no account)")


class OperatorAdmin(admin.ModelAdmin):
    """Pages render in the operator's browser zone (named in every time shown), as the dashboard does."""

    class Media:
        js = ["js/focusflow.js"]  # sets the zone cookie, as on the dashboard

    def changelist_view(self, request, extra_context=None):
        with timezone.override(browser_zone(request)):
            return _rendered(super().changelist_view(request, extra_context))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        with timezone.override(browser_zone(request)):
            return _rendered(super().change_view(request, object_id, form_url, extra_context))


def _rendered(response):
    """A TemplateResponse renders after the view returns: render it while the zone is active."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


@admin.register(PersonAccount)
class PersonAccountAdmin(OperatorAdmin):
    list_display = ["user", "person_id"]
    search_fields = ["user__username", "person_id"]
    readonly_fields = ["person_id"]


@admin.register(PersonAccess)
class PersonAccessAdmin(OperatorAdmin):
    """The audit of service accounts acting for people: superusers read it; nobody edits it."""

    list_display = ["at", "actor_username", "person_id", "method", "path", "status"]
    list_filter = ["method", "at"]
    search_fields = ["actor_username", "person_id", "path"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in PersonAccess._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

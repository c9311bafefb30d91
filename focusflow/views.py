"""Project-level endpoints: who am I, and is the service healthy."""

from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from focusflow.broker import request_connection
from focusflow.people import own_person_id


class MeApi(APIView):
    @extend_schema(
        summary="Who you are signed in as",
        description="Your username and the `person_id` your sessions, tasks and rhythm belong to.",
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "person_id": serializers.UUIDField(),
                "is_staff": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request):
        return Response(
            {
                "username": request.user.get_username(),
                "person_id": own_person_id(request),
                "is_staff": request.user.is_staff,
            }
        )


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means "not reachable" for a health probe
        return {"ok": False, "error": exc.__class__.__name__}


def _check_broker() -> dict:
    """A fresh connection (not the publisher pool) so the answer reflects the broker right now; one
    bounded attempt (focusflow/broker.py), so a hung broker is a quick 503, not a stuck web worker."""
    try:
        with request_connection() as conn:
            conn.ensure_connection(max_retries=0)
            return {"ok": True, "transport": conn.transport.driver_type}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def healthz(request):
    """200 when the database and the broker answer, 503 otherwise; no authentication."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)

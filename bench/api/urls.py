"""The product's URLs plus `POST /bench/bare`: a DRF endpoint that returns a constant, through the
same default authentication (token), permission, throttles, parser and renderer as every API view.
It is the framework's own ceiling on this machine: what an endpoint costs before it does anything."""

from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from focusflow.urls import handler400, handler403, handler404, handler500  # noqa: F401
from focusflow.urls import urlpatterns as product_urlpatterns


class BareApi(APIView):
    def post(self, request):
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


urlpatterns = [path("bench/bare", BareApi.as_view(), name="bench-bare"), *product_urlpatterns]

"""/api/webhooks/: a person's webhook endpoints (a service account: its people's). No request is
made to the URL here; deliveries are sent by Celery (focus/webhooks/delivery.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from focus.webhooks import services
from focus.webhooks.models import WebhookEndpoint
from focus.webhooks.serializers import WebhookEndpointCreatedSerializer, WebhookEndpointSerializer
from focusflow.people import PersonAccessAudit, acting_person_id, visible_person_id


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(PersonAccessAudit, viewsets.ModelViewSet):
    serializer_class = WebhookEndpointSerializer
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_queryset(self):
        endpoints = WebhookEndpoint.objects.all()
        person_id = visible_person_id(self.request)
        return endpoints if person_id is None else endpoints.filter(person_id=person_id)

    @extend_schema(request=WebhookEndpointSerializer, responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        endpoint = services.endpoint_create(person_id=acting_person_id(request, data.pop("person_id", None)), **data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "person_id" in data:  # moving an endpoint to another person is a service account's act
            data["person_id"] = acting_person_id(self.request, data["person_id"])
        serializer.instance = services.endpoint_update(endpoint=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance)

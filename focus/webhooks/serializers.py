"""Input and output shapes of /api/webhooks/."""

from rest_framework import serializers

from focus.vocabulary import WEBHOOK_TYPES
from focus.webhooks.models import WebhookEndpoint
from focusflow import outbound
from focusflow.fields import InputModelSerializer, StrictBooleanField


class WebhookTypesField(serializers.ListField):
    """A list of webhook event types whose errors are a flat list of messages (as every field's)."""

    child = serializers.ChoiceField(choices=WEBHOOK_TYPES)

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError(
                [f"Item {int(index) + 1}: {message}" for index, messages in detail.items() for message in messages]
            ) from None


class WebhookEndpointSerializer(InputModelSerializer):
    """An endpoint, in and out. The URL is checked here without any request (https, no literal
    private address); its host is resolved and checked again at every delivery."""

    person_id = serializers.UUIDField(required=False, help_text="Service accounts only: whose events.")
    url = serializers.CharField(
        max_length=outbound.MAX_URL_LENGTH, help_text="An https:// URL on a public address; POSTed each event."
    )
    event_types = WebhookTypesField(min_length=1, max_length=len(WEBHOOK_TYPES))
    active = StrictBooleanField(required=False, default=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "person_id", "url", "event_types", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_url(self, value: str) -> str:
        problem = outbound.url_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_event_types(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # each once, in the order given


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The answer to a create: the endpoint and its signing secret, shown this once."""

    secret = serializers.CharField(read_only=True, help_text="whsec_<base64>: verify signatures with it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]

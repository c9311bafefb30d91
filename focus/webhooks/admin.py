"""The admin's view of webhooks: endpoints (the secret never shown), and every delivery with its
status, attempts, last answer and each attempt."""

from django.contrib import admin

from focus.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "person_id", "active", "types", "created_at"]
    list_filter = ["active"]
    search_fields = ["person_id", "url"]
    fields = ["id", "person_id", "url", "event_types", "active", "created_at", "updated_at"]
    readonly_fields = ["id", "created_at", "updated_at"]

    @admin.display(description="event types")
    def types(self, obj):
        return ", ".join(obj.event_types or [])

    def has_add_permission(self, request):
        return False  # created through the API, which shows the secret once


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "ok", "status_code", "response", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "webhook_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "short_response",
    ]
    list_filter = ["status", "webhook_type"]
    search_fields = ["endpoint__url", "endpoint__person_id"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "webhook_id",
        "endpoint",
        "event",
        "webhook_type",
        "status",
        "attempts",
        "due_at",
        "created_at",
        "delivered_at",
        "last_status_code",
        "last_response",
        "body",
    ]
    fields = readonly_fields
    inlines = [WebhookAttemptInline]

    @admin.display(description="last response")
    def short_response(self, obj):
        return obj.last_response[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

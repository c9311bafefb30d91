from django.contrib import admin

from focusflow.models import PersonAccess, PersonAccount


@admin.register(PersonAccount)
class PersonAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "person_id"]
    search_fields = ["user__username", "person_id"]
    readonly_fields = ["person_id"]


@admin.register(PersonAccess)
class PersonAccessAdmin(admin.ModelAdmin):
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

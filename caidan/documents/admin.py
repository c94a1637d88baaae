from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are created through the upload service (checked and audited)."""

    list_display = [
        "id",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "is_public",
        "target_type",
        "target_id",
    ]
    list_filter = ["is_public", "content_type"]
    search_fields = ["original_name", "sha256", "uploaded_by__username", "target_id"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "uploaded_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

"""Django admin: read-only. The catalog changes only through its services (validated,
draft-only, audited) — the pages under /catalog/manage/ and the API."""

from django.contrib import admin

from .models import CatalogItem, CatalogVersion, NegativeListEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "effective_date", "status", "published_at", "published_by"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["published_by"]


@admin.register(CatalogItem)
class CatalogItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "version", "code", "name", "level", "category", "guidance_price"]
    list_filter = ["version", "level", "category", "bought_first"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["version"]
    ordering = ["version", "code"]


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "legal_basis", "is_active"]
    list_filter = ["is_active"]

"""The transparency dimensions in the admin: rename, reorder, hide (they are never added or deleted:
each key is a part of the tracking page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.portal.models import TransparencyDimension


@admin.register(TransparencyDimension)
class TransparencyDimensionAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "order", "visible", "description")
    list_editable = ("order", "visible")
    readonly_fields = ("key",)
    ordering = ("order", "key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TransparencyDimension | None = None) -> bool:
        return False

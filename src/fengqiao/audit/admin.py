"""Read-only views of the audit records: who saw personal data, and the anchors of the case chains."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.audit.models import Anchor, PersonalDataView


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "role", "subject", "fields", "purpose", "ip_address"]
    list_filter = ["role"]
    search_fields = ["=subject", "user__username", "user__display_name"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    show_full_result_count = False
    ordering = ["-at"]


@admin.register(Anchor)
class AnchorAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "entries", "hash", "prev_hash"]
    show_full_result_count = False
    ordering = ["-id"]

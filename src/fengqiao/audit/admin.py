"""Read-only views of the audit records: who saw personal data, and the anchors of the case chains."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.audit.models import Anchor, PersonalDataView
from fengqiao.kit.admin_base import ReadOnlyAdmin


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

"""The outbox in the admin: read-only, for following up failed deliveries (addresses are not stored)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.notifications.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "kind", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["subject", "dedup_key"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "case", "unit"]

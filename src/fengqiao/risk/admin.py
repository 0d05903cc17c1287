"""The administrators' screens for the register's data: the review cadence per grade and the screening
checklist (edited in the list); campaigns, entries and their events read-only (the services write them)."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.risk.models import Campaign, CampaignEvent, ChecklistItem, ReviewCadence, RiskEntry, RiskEvent


@admin.register(ReviewCadence)
class ReviewCadenceAdmin(admin.ModelAdmin):
    list_display = ("grade", "days")
    list_editable = ("days",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "hint", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "area", "starts_on", "ends_on", "grid_count")
    search_fields = ("code", "title")
    date_hierarchy = "starts_on"


@admin.register(RiskEntry)
class RiskEntryAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "grade", "status", "responsible_unit", "next_review_at")
    list_filter = ("status", "grade", "source")
    search_fields = ("code", "title")
    list_select_related = ("responsible_unit",)


@admin.register(RiskEvent)
class RiskEventAdmin(ReadOnlyAdmin):
    list_display = ("entry", "seq", "action", "from_state", "to_state", "actor", "at")
    list_filter = ("action",)


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "seq", "action", "grid", "actor", "at")
    list_filter = ("action",)

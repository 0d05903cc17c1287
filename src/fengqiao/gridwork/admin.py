"""Grid teams, patrol plans and campaigns are edited in the admin; visits are read-only there (they come
from the phones, each once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.gridwork.models import Campaign, Place, TeamMember, Visit


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["grid", "role", "name", "unit", "active"]
    list_filter = ["role", "active"]
    search_fields = ["name", "grid__name", "grid__code"]
    autocomplete_fields = ["grid", "unit", "user"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "grid", "every_days", "active"]
    list_filter = ["kind", "active", "every_days"]
    search_fields = ["name", "address", "grid__name", "grid__code"]
    autocomplete_fields = ["grid"]
    # a household's name and address in full are not shown here (unaudited): its form shows the masks, and a
    # new value typed into name/address is sealed again on save (Place.seal; docs/gridwork/patrol.md)
    exclude = ["household_name", "household_address"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "team_role", "starts_on", "ends_on"]
    list_filter = ["team_role"]
    search_fields = ["name"]
    autocomplete_fields = ["area"]
    exclude = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        from fengqiao.kit import clock

        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["observed_at", "grid", "place", "worker", "finding", "case"]
    list_filter = ["finding", "team_role"]
    search_fields = ["grid__code", "place__name"]
    date_hierarchy = "observed_at"
    list_select_related = ["grid", "place", "worker", "case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Visit | None = None) -> bool:
        return False

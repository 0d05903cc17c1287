"""The administrators' screen for the legal offices (which unit intervenes in each district or the city,
and from which risk grade matters go to it automatically).  Disputes change only through the services."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.legal.models import LegalOffice


@admin.register(LegalOffice)
class LegalOfficeAdmin(admin.ModelAdmin):
    list_display = ["area", "unit", "auto_route_from", "active"]
    list_filter = ["active", "auto_route_from"]
    autocomplete_fields = ["area", "unit"]

"""The administrators' screens for the stability assessments: decisions with their opinions, risk items and
measures, and the events — all read-only, because every change is an action of the services that writes its
event and bumps the version (an edit here would bypass both).  The grading and conclusion rules are code
(``grading.py``, ``states.ALLOWED_CONCLUSIONS``), not tables.  A citizen's name and phone on an online opinion
are shown masked only, so opening an opinion here is not a view of personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.kit.pii import mask_name, mask_phone
from fengqiao.stability.models import Decision, DecisionEvent, Measure, Opinion, RiskItem


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RiskItemInline(_ReadOnlyInline):
    model = RiskItem
    fields = ("category", "description", "likelihood", "impact", "level")


class MeasureInline(_ReadOnlyInline):
    model = Measure
    fields = ("description", "responsible_unit", "deadline", "done_at")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "kind", "status", "grade", "conclusion", "proposing_unit", "assessing_unit",
                    "created_at")
    list_filter = ("status", "kind", "grade", "conclusion")
    search_fields = ("code", "title")
    list_select_related = ("proposing_unit", "assessing_unit")
    date_hierarchy = "created_at"
    exclude = ("report_pdf",)
    inlines = (RiskItemInline, MeasureInline)


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("decision", "channel", "held_on", "participants", "support", "oppose", "neutral", "public",
                    "contact")
    list_filter = ("channel", "public")
    search_fields = ("decision__code",)
    list_select_related = ("decision",)
    exclude = ("contact_name", "contact_phone")  # shown masked only (``contact``)
    readonly_fields = ("contact",)

    @admin.display(description=_("contact (masked)"))
    def contact(self, obj: Opinion) -> str:
        return "、".join(x for x in (mask_name(obj.contact_name), mask_phone(obj.contact_phone)
                                    if obj.contact_phone else "") if x) or "—"


@admin.register(RiskItem)
class RiskItemAdmin(ReadOnlyAdmin):
    list_display = ("decision", "category", "likelihood", "impact", "level", "created_at")
    list_filter = ("category", "level")
    search_fields = ("decision__code", "description")
    list_select_related = ("decision",)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ("decision", "description", "responsible_unit", "deadline", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    search_fields = ("decision__code", "description")
    list_select_related = ("decision", "responsible_unit")
    date_hierarchy = "deadline"


@admin.register(DecisionEvent)
class DecisionEventAdmin(ReadOnlyAdmin):
    list_display = ("decision", "seq", "action", "from_state", "to_state", "actor", "at")
    list_filter = ("action",)
    search_fields = ("decision__code",)
    list_select_related = ("decision", "actor")

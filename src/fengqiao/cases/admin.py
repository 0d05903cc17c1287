"""Administrator's screens for categories and deadline policies (rows an administrator edits, DESIGN
rule 5), and read-only views of cases and their events: actions on cases go through the staff screens,
and case events are append-only (no one changes or deletes one here, not even a superuser)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, CaseEvent, Category, DeadlinePolicy
from fengqiao.jurisdictions.scope import case_filter
from fengqiao.kit.admin_base import ReadOnlyAdmin


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "level", "parent", "units", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, parent = data.get("level"), data.get("parent")
        if level is None:
            return data
        if level < 1 or level > 3:
            self.add_error("level", _("分类层级须为 1、2 或 3"))
        elif level == 1 and parent is not None:
            self.add_error("parent", _("一级分类不应有上级"))
        elif level > 1 and (parent is None or parent.level != level - 1):
            self.add_error("parent", _("%(level)s 级分类的上级须为 %(up)s 级分类") % {"level": level, "up": level - 1})
        return data


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["code", "name", "level", "parent", "active"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "units"]
    list_select_related = ["parent"]
    ordering = ["code"]


class DeadlinePolicyForm(forms.ModelForm):
    class Meta:
        model = DeadlinePolicy
        fields = ["category", "urgency", "accept_hours", "resolve_amount", "resolve_unit", "evaluation_days"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") is None:  # NULLs are distinct in the unique constraint: check here
            clash = DeadlinePolicy.objects.filter(category__isnull=True, urgency=data.get("urgency", ""))
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("urgency", _("已有相同紧急程度的全市默认时限"))
        if data.get("resolve_amount") == 0:
            self.add_error("resolve_amount", _("办理时限须大于 0"))
        return data


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    form = DeadlinePolicyForm
    list_display = ["__str__", "category", "urgency", "accept_hours", "resolve_amount", "resolve_unit",
                    "evaluation_days"]
    list_filter = ["urgency", "resolve_unit"]
    search_fields = ["category__code", "category__name"]
    autocomplete_fields = ["category"]
    list_select_related = ["category"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "status", "channel", "category", "lead_unit", "registered_at", "overdue"]
    list_filter = ["status", "channel", "urgency", "overdue"]
    search_fields = ["=code", "title"]
    list_select_related = ["category", "lead_unit"]
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-registered_at"]
    # parties' personal data is deliberately absent: it is shown masked, and revealed with an audit
    # record, only on the staff screens
    exclude = ["related", "event_head", "version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return super().get_queryset(request).filter(case_filter(request.user))  # type: ignore[arg-type]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "action", "from_state", "to_state", "at", "actor", "unit", "audience"]
    list_filter = ["action", "audience"]
    search_fields = ["=case__code"]
    list_select_related = ["case", "actor", "unit"]
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).filter(case_filter(request.user, prefix="case__"))  # type: ignore[arg-type]


# --- routing as data (docs/routing.md): rules, fallbacks, the flow list, disputes; in their own module
from fengqiao.cases import routing_admin  # noqa: E402, F401

# --- the supervision ladder (docs/supervision.md): rows an administrator edits, steps inline
from fengqiao.cases.supervision_models import SupervisionLadder, SupervisionStep  # noqa: E402


class SupervisionStepInline(admin.TabularInline):
    model = SupervisionStep
    extra = 1
    fields = ["kind", "relation", "amount", "unit", "to_handlers", "to_dispatchers", "to_unit_leaders",
              "area_leaders", "in_app", "sms", "email"]


@admin.register(SupervisionLadder)
class SupervisionLadderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "urgency", "active"]
    list_filter = ["active", "urgency"]
    autocomplete_fields = ["category"]
    inlines = [SupervisionStepInline]

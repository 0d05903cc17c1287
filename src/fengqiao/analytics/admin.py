"""The assessment office's screens: formula versions (rows an administrator edits), appeals decided by
admin actions (through the service, so each decision is audited), and read-only rollups."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.analytics import appeals
from fengqiao.analytics.models import Appeal, AppealEvent, AssessmentFormula, RollupMonth, UnitMonth
from fengqiao.kit.admin_base import ReadOnlyAdmin
from fengqiao.kit.errors import DomainError


@admin.register(AssessmentFormula)
class AssessmentFormulaAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_from", "response_weight", "resolution_weight", "satisfaction_weight",
                    "basically_weight", "min_cases"]
    ordering = ["-effective_from"]


def _decide(request: HttpRequest, queryset: QuerySet[Appeal], *, approve: bool) -> None:
    done = 0
    for appeal in queryset:
        try:
            appeals.decide_appeal(request.user, appeal.pk, approve=approve,  # type: ignore[arg-type]
                                  note="考核办审核通过" if approve else "考核办审核不予核减")
        except DomainError as error:
            messages.error(request, f"#{appeal.pk}: {error.message}")
        else:
            done += 1
    if done:
        messages.success(request, _("已审核 %(n)s 件申诉。") % {"n": done})


@admin.action(description=_("核减（批准所选申诉）"))
def approve(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Appeal]) -> None:
    _decide(request, queryset, approve=True)


@admin.action(description=_("不予核减（驳回所选申诉）"))
def refuse(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Appeal]) -> None:
    _decide(request, queryset, approve=False)


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ["seq", "action", "at", "actor", "note", "hash"]
    readonly_fields = ["seq", "action", "at", "actor", "note", "hash"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "unit", "kind", "status", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["case__code", "unit__name", "reason"]
    actions = [approve, refuse]
    inlines = [AppealEventInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the change list must allow actions; the form stays read-only (no fields are editable)
        return obj is None and isinstance(request.user, User) and appeals.is_office(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Appeal._meta.fields]


@admin.register(UnitMonth)
class UnitMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "unit", "rank", "score", "response_rate", "resolution_rate", "satisfaction_rate",
                    "cases", "exempted", "formula"]
    list_filter = ["month"]
    ordering = ["-month", "rank"]


@admin.register(RollupMonth)
class RollupMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "formula", "computed_at", "seconds", "units"]

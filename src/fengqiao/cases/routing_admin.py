"""Administrator's screens for routing as data (docs/routing.md): routing rules with a "test a rule" form
and CSV import/export, each district's fallback unit, the flow list, and disputes (read only)."""

from __future__ import annotations

import io as stdio
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases import routing, routing_io
from fengqiao.cases.models import Category, Channel, Urgency
from fengqiao.cases.routing_models import Dispute, FlowRule, RoutingFallback, RoutingRule
from fengqiao.jurisdictions.io import FileFormatError
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.jurisdictions.report import ImportReport
from fengqiao.kit.admin_base import ReadOnlyAdmin


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "area", "lead_unit", "assisting_units", "auto_dispatch", "active", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead_unit")
        if lead is not None and not lead.active:
            self.add_error("lead_unit", _("主办单位已停用"))
        if lead is not None and lead in (data.get("assisting_units") or []):
            self.add_error("assisting_units", _("主办单位不必同时列为协办单位"))
        return data


class RuleTestForm(forms.Form):
    category = forms.CharField(label=_("分类（编码或名称）"), max_length=100)
    area = forms.CharField(label=_("地点（区划编码或名称）"), max_length=100,
                           help_text=_("网格、社区、镇街或区县；同名时请用编码"))

    def _one(self, model: type[Category] | type[Area], value: str, label: Any) -> Any:
        found: list[Any] = list(model.objects.filter(Q(code=value) | Q(name=value))[:2])
        if not found:
            raise forms.ValidationError(_("没有找到%(label)s“%(v)s”") % {"label": label, "v": value})
        if len(found) > 1 and found[0].code != value:
            raise forms.ValidationError(_("有多个%(label)s叫“%(v)s”，请填写编码") % {"label": label, "v": value})
        return found[0]

    def clean_category(self) -> Category:
        category: Category = self._one(Category, self.cleaned_data["category"].strip(), _("分类"))
        return category

    def clean_area(self) -> Area:
        area: Area = self._one(Area, self.cleaned_data["area"].strip(), _("地点"))
        return area


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件"))
    dry_run = forms.BooleanField(label=_("试运行（只检查，不写入）"), required=False)


class AreaLevelFilter(admin.SimpleListFilter):
    title = _("区划层级")
    parameter_name = "area_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(value, label) for value, label in Level.choices]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(area__level=self.value()) if self.value() else queryset


class CategoryLevelFilter(admin.SimpleListFilter):
    title = _("分类层级")
    parameter_name = "category_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("一级")), ("2", _("二级")), ("3", _("三级"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(category__level=int(self.value() or 0)) if self.value() in ("1", "2", "3") \
            else queryset


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    change_list_template = "admin/cases/routingrule/change_list.html"
    list_display = ["category", "category_level", "area", "area_level", "lead_unit", "assisting", "auto_dispatch",
                    "active", "note"]
    list_filter = ["active", "auto_dispatch", AreaLevelFilter, CategoryLevelFilter]
    search_fields = ["category__code", "category__name", "area__code", "area__name", "lead_unit__name"]
    autocomplete_fields = ["category", "area", "lead_unit", "assisting_units"]
    list_select_related = ["category", "area", "lead_unit"]
    ordering = ["category__code", "area__path"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("assisting_units")

    @admin.display(description=_("分类层级"), ordering="category__level")
    def category_level(self, obj: RoutingRule) -> int:
        return obj.category.level

    @admin.display(description=_("区划层级"), ordering="area__level")
    def area_level(self, obj: RoutingRule) -> str:
        return str(Level(obj.area.level).label)

    @admin.display(description=_("协办单位"))
    def assisting(self, obj: RoutingRule) -> str:
        return "、".join(u.name for u in obj.assisting_units.all())

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("test/", wrap(self.test_view), name="cases_routingrule_test"),
            path("export/", wrap(self.export_view), name="cases_routingrule_export"),
            path("import/", wrap(self.import_view), name="cases_routingrule_import"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def test_view(self, request: HttpRequest) -> TemplateResponse:
        """"Test a rule": category + place → which rule applies and why, and every rule considered."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RuleTestForm(request.GET or None)
        result: dict[str, Any] = {}
        if form.is_valid():
            found, considered = routing.explain(form.cleaned_data["category"], form.cleaned_data["area"])
            result = {"found": found, "considered": considered, "chain": routing.category_chain(
                form.cleaned_data["category"])}
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(request, "admin/cases/routingrule/test.html",
                                self._context(request, str(_("测试分拨规则")), form=form, **result), status=status)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        out = stdio.StringIO()
        routing_io.export_rules(out)
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="routing-rules-{stamp}.csv"'
        return response

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report: ImportReport | None = None
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = routing_io.import_rules(form.cleaned_data["file"].read(),
                                                 dry_run=form.cleaned_data["dry_run"])
            except FileFormatError as exc:
                form.add_error("file", str(exc))
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/cases/routingrule/import.html",
                                self._context(request, str(_("导入分拨规则")), form=form, report=report,
                                              columns=routing_io.COLUMNS), status=status)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = {"test_url": reverse("admin:cases_routingrule_test"),
                   "export_url": reverse("admin:cases_routingrule_export"),
                   "import_url": reverse("admin:cases_routingrule_import")} | (extra_context or {})
        return super().changelist_view(request, context)


@admin.register(RoutingFallback)
class RoutingFallbackAdmin(admin.ModelAdmin):
    list_display = ["district", "unit", "note"]
    autocomplete_fields = ["unit"]
    list_select_related = ["district", "unit"]
    search_fields = ["district__name", "unit__name"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "district":
            kwargs["queryset"] = Area.objects.filter(level=Level.DISTRICT).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FlowRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(label=_("渠道"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("不选 = 该方向的默认渠道（网格 → 热线：网格巡查；"
                                                     "热线 → 网格：12345 热线、小程序、网络留言板）"))
    urgencies = forms.MultipleChoiceField(label=_("紧急程度"), choices=Urgency.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple, help_text=_("不选 = 任何紧急程度"))

    class Meta:
        model = FlowRule
        fields = ["direction", "category", "channels", "urgencies", "target_unit", "active", "note"]


@admin.register(FlowRule)
class FlowRuleAdmin(admin.ModelAdmin):
    form = FlowRuleForm
    list_display = ["direction", "category", "channel_names", "urgency_names", "target_unit", "active", "note"]
    list_filter = ["direction", "active"]
    search_fields = ["category__name", "category__code", "note"]
    autocomplete_fields = ["category", "target_unit"]
    list_select_related = ["category", "target_unit"]

    @admin.display(description=_("渠道"))
    def channel_names(self, obj: FlowRule) -> str:
        return "、".join(str(Channel(c).label) for c in obj.source_channels() if c in Channel.values)

    @admin.display(description=_("紧急程度"))
    def urgency_names(self, obj: FlowRule) -> str:
        return "、".join(str(Urgency(u).label) for u in obj.urgencies if u in Urgency.values) or str(_("全部"))


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "status", "raised_at", "decided_by", "decided_at", "redispatched_to"]
    list_filter = ["status"]
    list_select_related = ["case", "unit", "decided_by", "redispatched_to"]
    search_fields = ["case__code", "unit__name"]

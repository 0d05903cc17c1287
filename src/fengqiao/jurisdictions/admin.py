"""Administrator's screens for the jurisdiction tree and the units, with import and export buttons."""

from __future__ import annotations

import io as stdio
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Category
from fengqiao.jurisdictions import io
from fengqiao.jurisdictions.forms import AreaAdminForm, ImportForm, UnitAdminForm
from fengqiao.jurisdictions.imports import import_areas, rewrite_descendant_paths
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.jurisdictions.report import ImportReport
from fengqiao.jurisdictions.unit_imports import import_units

SHOWN_ERRORS = 1000
CHANGE_LIST = "admin/jurisdictions/change_list.html"  # the changelist with 导入 / 导出 buttons


class ImportExportMixin:
    """Adds ``import/`` and ``export/<fmt>/`` views and their buttons to a changelist."""

    export_basename = ""
    model: type[Area] | type[Unit]
    admin_site: admin.AdminSite

    def run_import(self, data: bytes, form: ImportForm, filename: str) -> ImportReport:
        raise NotImplementedError

    def write_export(self, out: stdio.StringIO, fmt: str, request: HttpRequest) -> int:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        prefix = self._url_prefix()
        wrap: Callable[..., Any] = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name=f"{prefix}_import"),
            path("export/<str:fmt>/", wrap(self.export_view), name=f"{prefix}_export"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        prefix = f"admin:{self._url_prefix()}"
        level = request.GET.get("level__exact", "")
        query = f"?level={level}" if level in Level.values and self.model is Area else ""
        context = {
            "import_url": reverse(f"{prefix}_import"),
            "export_geojson_url": reverse(f"{prefix}_export", args=["geojson"]) + query,
            "export_csv_url": reverse(f"{prefix}_export", args=["csv"]) + query,
            "can_import": self._can_import(request),
        } | (extra_context or {})
        return super().changelist_view(request, context)  # type: ignore[misc]

    def _url_prefix(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    def _can_import(self, request: HttpRequest) -> bool:
        return bool(self.has_add_permission(request) and self.has_change_permission(request))  # type: ignore[attr-defined]

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        if fmt not in io.FORMATS:
            return HttpResponse(_("未知导出格式"), status=404)
        out = stdio.StringIO()
        try:
            self.write_export(out, fmt, request)
        except io.FileFormatError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "csv":  # with a BOM, so that Excel shows the Chinese names
            response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(out.getvalue().encode(), content_type="application/geo+json")
        suffix = "csv" if fmt == "csv" else "geojson"
        response["Content-Disposition"] = f'attachment; filename="{self.export_basename}-{stamp}.{suffix}"'
        return response

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        if not self._can_import(request):
            raise PermissionDenied
        report: ImportReport | None = None
        status = 200
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    report = self.run_import(upload.read(), form, upload.name or "")
                except io.FileFormatError as exc:
                    form.add_error("file", str(exc))
            if not form.is_valid() or form.errors:
                status = 400
        else:
            form = ImportForm()
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入%(name)s") % {"name": opts.verbose_name_plural},
            "opts": opts,
            "form": form,
            "report": report,
            "shown_errors": report.errors[:SHOWN_ERRORS] if report else [],
            "hidden_errors": max(0, len(report.errors) - SHOWN_ERRORS) if report else 0,
        }
        return TemplateResponse(request, "admin/jurisdictions/import.html", context, status=status)


@admin.register(Area)
class AreaAdmin(ImportExportMixin, admin.ModelAdmin):
    form = AreaAdminForm
    change_list_template = CHANGE_LIST
    export_basename = "areas"
    list_display = ["code", "name", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "centroid_lng", "centroid_lat"]
    fields = ["code", "name", "level", "parent", "path", "population", "aliases", "geometry", "centroid_lng",
              "centroid_lat"]
    list_select_related = ["parent"]
    show_full_result_count = False
    list_per_page = 100
    ordering = ["path"]

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        old_path = Area.objects.filter(pk=obj.pk).values_list("path", flat=True).first() if change else None
        if "geometry" in form.changed_data:
            from fengqiao.jurisdictions.boundaries import centroid

            obj.centroid_lng, obj.centroid_lat = centroid(obj.geometry) if obj.geometry else (None, None)
        super().save_model(request, obj, form, change)
        if old_path and old_path != obj.path:
            rewrite_descendant_paths(old_path, obj.path)

    def run_import(self, data: bytes, form: ImportForm, filename: str) -> ImportReport:
        return import_areas(data, fmt=form.cleaned_data["format"] or None, filename=filename,
                            dry_run=form.cleaned_data["dry_run"], repair=form.cleaned_data["repair"])

    def write_export(self, out: stdio.StringIO, fmt: str, request: HttpRequest) -> int:
        level = request.GET.get("level") or None
        if level is not None and level not in Level.values:
            raise io.FileFormatError(_("未知层级：%(level)s") % {"level": level})
        return io.export_areas(out, fmt, level=level, under=request.GET.get("under") or None)


class CategoryUnitInline(admin.TabularInline):
    model = Category.units.through
    autocomplete_fields = ["category"]
    extra = 0
    verbose_name = _("承办的事项分类")
    verbose_name_plural = _("承办的事项分类")


@admin.register(Unit)
class UnitAdmin(ImportExportMixin, admin.ModelAdmin):
    form = UnitAdminForm
    change_list_template = CHANGE_LIST
    export_basename = "units"
    list_display = ["code", "name", "kind", "level", "area", "parent", "active"]
    list_filter = ["kind", "level", "active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["area", "parent"]
    list_select_related = ["area", "parent"]
    inlines = [CategoryUnitInline]
    show_full_result_count = False

    def run_import(self, data: bytes, form: ImportForm, filename: str) -> ImportReport:
        return import_units(data, fmt=form.cleaned_data["format"] or None, filename=filename,
                            dry_run=form.cleaned_data["dry_run"])

    def write_export(self, out: stdio.StringIO, fmt: str, request: HttpRequest) -> int:
        return io.export_units(out, fmt)

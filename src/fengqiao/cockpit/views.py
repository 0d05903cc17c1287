"""The leaders' cockpit (领导驾驶舱): the page, its data as JSON, and the cases behind any figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fengqiao.cockpit import extras, selectors
from fengqiao.cockpit.models import CITY_SCOPE, MEASURES, Dim
from fengqiao.cockpit.rollup import computed_at
from fengqiao.cockpit.selectors import Period, Scope
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, periods
from fengqiao.kit.errors import DomainError, ValidationFailed
from fengqiao.kit.pagination import paginate, query_with
from fengqiao.ops.replica import replica_reads
from fengqiao.web.views import current_user, render_error

PER_PAGE = 30
CHILD_DIM = {Level.CITY: Dim.DISTRICT, Level.DISTRICT: Dim.STREET, Level.STREET: Dim.GRID}
CHILD_LEVEL = {Level.CITY: Level.DISTRICT, Level.DISTRICT: Level.STREET, Level.STREET: Level.COMMUNITY}
MEASURE_LABELS = {
    "received": "登记", "valid": "有效件", "resolved": "办结", "on_time": "按期办结", "due": "应办结",
    "overdue": "超期", "evaluated": "已评价", "satisfied": "满意（含基本满意）", "unsatisfied": "不满意",
    "mediated": "转入调解", "mediation_agreed": "调解成功", "mediation_failed": "调解不成",
}


def _scope_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("scope", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(_("统计范围无效。"), fields={"scope": _("须为数字")})
    return int(raw)


def _read(request: HttpRequest) -> tuple[Scope, Period]:
    user = current_user(request)
    return selectors.scope_for(user, _scope_id(request)), selectors.parse_period(request.GET.get("period"))


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The last 12 months, this year and the last, this quarter and the last, this month and the eleven
    before it."""
    today = today or clock.today()
    listed = [periods.last_months(12, today), *periods.recent(periods.Kind.YEAR, today, 2),
              *periods.recent(periods.Kind.QUARTER, today, 2), *periods.recent(periods.Kind.MONTH, today, 12)]
    return [(p.key, p.label) for p in listed]


def texts() -> dict[str, str]:
    """The words the charts draw (cockpit.js), in the reader's language."""
    return {
        "received": _("登记"), "resolved": _("办结"), "total": _("合计"), "prev": _("环比"), "none": _("无数据"),
        "cases": _("件"), "on_time_rate": _("按期办结率"), "resolution_rate": _("办结率"),
        "satisfaction_rate": _("满意率"), "response": _("响应率"), "score": _("综合得分"),
        "mediated": _("转入调解"), "agreed": _("调解成功"), "failed": _("调解不成"), "success": _("成功率"),
        "key": _("重点"), "general": pgettext("grade", "一般"), "watch": _("关注"), "overdue_reviews": _("逾期未复核"),
        "loading": _("正在加载…"), "failed_load": _("数据加载失败，请刷新重试。"),
        "heat": _("登记量"), "heat_index": _("热度"),
        "no_prev": _("上期数据不足，不作比较"), "click": _("点击查看案件"), "unit": _("单位"), "area": _("区域"),
        "district": _("分区县"), "street": _("分镇街"), "grid": _("分网格"),
    }


@login_required
@replica_reads  # the rollups and areas from the read replica when there is one (ops/replica.py)
def cockpit(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        scope, period = _read(request)
        scopes = selectors.scopes_for(user)
    except DomainError as error:
        return render_error(request, error)
    choices = period_choices()
    if period.key not in {k for k, _l in choices}:
        choices.insert(0, (period.key, period.label))
    return render(request, "cockpit/cockpit.html", {
        "scope": scope, "period": period, "scopes": scopes, "periods": choices,
        "data_url": f"{reverse('cockpit_data')}?{urlencode({'scope': str(scope.id), 'period': period.key})}",
        "cases_url": reverse("cockpit_cases"), "computed_at": computed_at(),
        "parent": _parent_scope(scope, scopes), "texts": texts(), "reports_url": _reports_url(),
    })


def _reports_url() -> str:
    try:
        return reverse("cockpit_reports")
    except NoReverseMatch:
        return ""


def _parent_scope(scope: Scope, scopes: list[Scope]) -> Scope | None:
    if scope.area is None or scope.area.parent_id is None:
        return None
    for s in scopes:
        if (s.area is not None and s.area.pk == scope.area.parent_id) or (
                s.id == CITY_SCOPE and scope.level == Level.DISTRICT):
            return s
    return None


@login_required
@replica_reads  # the rollups and areas from the read replica when there is one (ops/replica.py)
def cockpit_data(request: HttpRequest) -> HttpResponse:
    """Every chart's data in one response, read from the rollups (docs/cockpit.md).  The figures of a scope
    and period are the same for every reader allowed that scope: they are cached until the rollup changes;
    the parts read through the reader's own scope (the risk map, indicators, warnings, hot issues) are not."""
    user = current_user(request)
    try:
        scope, period = _read(request)
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    at = computed_at()
    key = f"cockpit-figures:{scope.id}:{period.key}:{period.start}:{at.isoformat() if at else '-'}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures(scope, period, at)
        cache.set(key, figures, FIGURES_TTL)
    body = {**figures, **extras.gather(user, scope, period)}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


FIGURES_TTL = 600


def _figures(scope: Scope, period: Period, at: dt.datetime | None) -> dict[str, Any]:
    child_dim = CHILD_DIM[scope.level]  # type: ignore[index]
    return {
        "scope": {"id": scope.id, "name": scope.name, "level": scope.level},
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "by_day": selectors.by_day(period)},
        "computed_at": at.isoformat() if at else None,
        "totals": selectors.totals(scope, period).as_dict(),
        "previous": selectors.totals(scope, period.previous()).as_dict(),
        "trend": {dim: _series(selectors.trend(scope, period, dim)) for dim in (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY)},
        "resolved_trend": _series(selectors.trend(scope, period, Dim.ALL, "resolved")),
        "channels": _rows(selectors.breakdown(scope, period, Dim.CHANNEL)),
        "categories": _rows(selectors.breakdown(scope, period, Dim.CATEGORY, limit=12)),
        "areas": {"dim": child_dim, "rows": _rows(selectors.breakdown(scope, period, child_dim))},
        "heat": [{"cell": c.cell, "n": c.received, "boundary": c.boundary} for c in selectors.heat(scope, period)],
        "rankings": [u.__dict__ for u in selectors.rankings(scope, period)],
        "basemap": _basemap(scope),
    }


def _series(series: selectors.Series) -> dict[str, Any]:
    return {"buckets": series.buckets, "lines": series.lines}


def _rows(rows: list[selectors.Row]) -> list[dict[str, Any]]:
    return [{"key": r.key, "label": r.label, **r.totals.as_dict()} for r in rows]


def _basemap(scope: Scope) -> dict[str, Any]:
    """The outlines of the scope's child areas (districts, streets or communities), cached for an hour."""
    key = f"cockpit-basemap-{scope.id}"
    found = cache.get(key)
    if found is None:
        areas = Area.objects.filter(level=CHILD_LEVEL[scope.level])  # type: ignore[index]
        if scope.area is not None:
            areas = areas.filter(path__startswith=f"{scope.area.path}/")
        features = [{"type": "Feature", "properties": {"name": a.name, "id": a.pk}, "geometry": a.geometry}
                    for a in areas.only("pk", "name", "geometry") if a.geometry]
        found = {"type": "FeatureCollection", "features": features}
        cache.set(key, found, 3600)
    return found


@login_required
@replica_reads  # the rollups and areas from the read replica when there is one (ops/replica.py)
def cockpit_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure: same period, scope, key and definition as the rollup."""
    user = current_user(request)
    try:
        scope, period = _read(request)
        dim = request.GET.get("dim", Dim.ALL.value) or Dim.ALL.value
        key = request.GET.get("key", "")
        measure = request.GET.get("measure", "received") or "received"
        if measure not in MEASURES:
            raise ValidationFailed(_("没有这个指标。"), fields={"measure": _("没有这个指标")})
        qs = selectors.drill(user, scope, period, dim, key, measure)
    except DomainError as error:
        return render_error(request, error)
    page = paginate(qs.select_related("category", "lead_unit", "street", "grid").order_by("-registered_at"),
                    request.GET.get("page"), PER_PAGE)
    label = ""
    if dim not in ("", Dim.ALL):
        label = selectors.labels_for(dim, [key]).get(key, key) or _("未知")
    return render(request, "cockpit/cases.html", {
        "scope": scope, "period": period, "dim": Dim(dim).label if dim in Dim.values else dim, "key_label": label,
        "measure": _(MEASURE_LABELS[measure]), "page": page,
        "back": f"{reverse('cockpit')}?{urlencode({'scope': str(scope.id), 'period': period.key})}",
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    })

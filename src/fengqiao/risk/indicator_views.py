"""The five-100% indicators page (/risk/indicators/): the six rates for the chosen period, area and unit as a
table and an ECharts bar chart, each rate below 100 % linking to what keeps it there; the units' risk-work
scores (结果运用) and their Excel export.  For risk officers, leaders and admins, scoped to the reader."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.kit.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.kit.pagination import Page, paginate, query_with
from fengqiao.kit.periods import Period
from fengqiao.risk import indicators, presenters, selectors
from fengqiao.risk.forms import PERIOD_KINDS, IndicatorForm
from fengqiao.web.views import current_user, render_error

VIEWERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})
DRILL_PAGE = 50


@dataclass
class Selection:
    user: User
    form: IndicatorForm
    start: dt.date
    end: dt.date
    period_label: str
    area: Area | None
    unit: Unit | None

    def query(self) -> str:
        params = {"period": self.form.cleaned_data.get("period") or "", "area": self.area.pk if self.area else "",
                  "unit": self.unit.pk if self.unit else ""}
        return "&".join(f"{k}={v}" for k, v in params.items() if v != "")


def _period_choices(today: dt.date) -> tuple[list[tuple[Any, Any]], dict[str, Period]]:
    """The period selector's options, grouped by kind, each valued ``kind:start`` (``month:2026-11-01``)."""
    grouped: list[tuple[Any, Any]] = []
    by_value: dict[str, Period] = {}
    for kind, label in PERIOD_KINDS:
        options = []
        for period in indicators.recent_periods(kind, today):
            value = f"{kind}:{period.start.isoformat()}"
            by_value[value] = period
            options.append((value, period.short))
        grouped.append((label, options))
    return grouped, by_value


def _units(user: User) -> list[tuple[int, str]]:
    answering = selectors.visible(user).exclude(responsible_unit__isnull=True).values("responsible_unit_id")
    offices = Q(kind=UnitKind.STREET_OFFICE, area__in=Area.objects.filter(scope.area_filter(user)).values("pk"))
    return list(Unit.objects.filter(Q(pk__in=answering) | offices, active=True).order_by("level", "code")
                .values_list("pk", "name"))


def _select(request: HttpRequest) -> Selection:
    user = current_user(request)
    if not user.role_set() & VIEWERS:
        raise PermissionDenied(_("风险指标仅供风险专员、领导和管理员查看。"))
    today = clock.today()
    periods, by_value = _period_choices(today)
    areas = [(pk, ("　" if level == Level.STREET else "") + name) for pk, name, level in
             Area.objects.filter(scope.area_filter(user), level__in=(Level.DISTRICT, Level.STREET))
             .order_by("path").values_list("pk", "name", "level")]
    form = IndicatorForm(request.GET or None, periods=periods, areas=areas, units=_units(user))
    if form.is_bound and not form.is_valid():
        fields = {name: "；".join(str(e) for e in errors) for name, errors in form.errors.items()}
        labels = "、".join(str(form.fields[n].label) for n in fields if n in form.fields)
        raise ValidationFailed(_("筛选条件有误：%(f)s。") % {"f": labels}, fields=fields)
    data = form.cleaned_data if form.is_bound else {}
    value = data.get("period") or f"month:{today.replace(day=1).isoformat()}"
    period = by_value[value]
    if not form.is_bound:
        form = IndicatorForm({"period": value}, periods=periods, areas=areas, units=_units(user))
        form.is_valid()
    area = Area.objects.filter(pk=data["area"]).first() if data.get("area") else None
    unit = Unit.objects.filter(pk=data["unit"]).first() if data.get("unit") else None
    return Selection(user, form, period.start, period.end, period.short, area, unit)


def _rows(sel: Selection, ind: indicators.Indicators) -> list[dict[str, Any]]:
    return [{"rate": r, "shortfall": str(indicators.SHORTFALL[r.key]), "missing": r.denominator - r.numerator,
             "drill": f"{reverse('risk_indicator_drill', args=[r.key])}?{sel.query()}" if r.short else ""}
            for r in ind.rates()]


@login_required
def indicator_page(request: HttpRequest) -> HttpResponse:
    try:
        sel = _select(request)
    except (PermissionDenied, ValidationFailed) as e:
        return render_error(request, e)
    ind = indicators.compute(sel.user, sel.start, sel.end, area=sel.area, unit=sel.unit)
    scores = indicators.unit_scores(sel.user, sel.start, sel.end, area=sel.area) if sel.unit is None else []
    chart = {"labels": [r.label for r in ind.rates()],
             "values": [r.percent for r in ind.rates()],
             "title": _("五个100%与化解率（%）"), "none": _("无数据")}
    return render(request, "risk/indicators.html", {
        "sel": sel, "form": sel.form, "ind": ind, "rows": _rows(sel, ind), "chart": chart, "scores": scores,
        "query": sel.query(), "end_shown": sel.end - dt.timedelta(days=1),
        "penalty": indicators.OVERDUE_PENALTY, "consolidation_days": indicators.CONSOLIDATION_DAYS,
    })


@login_required
def indicator_drill(request: HttpRequest, key: str) -> HttpResponse:
    """What keeps one indicator below 100 %: the entries (or, for screening, the grids)."""
    try:
        if key not in indicators.KEYS:
            raise NotFound(_("没有这项指标：%(key)s") % {"key": key})
        sel = _select(request)
    except (NotFound, PermissionDenied, ValidationFailed) as e:
        return render_error(request, e)
    rows: list[dict[str, Any]] = []
    grids: list[tuple[Any, Any]] = []
    if key == "screening":
        missing = indicators.unscreened(indicators.grids(sel.user, area=sel.area, unit=sel.unit), sel.start, sel.end)
        number = _page_number(request.GET.get("page"), len(missing), DRILL_PAGE)
        grids = missing[(number - 1) * DRILL_PAGE:number * DRILL_PAGE]
        page = Page(items=grids, number=number, per_page=DRILL_PAGE, total=len(missing), total_capped=False)
    else:
        qs = indicators.shortfall(key, sel.user, sel.start, sel.end, area=sel.area, unit=sel.unit)
        page = paginate(qs, request.GET.get("page"), DRILL_PAGE)
        rows = [{"entry": e, "tone": presenters.GRADE_TONES.get(e.grade, "grey"), "area": presenters.area_name(e),
                 "overdue": presenters.overdue(e)} for e in page.items]
    return render(request, "risk/indicator_drill.html", {
        "sel": sel, "key": key, "label": indicators.LABELS[key], "shortfall": indicators.SHORTFALL[key],
        "page": page, "rows": rows, "grids": grids, "query": sel.query(),
        "end_shown": sel.end - dt.timedelta(days=1),
        "prev_query": query_with(request.GET, page=str(page.previous_number)),
        "next_query": query_with(request.GET, page=str(page.next_number)),
    })


def _page_number(value: str | None, total: int, per_page: int) -> int:
    try:
        number = max(1, int(value or 1))
    except ValueError:
        number = 1
    return min(number, max(1, -(-total // per_page)))


def _pct(rate: indicators.Rate) -> float | None:
    return None if rate.rate is None else round(rate.rate, 4)


@login_required
def indicator_export(request: HttpRequest) -> HttpResponse:
    """The units' risk-work scores as an Excel workbook (结果运用: the unit assessment reads it)."""
    try:
        sel = _select(request)
    except (PermissionDenied, ValidationFailed) as e:
        return render_error(request, e)
    scores = indicators.unit_scores(sel.user, sel.start, sel.end, area=sel.area)
    total = indicators.compute(sel.user, sel.start, sel.end, area=sel.area)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("单位风险工作得分")
    scope_name = sel.area.name if sel.area else _("全部辖区")
    ws.append([_("重大风险清单 单位风险工作得分（结果运用）"), f"{scope_name} · {sel.period_label}"])
    ws.append([_("统计期间"), f"{sel.start.isoformat()} — {(sel.end - dt.timedelta(days=1)).isoformat()}",
               _("生成时间"), f"{clock.localtime():%Y-%m-%d %H:%M}"])
    head = [_("单位"), *[str(indicators.LABELS[k]) for k in indicators.KEYS],
            *[_("%(l)s 分子/分母") % {"l": indicators.LABELS[k]} for k in indicators.KEYS],
            _("复核逾期"), _("本期新增风险"), _("得分")]
    ws.append(head)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6EDF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for s in [*scores, None]:
        ind = total if s is None else s.indicators
        name = _("合计") if s is None else s.unit.name
        ws.append([name, *[_pct(r) for r in ind.rates()],
                   *[f"{r.numerator}/{r.denominator}" for r in ind.rates()], ind.overdue_reviews, ind.opened,
                   ind.score])
    for row in ws.iter_rows(min_row=4, min_col=2, max_col=1 + len(indicators.KEYS)):
        for cell in row:
            cell.number_format = "0.0%"
    ws.column_dimensions["A"].width = 28
    ws.freeze_panes = "B4"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="risk-scores-{sel.start.isoformat()}.xlsx"'
    return response

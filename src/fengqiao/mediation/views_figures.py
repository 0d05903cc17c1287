"""调解统计 /mediation/figures/: success rates by kind, area (district → street) and mediator, the monthly
trend, workload, ratings and durations, for the reader's area or organisation (pool_access.figures_scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from fengqiao.analytics.formula import parse_month
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, ValidationFailed
from fengqiao.mediation import figures
from fengqiao.mediation.models import MediationKind
from fengqiao.mediation.pool_access import districts_for, figures_scope
from fengqiao.web.views import current_user, render_error

MAX_MONTHS = 36
CHARTED_MEDIATORS = 30


def _month(params: QueryDict, name: str, default: dt.date, errors: dict[str, str]) -> dt.date:
    text = str(params.get(name, "")).strip()
    if not text:
        return default
    try:
        return parse_month(text)
    except ValueError:
        label = _("起始月份") if name == "from" else _("截止月份")
        errors[name] = _("%(field)s「%(value)s」的月份格式应为 YYYY-MM") % {"field": label, "value": text[:20]}
        return default


def back_months(month: dt.date, n: int) -> dt.date:
    for _i in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def parse_filters(params: QueryDict) -> figures.Filters:
    """``from``/``to`` (YYYY-MM; the last 12 months by default), ``district`` (code), ``kind`` (code)."""
    errors: dict[str, str] = {}
    this_month = clock.today().replace(day=1)
    end = _month(params, "to", this_month, errors)
    start = _month(params, "from", back_months(end, 11), errors)
    if "to" not in errors and end > this_month:
        errors["to"] = _("截止月份不能晚于本月")
    if not errors and start > end:
        errors["from"] = _("起始月份不能晚于截止月份")
    if not errors and len(figures.Filters(start, end).months) > MAX_MONTHS:
        errors["from"] = _("一次最多统计 %(n)s 个月") % {"n": MAX_MONTHS}
    district_code, kind_code = str(params.get("district", "")).strip(), str(params.get("kind", "")).strip()
    district = Area.objects.filter(code=district_code, level=Level.DISTRICT).first() if district_code else None
    if district_code and district is None:
        errors["district"] = _("区县：没有编码为「%(v)s」的区县") % {"v": district_code[:20]}
    kind = MediationKind.objects.filter(code=kind_code).first() if kind_code else None
    if kind_code and kind is None:
        errors["kind"] = _("调解类型：没有「%(v)s」这一类型") % {"v": kind_code[:20]}
    if errors:
        raise ValidationFailed(_("统计条件有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    return figures.Filters(start=start, end=end, district=district, kind=kind)


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _bars(rows: list[figures.Row]) -> dict[str, Any]:
    return {"names": [r.label for r in rows], "keys": [r.key for r in rows], "rate": [pct(r.rate) for r in rows],
            "concluded": [r.concluded for r in rows]}


def chart_data(found: figures.Figures) -> dict[str, Any]:
    """What the page's charts draw (ECharts in static/mediation/figures.js), labels translated here."""
    charted = found.by_mediator[:CHARTED_MEDIATORS]
    return {
        "trend": {"months": [f"{p.month:%Y-%m}" for p in found.trend], "rate": [pct(p.rate) for p in found.trend],
                  "concluded": [p.concluded for p in found.trend], "applied": [p.applied for p in found.trend]},
        "kind": _bars(found.by_kind), "area": {**_bars(found.by_area), "drill": found.area_level == Level.DISTRICT},
        "mediator": {**_bars(charted), "units": [r.extra.get("unit", "") for r in charted]},
        "workload": {"names": [w.name for w in found.workload], "open": [w.open for w in found.workload],
                     "max": [w.max_load for w in found.workload]},
        "ratings": found.ratings,
        "labels": {"rate": _("成功率"), "concluded": _("办结"), "applied": _("受理申请"), "open": _("在办"),
                   "max": _("上限"), "stars": _("星"), "count": _("件数"), "cases": _("件")},
    }


@login_required
@require_GET
def mediation_figures(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        scope = figures_scope(user)
        filters = parse_filters(request.GET)
    except DomainError as error:
        return render_error(request, error)
    found = figures.figures(scope, filters)
    rated = sum(found.ratings)
    return render(request, "mediation/pool/figures.html", {
        "f": found, "filters": filters, "chart": chart_data(found), "rated": rated,
        "from_text": f"{filters.start:%Y-%m}", "to_text": f"{filters.end:%Y-%m}",
        "districts": districts_for(user), "kinds": MediationKind.objects.filter(active=True),
        "min_ranked": figures.MIN_RANKED, "ratings": list(zip(range(1, 6), found.ratings, strict=True)),
        "area_label": (pgettext("by area", "区县") if found.area_level == Level.DISTRICT
                       else pgettext("by area", "镇街")),
    })

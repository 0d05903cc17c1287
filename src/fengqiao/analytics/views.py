"""The ranking page (/ranking/), its Excel export, and the appeals page.  Reads ``UnitMonth`` only."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.analytics import appeals, excel, rollup, selectors
from fengqiao.analytics.formula import next_month, parse_month, previous_month
from fengqiao.analytics.models import Appeal, AppealKind, AppealStatus, RollupMonth
from fengqiao.jurisdictions.scope import units_of
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, ValidationFailed


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error}, status=error.status)


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month") or request.POST.get("month")
    if not text:
        return clock.today().replace(day=1)
    try:
        return parse_month(text)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"month": _("月份格式应为 YYYY-MM")}) from None


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        seen = selectors.viewer(user)
        month = _month(request)
    except DomainError as error:
        return _error(request, error)
    rows = list(selectors.rows_for(user, month))
    state = RollupMonth.objects.filter(month=month).select_related("formula").first()
    listed, ranked = selectors.total_units(month)
    charted = [r for r in rows if r.rank is not None][:40]  # the ranked units, in rank order
    points = selectors.trend(user, month)
    trend: dict[str, Any] = {
        "months": [f"{p.month:%Y-%m}" for p in points],
        "response": [_pct(p.response) for p in points],
        "resolution": [_pct(p.resolution) for p in points],
        "satisfaction": [_pct(p.satisfaction) for p in points],
        "cases": [p.cases for p in points],
    }
    chart: dict[str, Any] = {
        "units": [r.unit.short_name or r.unit.name for r in charted],
        "score": [r.score for r in charted],
        "response": [_pct(r.response_rate) for r in charted],
        "resolution": [_pct(r.resolution_rate) for r in charted],
        "satisfaction": [_pct(r.satisfaction_rate) for r in charted],
    }
    labels = {"score": _("得分"), "response": _("响应率"), "resolution": _("解决率"), "satisfaction": _("满意率"),
              "cases": _("交办件")}
    chart["labels"] = labels
    trend["labels"] = labels
    return render(request, "analytics/ranking.html", {
        "month": month, "month_text": f"{month:%Y-%m}", "rows": rows, "state": state,
        "prev_month": f"{previous_month(month):%Y-%m}", "next_month": f"{next_month(month):%Y-%m}",
        "listed": listed, "ranked": ranked, "chart": chart, "own_only": seen.own_units_only, "trend": trend,
        "is_office": appeals.is_office(user), "formula": state.formula if state else rollup.formula_for(month),
    })


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        selectors.viewer(user)
        month = _month(request)
    except DomainError as error:
        return _error(request, error)
    body = excel.workbook(month, selectors.rows_for(user, month))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ranking-{month:%Y-%m}.xlsx"'
    return response


@login_required
@require_POST
def ranking_refresh(request: HttpRequest) -> HttpResponse:
    """The assessment office recomputes a month now (the hourly job does it anyway)."""
    user = _user(request)
    try:
        month = _month(request)
        if not appeals.is_office(user):
            raise NotFound(_("没有这个页面。"))
    except DomainError as error:
        return _error(request, error)
    state = rollup.compute_month(month)
    messages.success(request, _("%(month)s 考核排名已重新计算（%(units)s 个单位，%(seconds)s 秒）。")
                     % {"month": f"{month:%Y-%m}", "units": state.units, "seconds": f"{state.seconds:.1f}"})
    return redirect(f"/ranking/?month={month:%Y-%m}")


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = appeals.is_office(user)
    own_units = units_of(user, Role.HANDLER)
    if not office and not own_units:
        return _error(request, NotFound(_("申诉只对各单位承办人和考核办开放。")))
    context: dict[str, Any] = {"kinds": AppealKind.choices, "office": office, "can_file": bool(own_units),
                               "form": {}, "errors": {}}
    if request.method == "POST":
        try:
            if "decide" in request.POST:
                appeals.decide_appeal(user, int(request.POST.get("appeal", "0") or 0),
                                      approve=request.POST["decide"] == "approve",
                                      note=request.POST.get("note", ""))
                messages.success(request, _("申诉已审核。"))
            else:
                appeal = appeals.file_appeal(user, request.POST.get("case", ""), kind=request.POST.get("kind", ""),
                                             reason=request.POST.get("reason", ""))
                messages.success(request, _("已提交案件 %(code)s 的申诉，等待考核办审核。")
                                 % {"code": appeal.case.code})
            return redirect("appeal_list")
        except DomainError as error:
            context.update(error=error, form=request.POST, errors=error.fields)
    shown = Appeal.objects.select_related("case", "unit", "filed_by", "decided_by").order_by("-filed_at")
    if not office:
        shown = shown.filter(unit_id__in=own_units)
    context["pending"] = list(shown.filter(status=AppealStatus.PENDING)[:200])
    context["decided"] = list(shown.exclude(status=AppealStatus.PENDING)[:50])
    return render(request, "analytics/appeals.html", context,
                  status=context["error"].status if "error" in context else 200)


"""个案补贴 /mediation/subsidies/: a month's statement per mediator, the total, one mediator's cases, the
schedule; /mediation/subsidies/export.xlsx the same as a workbook.  Scoped by pool_access.subsidy_scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.analytics.formula import next_month, parse_month, previous_month
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, ValidationFailed
from fengqiao.mediation import subsidies
from fengqiao.mediation.models import Difficulty, Mediation, Mediator
from fengqiao.mediation.pool_access import subsidy_scope
from fengqiao.mediation.subsidy_excel import workbook
from fengqiao.web.views import current_user, render_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_month_param(params: QueryDict) -> dt.date:
    """``month`` (YYYY-MM): last month by default (statements are for months that have ended)."""
    this_month = clock.today().replace(day=1)
    text = params.get("month", "").strip()
    if not text:
        return previous_month(this_month)
    try:
        month = parse_month(text)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"month": _("月份格式应为 YYYY-MM")}) from None
    if month > this_month:
        raise ValidationFailed(_("%(m)s 还没有到，没有补贴可结算。") % {"m": text}, fields={"month": _("不能晚于本月")})
    return month


def parse_mediator(params: QueryDict, scope: Q) -> Mediator | None:
    """``mediator`` (an id): one mediator's cases — only one whose lines the reader may see."""
    text = params.get("mediator", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationFailed(_("调解员编号应为数字。"), fields={"mediator": _("应为数字")})
    mediator = Mediator.objects.select_related("unit").filter(pk=int(text)).first()
    if mediator is None or not Mediation.objects.filter(scope, mediator=mediator).exists():
        raise NotFound(_("没有这位调解员的补贴记录，或不在您的查看范围内。"))
    return mediator


def _query(request: HttpRequest) -> tuple[Q, dt.date, Mediator | None]:
    """The reader's scope, the month and the mediator asked for — the page's and the workbook's alike."""
    scope = subsidy_scope(current_user(request))
    return scope, parse_month_param(request.GET), parse_mediator(request.GET, scope)


@login_required
@require_GET
def subsidy_statements(request: HttpRequest) -> HttpResponse:
    try:
        scope, month, mediator = _query(request)
    except DomainError as error:
        return render_error(request, error)
    statement = subsidies.statement(scope, month)
    lines = list(subsidies.lines(scope, month, mediator_id=mediator.pk)) if mediator else []
    this_month = clock.today().replace(day=1)
    return render(request, "mediation/pool/subsidies.html", {
        "s": statement, "month": month, "month_text": f"{month:%Y-%m}", "mediator": mediator, "lines": lines,
        "lines_total": sum((line.amount for line in lines), Decimal(0)),
        "mine": mediator and next((r for r in statement.rows if r.mediator_id == mediator.pk), None),
        "difficulties": Difficulty.choices, "schedule": subsidies.schedule_table(),
        "prev_month": f"{previous_month(month):%Y-%m}",
        "next_month": f"{next_month(month):%Y-%m}" if next_month(month) <= this_month else "",
    })


@login_required
@require_GET
def subsidy_export(request: HttpRequest) -> HttpResponse:
    try:
        scope, month, mediator = _query(request)
    except DomainError as error:
        return render_error(request, error)
    mediator_id = mediator.pk if mediator else None
    body = workbook(subsidies.statement(scope, month, mediator_id=mediator_id),
                    subsidies.lines(scope, month, mediator_id=mediator_id))
    suffix = f"-{mediator_id}" if mediator_id else ""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="subsidies-{month:%Y-%m}{suffix}.xlsx"'
    return response

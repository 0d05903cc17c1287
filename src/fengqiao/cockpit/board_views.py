"""/board/: the public board (公开监督), no login; rate-limited per client, its figures cached (``board``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.cockpit import board
from fengqiao.kit.errors import DomainError
from fengqiao.kit.throttle import TooManyRequests, hit
from fengqiao.ops.replica import replica_reads

RATE = "60/m"  # page views per client address and minute


@require_GET
@replica_reads  # the rollups from the read replica when there is one (ops/replica.py)
def public_board(request: HttpRequest) -> HttpResponse:
    try:
        hit(request, group="cockpit-board", rate=RATE, message=_("访问过于频繁，请一分钟后再试。"))
        period_key, period = board.board_period(request.GET.get("period"))
        scope = board.board_scope(request.GET.get("district"))
    except DomainError as e:
        response = render(request, "cockpit/board/board.html", {"error": e, "periods": board.PERIODS},
                          status=e.status)
        if isinstance(e, TooManyRequests):
            response["Retry-After"] = str(e.retry_after)
        return response
    found = board.build(scope, period_key, period)
    return render(request, "cockpit/board/board.html", {
        "b": found, "periods": board.PERIODS, "chart": board.chart_data(found), "min_cases": board.MIN_CASES,
        "district": scope.area.code if scope.area else "",
    })

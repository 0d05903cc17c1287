"""The coverage pages: /coverage/ (a month's map, chart, blind spots) and /coverage/campaigns/ (campaigns)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.analytics.formula import next_month, parse_month, previous_month
from fengqiao.gridwork import coverage_access as access
from fengqiao.gridwork import coverage_campaigns as campaigns
from fengqiao.gridwork import coverage_maps as maps
from fengqiao.gridwork.coverage import GridCoverage, MonthCoverage, month_coverage, overdue_places, threshold
from fengqiao.gridwork.models import PlaceKind, TeamMember, TeamRole
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.jurisdictions.scope import area_filter
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, ValidationFailed
from fengqiao.web.views import current_user

BLIND_PLACES_SHOWN = 8
BEHIND_SHOWN = 40  # grids listed on a campaign's page, the furthest behind first


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error}, status=error.status)


def parse_month_param(text: str | None) -> dt.date:
    """``?month=YYYY-MM`` (this month when absent); a 400 naming the field when malformed or in the future."""
    this_month = clock.today().replace(day=1)
    if not text:
        return this_month
    try:
        month = parse_month(text)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"month": _("月份格式应为 YYYY-MM")}) from None
    if month > this_month:
        raise ValidationFailed(_("%(month)s 还没有到，没有巡查数据。") % {"month": text.strip()},
                               fields={"month": _("不能晚于本月")})
    return month


def _child_level(area: Area | None) -> Level:
    if area is None or area.level in (Level.CITY, Level.DISTRICT):
        return Level.STREET
    return Level.COMMUNITY if area.level == Level.STREET else Level.GRID


def _crumbs(user: User, area: Area | None) -> list[Area]:
    if area is None:
        return []
    parts = area.path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return list(Area.objects.filter(area_filter(user), path__in=prefixes).order_by("path"))


def _workers(grid_ids: list[int]) -> dict[int, list[str]]:
    """Each grid's grid workers: its team's (gridwork.TeamMember), then accounts holding the grid."""
    names: dict[int, list[str]] = defaultdict(list)
    for grid_id, name in (TeamMember.objects.filter(grid_id__in=grid_ids, role=TeamRole.GRID_WORKER, active=True)
                          .order_by("name").values_list("grid_id", "name")):
        names[grid_id].append(name)
    for grid_id, display, username in (Membership.objects.filter(role=Role.GRID_WORKER, area_id__in=grid_ids)
                                       .order_by("user__username")
                                       .values_list("area_id", "user__display_name", "user__username")):
        if (display or username) not in names[grid_id]:
            names[grid_id].append(display or username)
    return names


def _blind_spots(result: MonthCoverage) -> list[dict[str, Any]]:
    blind = result.blind_spots()
    ids = [g.grid_id for g in blind]
    places = overdue_places(result, ids)
    workers = _workers(ids)
    kinds = dict(PlaceKind.choices)
    shown = []
    for grid in blind:
        overdue = places.get(grid.grid_id, [])
        shown.append({"grid": grid, "workers": workers.get(grid.grid_id, []),
                      "more": max(0, len(overdue) - BLIND_PLACES_SHOWN),
                      "places": [(p, kinds.get(p.kind, p.kind)) for p in overdue[:BLIND_PLACES_SHOWN]]})
    return shown


def _rows(result: MonthCoverage, level: Level) -> list[Any]:
    return list(result.grids) if level == Level.GRID else result.by(level)


def _map(user: User, result: MonthCoverage, month_text: str) -> dict[str, Any] | None:
    if len(result.grids) <= maps.MAP_GRID_LIMIT:
        grids: list[GridCoverage] = result.grids
        return maps.area_map(grids, Area.objects.filter(level=Level.GRID, pk__in=[g.grid_id for g in grids]),
                             level=Level.GRID, threshold=result.threshold, blind=[int(g.blind) for g in grids])
    streets = result.by(Level.STREET)
    return maps.area_map(streets, Area.objects.filter(area_filter(user), level=Level.STREET), level=Level.STREET,
                         threshold=result.threshold, blind=[s.blind for s in streets],
                         drill=f"{reverse('coverage')}?month={month_text}&area=")


@login_required
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        access.check_viewer(user)
        month = parse_month_param(request.GET.get("month"))
        area = access.focus(user, request.GET.get("area"))
    except DomainError as error:
        return _error(request, error)
    result = month_coverage(month, access.reachable_grids(user, area))
    month_text = f"{month:%Y-%m}"
    level = _child_level(area)
    rows = _rows(result, level)
    local = area is not None and area.level in (Level.STREET, Level.COMMUNITY, Level.GRID)
    return render(request, "gridwork/coverage.html", {
        "month": month, "month_text": month_text, "area": area, "crumbs": _crumbs(user, area), "result": result,
        "total": result.total(), "level": level, "level_label": Level(level).label, "rows": rows,
        "drillable": level != Level.GRID, "map": _map(user, result, month_text),
        "chart": maps.bars(rows, result.threshold), "blind": _blind_spots(result) if local else None,
        "threshold_pct": round(result.threshold * 100), "street_leader": access.is_street_leader(user),
        "prev_month": f"{previous_month(month):%Y-%m}",
        "next_month": f"{next_month(month):%Y-%m}" if next_month(month) <= clock.today() else "",
    })


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        access.check_viewer(user)
    except DomainError as error:
        return _error(request, error)
    grids = access.reachable_grids(user)
    found = [campaigns.summary(c, grids) for c in access.visible_campaigns(user)[:100]]
    charted = [c for c in found if c.targets][:30]
    chart = {"names": [c.campaign.name for c in charted],
             "values": [maps.pct(c.coverage) for c in charted],
             "planned": [c.targets for c in charted], "visited": [c.visited for c in charted],
             "threshold": maps.pct(threshold()), "labels": maps.labels(threshold())}
    return render(request, "gridwork/coverage_campaigns.html", {"campaigns": found, "chart": chart,
                                                                "threshold": threshold()})


@login_required
@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        access.check_viewer(user)
        campaign = access.visible_campaigns(user).filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound(_("没有这个专项行动，或它不在您的辖区内。"))
    except DomainError as error:
        return _error(request, error)
    grids = access.reachable_grids(user)
    result = campaigns.campaign_coverage(campaign, grids)
    limit = threshold()
    by_street = len(result.streets) > 1
    rows = result.streets if by_street else [g for g in result.grids if g.planned]
    shown_grids = result.grids
    if len(shown_grids) <= maps.MAP_GRID_LIMIT:
        the_map = maps.area_map(shown_grids, Area.objects.filter(level=Level.GRID), level=Level.GRID,
                                threshold=limit, blind=[0] * len(shown_grids))
    else:
        the_map = maps.area_map(result.streets, Area.objects.filter(area_filter(user), level=Level.STREET),
                                level=Level.STREET, threshold=limit, blind=[0] * len(result.streets))
    behind = sorted((g for g in result.grids if g.planned and g.visited < g.planned),
                    key=lambda g: (g.coverage or 0.0, -g.planned, g.name))
    return render(request, "gridwork/coverage_campaign.html", {
        "c": result, "campaign": campaign, "map": the_map, "chart": maps.bars(rows, limit), "by_street": by_street,
        "behind": behind[:BEHIND_SHOWN], "behind_count": len(behind), "threshold": limit,
        "kinds": [dict(PlaceKind.choices).get(k, k) for k in campaign.place_kinds],
        "role": TeamRole(campaign.team_role).label,
    })


"""A grid's page (/grids/<code>/): map, team, patrol plan, recent visits, open cases; the audited reveal of
the team's phones; and the teams' completeness list (/grids/teams/) for leaders and dispatchers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from fengqiao.gridwork import grid_reads, households, teams
from fengqiao.gridwork.models import TeamRole
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError
from fengqiao.web.views import current_user, is_partial, render_error

GAPS_PER_PAGE = 100


def _ancestors(grid: Area) -> list[Area]:
    chain = []
    node = grid.parent
    while node is not None and node.parent_id is not None:  # up to the district (not the city)
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def _map(request: HttpRequest, grid: Area, rows: list[grid_reads.PlanRow]) -> dict[str, Any] | None:
    data = grid_reads.grid_map(grid, rows)
    if data is None:
        return None
    user = current_user(request)
    codes = [f["properties"].get("code") for f in data["geojson"]["features"][1:]]
    reach = scope.reach_of(user)
    allowed = set(codes) if reach.everything else set(
        Area.objects.filter(scope.area_filter(user), code__in=codes).values_list("code", flat=True))
    for feature in data["geojson"]["features"][1:]:
        if feature["properties"]["code"] in allowed:
            feature["properties"]["url"] = f"/grids/{feature['properties']['code']}/"
    return data


def _page(request: HttpRequest, grid: Area, team: teams.Team, *, status: int = 200) -> HttpResponse:
    user = current_user(request)
    role = households.full_view_role(user, grid)  # the grid's worker, its team, administrators
    rows = grid_reads.plan(grid, full=role is not None)
    visits = grid_reads.recent_visits(user, grid, full=role is not None)
    listed = households.has_households([r.place for r in rows] + [v.visit.place for v in visits])
    if role is not None and listed:
        households.record_full_view(user, role, grid, purpose="网格页：重点户",
                                    ip_address=request.META.get("REMOTE_ADDR"))
    cases, open_count = grid_reads.open_cases(user, grid)
    context = {
        "grid": grid,
        "ancestors": _ancestors(grid),
        "team": team,
        "can_reveal": teams.may_reveal(user, grid),
        "plan": rows,
        "kinds": grid_reads.by_kind(rows),
        "overdue": sum(r.overdue for r in rows),
        "visits": visits,
        "households_masked": listed and role is None,
        "counts": grid_reads.visit_counts(grid),
        "cases": cases,
        "open_count": open_count,
        "map": _map(request, grid, rows),
        "now": clock.now(),
    }
    return render(request, "gridwork/grid.html", context, status=status)


@login_required
def grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    try:
        grid = teams.access_grid(user, code)
    except DomainError as e:
        return render_error(request, e)
    return _page(request, grid, teams.team(grid))


@login_required
@require_POST
def grid_team_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """显示完整电话: the team's phones in full, for a role that may call them; every reveal is audited."""
    user = current_user(request)
    try:
        grid = teams.access_grid(user, code)
        team = teams.team(grid, viewer=user, reveal=True, ip_address=request.META.get("REMOTE_ADDR"))
    except DomainError as e:
        if is_partial(request):
            return render(request, "web/_error_inline.html", {"error": e}, status=e.status)
        return render_error(request, e)
    if is_partial(request):
        return render(request, "gridwork/grid_team.html", {"grid": grid, "team": team, "can_reveal": True})
    return _page(request, grid, team)


@login_required
def grid_teams(request: HttpRequest) -> HttpResponse:
    """网格团队配备: how many grids of the reader's area lack each team role, and which."""
    user = current_user(request)
    role = request.GET.get("role", "")
    try:
        report = teams.completeness(user, role=role)
    except DomainError as e:
        return render_error(request, e)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * GAPS_PER_PAGE
    labels = {k: str(v) for k, v in TeamRole.choices}
    context = {
        "report": report,
        "incomplete": report.grids - report.complete,
        "role": role,
        "role_label": labels.get(role, ""),
        "roles": [(r.value, labels[r.value], report.lacking[r.value]) for r in teams.TEAM_ORDER],
        "gaps": [(g, [labels[m] for m in g.missing]) for g in report.gaps[start:start + GAPS_PER_PAGE]],
        "page": page,
        "has_next": start + GAPS_PER_PAGE < len(report.gaps),
        "first": start + 1,
        "last": min(start + GAPS_PER_PAGE, len(report.gaps)),
    }
    return render(request, "gridwork/grid_teams.html", context)

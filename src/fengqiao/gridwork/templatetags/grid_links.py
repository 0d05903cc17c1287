"""Ways into a grid's page from elsewhere: the grid's name on the case page (``{% grid_link %}``), a grid
worker's own grids in her inbox (``{% my_grid_links %}``), the teams' completeness list in the main
navigation (``{% grid_teams_nav_link %}``), and the grid team's mediator and lawyer in the dispatch form
(``{% team_dispatch_options %}``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case
from fengqiao.gridwork import teams
from fengqiao.gridwork.patrol_reads import patrol_grids
from fengqiao.jurisdictions.models import Area
from fengqiao.kit.nav import nav_link

register = template.Library()
MY_GRIDS = 6  # links in the inbox at most (a worker covering a whole community has more grids)


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def grid_link(context: dict[str, Any], grid: Area | None) -> SafeString | str:
    """The grid's name, linked to its page when the reader may open it."""
    if grid is None:
        return "—"
    user = _user(context)
    if user is None or not teams.can_open(user, grid):
        return grid.name
    return format_html('<a href="{}" class="grid-link">{}</a>', reverse("grid_detail", args=[grid.code]), grid.name)


@register.simple_tag(takes_context=True)
def my_grid_links(context: dict[str, Any]) -> SafeString | str:
    """我的网格: links to the grids of a grid worker's memberships (her grid's page: team, plan, cases)."""
    user = _user(context)
    if user is None or Role.GRID_WORKER not in user.role_set():
        return ""
    grids = list(patrol_grids(user)[: MY_GRIDS + 1])
    if not grids:
        return ""
    links = format_html_join(" ", '<a class="btn ghost small" href="{}">{}</a>',
                             ((reverse("grid_detail", args=[g.code]), g.name) for g in grids[:MY_GRIDS]))
    return format_html('<p class="my-grids"><span class="muted small">{}</span> {}</p>', _("我的网格："), links)


@register.simple_tag(takes_context=True)
def grid_teams_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = _user(context)
    if request is None or user is None or not teams.can_view_gaps(user):
        return ""
    return nav_link(request, reverse("grid_teams"), _("网格团队"))


@register.simple_tag(takes_context=True)
def team_dispatch_options(context: dict[str, Any], case: Case) -> SafeString | str:
    """For a dispute in a grid: its team's mediator's and lawyer's units as one-click lead-unit choices."""
    options = teams.dispatch_options(case)
    if not options:
        return ""
    return render_to_string("gridwork/grid_dispatch_options.html", {"options": options},
                            request=context.get("request"))

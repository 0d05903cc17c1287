"""Who may read coverage, and which grids and campaigns she reads (DESIGN rule 4: through jurisdictions.scope).

Leaders, dispatchers and risk officers read the grids of their area (a street's leader: her street's); the
administrators read the city.  Grid workers, handlers and citizens do not: a grid worker has her patrol app.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.gridwork.models import Campaign
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.jurisdictions.scope import NOTHING, area_filter, reach_of
from fengqiao.kit.errors import NotFound, PermissionDenied

VIEWER_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.RISK_OFFICER})


def check_viewer(user: User) -> None:
    reach = reach_of(user)
    if reach.everything and (user.is_superuser or Role.ADMIN in reach.roles):
        return
    if reach.roles & VIEWER_ROLES and area_filter(user) != NOTHING:
        return
    raise PermissionDenied(_("巡查覆盖率只对领导、分拨员、风险专员和系统管理员开放，按各自辖区显示。"))


def can_view(user: User) -> bool:
    try:
        check_viewer(user)
    except PermissionDenied:
        return False
    return True


def reachable_grids(user: User, under: Area | None = None) -> QuerySet[Area]:
    """The grids the user reaches, optionally only those under one area."""
    grids = Area.objects.filter(area_filter(user), level=Level.GRID)
    if under is not None and under.level != Level.GRID:
        grids = grids.filter(path__startswith=f"{under.path}/")
    elif under is not None:
        grids = grids.filter(pk=under.pk)
    return grids


def reached_areas(user: User) -> list[Area]:
    """The top areas of the user's reach: the city for the city-wide, else her memberships' areas."""
    reach = reach_of(user)
    if reach.everything:
        return list(Area.objects.filter(level=Level.CITY).order_by("path"))
    ids = sorted(i for ids in reach.area_ids.values() for i in ids)
    areas = list(Area.objects.filter(pk__in=ids).order_by("path"))
    return [a for a in areas if not any(a.path.startswith(f"{b.path}/") for b in areas)]


def focus(user: User, code: str | None) -> Area | None:
    """The area a page looks at: ``code`` if the user reaches it (else 404), else her one top area, or None
    when she has several (the page then shows all she reaches)."""
    if code:
        found = Area.objects.filter(area_filter(user), code=code.strip()).first()
        if found is None:
            raise NotFound(_("没有编码为 %(code)s 的区域，或不在您的辖区内。") % {"code": code.strip()[:40]})
        return found
    top = reached_areas(user)
    return top[0] if len(top) == 1 else None


def is_street_leader(user: User) -> bool:
    """A leader whose membership area is a street (镇街领导): the blind spots list is hers first."""
    return user.memberships.filter(role=Role.LEADER, area__level=Level.STREET).exists()


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns whose area overlaps the user's reach: inside it, or containing a part of it (a city-wide
    drive is shown to a street's leader, counted over her street)."""
    reach = reach_of(user)
    campaigns = Campaign.objects.select_related("area").order_by("-starts_on", "name")
    if reach.everything:
        return campaigns
    above: set[str] = set()
    for area in reached_areas(user):
        parts = area.path.split("/")
        above.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return campaigns.filter(area_filter(user, field="area__") | Q(area__path__in=sorted(above)))

"""Who may read the pool, the figures and the subsidy statements, and which mediations each reads
(DESIGN rule 4; the memberships are resolved by jurisdictions.scope).

* the pool (调解专家库): every staff role — dispatchers and clerks pick mediators too; never citizens;
* the figures (调解统计): leaders their area (or their unit), mediators their organisation, admins all;
* the subsidies (个案补贴): leaders their area (or their unit), a mediator her own statement, admins all.

A mediation's area is the street of the dispute (``Mediation.area``); a leader of a district reads its
streets' mediations, a leader of a community or grid those whose case lies there.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.jurisdictions.scope import NOTHING, reach_of, units_of
from fengqiao.kit.errors import PermissionDenied

FIGURE_ROLES = frozenset({Role.LEADER, Role.MEDIATOR, Role.ADMIN})


def is_admin(user: User) -> bool:
    return user.is_superuser or Role.ADMIN in reach_of(user).roles


def check_pool_viewer(user: User) -> None:
    roles = reach_of(user).roles
    if not user.is_authenticated or not (roles - {Role.CITIZEN} or user.is_superuser):
        raise PermissionDenied(_("调解专家库只对工作人员开放；群众请在「解纷码」中选择调解员。"))


def _leader_areas(user: User) -> Q:
    """Mediations in the areas the user leads (a street's, a district's — subtrees)."""
    q = NOTHING
    rows = Membership.objects.filter(user=user, role=Role.LEADER, area__isnull=False).values_list(
        "area_id", "area__level", "area__path")
    for area_id, level, path in rows:
        if level == Level.CITY:
            return Q()
        if level == Level.STREET:
            q |= Q(area_id=area_id)
        elif level == Level.DISTRICT:  # its streets' ids: an IN list, not a join and a LIKE per row
            q |= Q(area_id__in=street_ids(path))
        elif level == Level.COMMUNITY:
            q |= Q(case__community_id=area_id)
        else:
            q |= Q(case__grid_id=area_id)
    return q


def street_ids(path: str) -> list[int]:
    """The streets under the area at ``path``."""
    return list(Area.objects.filter(level=Level.STREET, path__startswith=f"{path}/").order_by("pk")
                .values_list("pk", flat=True))


def _everything(user: User) -> bool:
    return is_admin(user) or (Role.LEADER in reach_of(user).roles and _leader_areas(user) == Q())


def figures_scope(user: User) -> Q:
    """A Q over mediations: those whose figures ``user`` may read; PermissionDenied for other roles."""
    roles = reach_of(user).roles
    if not (roles & FIGURE_ROLES or user.is_superuser):
        raise PermissionDenied(_("调解统计只对领导、调解员和系统管理员开放，按各自辖区或组织显示。"))
    if _everything(user):
        return Q()
    q = _leader_areas(user) if Role.LEADER in roles else NOTHING
    units = units_of(user, Role.MEDIATOR, Role.LEADER)
    if units:
        q |= Q(unit_id__in=sorted(units))
    if Role.MEDIATOR in roles:
        q |= Q(mediator__user=user)
    return q


def subsidy_scope(user: User) -> Q:
    """A Q over mediations: those whose subsidy lines ``user`` may read — a mediator only her own."""
    roles = reach_of(user).roles
    if not (roles & FIGURE_ROLES or user.is_superuser):
        raise PermissionDenied(_("个案补贴只对领导、调解员本人和系统管理员开放。"))
    if _everything(user):
        return Q()
    q = _leader_areas(user) if Role.LEADER in roles else NOTHING
    units = units_of(user, Role.LEADER)
    if units:
        q |= Q(unit_id__in=sorted(units))
    if Role.MEDIATOR in roles:
        q |= Q(mediator__user=user)
    return q


def districts_for(user: User) -> list[Area]:
    """The districts a figures reader may narrow to: all for the city-wide, else those of her areas and
    of her units' areas."""
    districts = Area.objects.filter(level=Level.DISTRICT).order_by("code")
    if _everything(user):
        return list(districts)
    paths = set(Membership.objects.filter(user=user, area__isnull=False).values_list("area__path", flat=True))
    paths |= set(Membership.objects.filter(user=user, unit__isnull=False).values_list("unit__area__path",
                                                                                      flat=True))
    return [d for d in districts if any(p == d.path or p.startswith(f"{d.path}/") for p in paths)]

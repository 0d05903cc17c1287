"""Reads of administrative disputes, scoped to the actor (DESIGN rule 4): area roles see the disputes
located in their area, members of a legal office (its handlers and its leader) the disputes routed to it
or located in the areas it serves, admins all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Level
from fengqiao.kit.errors import NotFound
from fengqiao.kit.records import first_or
from fengqiao.legal.models import Dispute, LegalOffice

# the dispute column that holds an area of each level
_AREA_FIELD = {
    Level.DISTRICT: "district_id",
    Level.STREET: "street_id",
    Level.COMMUNITY: "community_id",
    Level.GRID: "grid_id",
}
# Roles that may open the monitoring pages (besides a legal office's members and admins).
MONITOR_ROLES = frozenset({Role.LEADER, Role.RISK_OFFICER})
OFFICE_ROLES = (Role.HANDLER, Role.LEADER)


def office_units(user: User) -> list[int]:
    """The legal offices (units) in which ``user`` works as a handler or leads."""
    offices = set(LegalOffice.objects.filter(active=True).values_list("unit_id", flat=True))
    if not offices:
        return []
    return sorted(set(Membership.objects.filter(user=user, role__in=[r.value for r in OFFICE_ROLES],
                                                unit_id__in=sorted(offices)).values_list("unit_id", flat=True)))


def may_monitor(user: User) -> bool:
    roles = scope.reach_of(user).roles
    return user.is_superuser or Role.ADMIN in roles or bool(roles & MONITOR_ROLES) or bool(office_units(user))


def visible(user: User) -> QuerySet[Dispute]:
    """The disputes ``user`` may read."""
    reach = scope.reach_of(user)
    if reach.everything:
        return Dispute.objects.all()
    q = scope.area_columns_filter(reach, _AREA_FIELD)
    units = office_units(user)
    if units:
        q |= Q(office_id__in=units)
        served = LegalOffice.objects.filter(unit_id__in=units, active=True).values_list("area__level", "area_id")
        for level, area_id in served:
            if level == Level.CITY:
                return Dispute.objects.all()
            field = _AREA_FIELD.get(Level(level))
            if field is not None:
                q |= Q(**{field: area_id})
    return Dispute.objects.filter(q)


def access_dispute(user: User, case_code: str, *, for_update: bool = False) -> Dispute:
    """The only permission-checked loader of a dispute, by its case's code, scoped to ``user``."""
    return first_or(visible(user).filter(case__code=case_code),
                    NotFound(_("没有找到案件 %(code)s 的行政争议记录，或您无权查看。") % {"code": case_code}),
                    for_update=for_update)


def office_for(district_id: int | None) -> LegalOffice | None:
    """The legal office of a district, else the city's (the row whose area is the city)."""
    rows = LegalOffice.objects.filter(active=True).select_related("unit", "area")
    if district_id is not None:
        return (rows.filter(area_id=district_id).first()
                or rows.filter(area__level=Level.CITY, area__children=district_id).first())
    return rows.filter(area__level=Level.CITY).first()

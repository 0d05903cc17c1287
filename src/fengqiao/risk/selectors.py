"""Reads of the register, scoped to the actor (DESIGN rule 4): area roles see the entries located in
their area, unit roles (and a unit's leader) the entries their unit is responsible for, admins all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Level
from fengqiao.kit.errors import NotFound
from fengqiao.kit.records import first_or
from fengqiao.risk.models import RiskEntry

# the entry column that holds (or leads to) an area of each level
_AREA_FIELD = {
    Level.DISTRICT: "street__parent_id",
    Level.STREET: "street_id",
    Level.COMMUNITY: "community_id",
    Level.GRID: "grid_id",
}


def visible(user: User) -> QuerySet[RiskEntry]:
    """The entries ``user`` may read."""
    reach = scope.reach_of(user)
    if reach.everything:
        return RiskEntry.objects.all()
    q = scope.area_columns_filter(reach, _AREA_FIELD)
    if reach.unit_ids:
        q |= Q(responsible_unit_id__in=sorted(reach.unit_ids))
    return RiskEntry.objects.filter(q)


def access_entry(user: User, code: str, *, for_update: bool = False) -> RiskEntry:
    """The only permission-checked loader of an entry, by its code, scoped to ``user``, locked if asked."""
    return first_or(visible(user).filter(code=code),
                    NotFound(_("没有找到编号为 %(code)s 的风险，或您无权查看。") % {"code": code}),
                    for_update=for_update)

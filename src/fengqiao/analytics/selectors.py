"""Reads for the ranking page, the export and the CLI: ``UnitMonth`` rows only, scoped by the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.analytics.models import UnitMonth
from fengqiao.jurisdictions.models import Area
from fengqiao.jurisdictions.scope import area_filter, reach_of, units_of
from fengqiao.kit.errors import PermissionDenied

VIEWER_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMIN})


@dataclass(frozen=True)
class Viewer:
    """Which rows of the ranking a user sees: all units, the units in her area, or her own unit's."""

    all_units: bool
    own_units_only: bool


def viewer(user: User) -> Viewer:
    reach = reach_of(user)
    if user.is_superuser or Role.ADMIN in reach.roles:
        return Viewer(True, False)
    if reach.roles & {Role.LEADER, Role.DISPATCHER}:
        return Viewer(reach.everything, False)
    if Role.HANDLER in reach.roles:
        return Viewer(False, True)
    raise PermissionDenied("考核排名只对领导、分拨员、系统管理员和各单位承办人开放。")


def can_view(user: User) -> bool:
    try:
        viewer(user)
    except PermissionDenied:
        return False
    return True


def rows_for(user: User, month: dt.date) -> QuerySet[UnitMonth]:
    """The month's rows the user may see, ranked first (by rank), then the unranked by score."""
    seen = viewer(user)
    rows = UnitMonth.objects.filter(month=month).select_related("unit", "formula")
    if seen.own_units_only:
        rows = rows.filter(unit_id__in=units_of(user, Role.HANDLER))
    elif not seen.all_units:
        rows = rows.filter(Q(**{"unit__area__in": _areas(user)}))
    return rows.order_by("rank", "-score", "unit__code")


def _areas(user: User) -> QuerySet[Area]:
    return Area.objects.filter(area_filter(user)).only("pk")


def total_units(month: dt.date) -> tuple[int, int]:
    """(units with a row, units ranked) in the month, city-wide: the denominator of 'rank n of m'."""
    rows = UnitMonth.objects.filter(month=month)
    return rows.count(), rows.filter(rank__isnull=False).count()

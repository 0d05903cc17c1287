"""Reads for the ranking page, the export and the CLI: ``UnitMonth`` rows only, scoped by the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.analytics.formula import Counts, Weights, rates
from fengqiao.analytics.models import AssessmentFormula, UnitMonth
from fengqiao.analytics.rollup import weights_of
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
    if reach.roles & {Role.LEADER, Role.DISPATCHER} and (reach.everything or reach.area_ids):
        return Viewer(reach.everything, False)
    if reach.roles & {Role.HANDLER, Role.LEADER} and reach.unit_ids:
        return Viewer(False, True)  # a unit's handlers and its leader (局长): the unit's own rows
    raise PermissionDenied(gettext("考核排名只对领导、分拨员、系统管理员和各单位承办人开放。"))


def can_view(user: User) -> bool:
    try:
        viewer(user)
    except PermissionDenied:
        return False
    return True


def rows_for(user: User, month: dt.date) -> QuerySet[UnitMonth]:
    """The month's rows the user may see, ranked first (by rank), then the unranked by score."""
    rows = _scoped(user, UnitMonth.objects.filter(month=month).select_related("unit", "formula"))
    return rows.order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "unit__code")


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    response: float | None
    resolution: float | None
    satisfaction: float | None
    cases: int


def trend(user: User, month: dt.date, months: int = 12) -> list[TrendPoint]:
    """The three rates month by month up to ``month``, over the units the user sees (their counts summed,
    each month weighted by its own formula): the city's, her area's, or her own unit's curve."""
    first = month
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    totals: dict[dt.date, Counts] = {}
    weights: dict[dt.date, Weights] = {}
    names = ("cases", "exempted", "response_due", "responded", "resolution_due", "resolved", "satisfied",
             "basically", "unsatisfied")
    formulas: dict[int, Weights] = {}
    seen = _scoped(user, UnitMonth.objects.filter(month__gte=first, month__lte=month))
    for row in seen.values("month", "formula_id", *names).order_by():
        counts = totals.setdefault(row["month"], Counts())
        for name in names:
            setattr(counts, name, getattr(counts, name) + row[name])
        if row["formula_id"] not in formulas:
            formulas[row["formula_id"]] = weights_of(AssessmentFormula.objects.get(pk=row["formula_id"]))
        weights[row["month"]] = formulas[row["formula_id"]]
    points = []
    for when in sorted(totals):
        r = rates(totals[when], weights[when])
        points.append(TrendPoint(when, r.response, r.resolution, r.satisfaction, totals[when].cases))
    return points


def _scoped(user: User, rows: QuerySet[UnitMonth]) -> QuerySet[UnitMonth]:
    seen = viewer(user)
    if seen.own_units_only:
        return rows.filter(unit_id__in=units_of(user, Role.HANDLER, Role.LEADER))
    if not seen.all_units:
        return rows.filter(Q(**{"unit__area__in": _areas(user)}))
    return rows


def _areas(user: User) -> QuerySet[Area]:
    return Area.objects.filter(area_filter(user)).only("pk")


def total_units(month: dt.date) -> tuple[int, int]:
    """(units with a row, units ranked) in the month, city-wide: the denominator of 'rank n of m'."""
    rows = UnitMonth.objects.filter(month=month)
    return rows.count(), rows.filter(rank__isnull=False).count()

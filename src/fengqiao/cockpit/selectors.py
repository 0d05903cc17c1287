"""Reads for the cockpit, the reports and the public board: ``Fact`` rows (and the assessment's
``UnitMonth`` rows), never the case table, except the drill-down, which lists the cases behind a figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

import h3
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.analytics.formula import Counts, rates
from fengqiao.analytics.models import UnitMonth
from fengqiao.analytics.rollup import formula_for, weights_of
from fengqiao.cases.models import Case, Category, Channel, Urgency
from fengqiao.cases.selectors import category_subtree, visible_cases
from fengqiao.cockpit.models import (
    CITY_SCOPE,
    DAY_DIMS,
    DAY_DIMS_BY_LEVEL,
    MEASURES,
    STREET_ONLY_DIMS,
    Dim,
    Fact,
    Grain,
)
from fengqiao.cockpit.rollup import measure_q
from fengqiao.jurisdictions.models import Area, Level, Unit
from fengqiao.jurisdictions.scope import reach_of
from fengqiao.kit import clock, periods
from fengqiao.kit.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.kit.periods import Kind, Period

VIEWER_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.RISK_OFFICER, Role.ADMIN})
DAY_SERIES_LIMIT = 93  # a period up to a quarter is drawn by day, a longer one by month


# ---- who sees which scope ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    id: int  # CITY_SCOPE or an Area id
    name: str
    level: str
    area: Area | None = None

    def lookup(self, prefix: str = "") -> dict[str, int]:
        """Filter arguments for the rows of this scope that carry a case's district and street columns
        (``prefix="case__"`` for rows pointing to a case); nothing for the city."""
        if self.area is None:
            return {}
        return {f"{prefix}{'district_id' if self.level == Level.DISTRICT else 'street_id'}": self.id}


def _city_name() -> str:
    city = Area.objects.filter(level=Level.CITY).order_by("pk").first()
    return city.name if city else _("全市")


def scopes_for(user: User) -> list[Scope]:
    """The scopes a user may open: the city (and every district and street) for city-wide readers; else
    the districts and streets of her area roles, with the streets under her districts."""
    reach = reach_of(user)
    if not (user.is_superuser or reach.roles & VIEWER_ROLES):
        raise PermissionDenied(_("领导驾驶舱只对领导、风险管理员、分拨员和系统管理员开放。"))
    if reach.everything:
        areas = list(Area.objects.filter(level__in=[Level.DISTRICT, Level.STREET]).order_by("path"))
        return [Scope(CITY_SCOPE, _city_name(), Level.CITY), *(Scope(a.pk, a.name, a.level, a) for a in areas)]
    own = [i for level in (Level.DISTRICT, Level.STREET) for i in reach.area_ids.get(level, frozenset())]
    if not own:
        raise PermissionDenied(_("领导驾驶舱按全市、区县、镇街汇总；社区和网格的情况请在工作台查看。"))
    roots = Area.objects.filter(pk__in=own)
    q = Q(pk__in=own)
    for path in roots.values_list("path", flat=True):
        q |= Q(path__startswith=f"{path}/", level=Level.STREET)
    return [Scope(a.pk, a.name, a.level, a) for a in Area.objects.filter(q).order_by("path")]


def scope_for(user: User, scope_id: int | None) -> Scope:
    reach = reach_of(user)
    if reach.everything and (user.is_superuser or reach.roles & VIEWER_ROLES):  # one area to read, not all
        if not scope_id:
            return Scope(CITY_SCOPE, _city_name(), Level.CITY)
        area = Area.objects.filter(pk=scope_id, level__in=[Level.DISTRICT, Level.STREET]).first()
        if area is None:
            raise NotFound(_("没有这个统计范围，或您无权查看。"))
        return Scope(area.pk, area.name, area.level, area)
    allowed = scopes_for(user)
    if scope_id is None:
        return allowed[0]
    for scope in allowed:
        if scope.id == scope_id:
            return scope
    raise NotFound(_("没有这个统计范围，或您无权查看。"))


def can_view(user: User) -> bool:
    """Whether ``scopes_for`` would give the user anything (without reading the areas)."""
    reach = reach_of(user)
    if not (user.is_superuser or reach.roles & VIEWER_ROLES):
        return False
    return reach.everything or any(reach.area_ids.get(level) for level in (Level.DISTRICT, Level.STREET))


# ---- periods ------------------------------------------------------------------------------------------------

COCKPIT_KINDS = frozenset({Kind.MONTH, Kind.QUARTER, Kind.YEAR, Kind.LAST_MONTHS})


def by_day(period: Period) -> bool:
    """A period up to a quarter is drawn by day, a longer one by month."""
    return period.days <= DAY_SERIES_LIMIT


def parse_period(text: str | None, today: dt.date | None = None) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter), ``2026`` (a year), ``12m`` (the last twelve months
    to this one); the current month by default (``kit.periods``)."""
    today = today or clock.today()
    text = (text or "").strip()
    if not text:
        return periods.month(today)
    found = periods.parse(text, COCKPIT_KINDS, today)
    if found is None:
        raise ValidationFailed(_("统计期“%(text)s”无法识别：请用 2026-11、2026-Q4、2026 或 12m。") % {"text": text},
                               fields={"period": _("格式不对")})
    return found


# ---- figures ------------------------------------------------------------------------------------------------

@dataclass
class Totals:
    received: int = 0
    valid: int = 0
    resolved: int = 0
    on_time: int = 0
    due: int = 0
    overdue: int = 0
    evaluated: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    mediated: int = 0
    mediation_agreed: int = 0
    mediation_failed: int = 0

    @staticmethod
    def _rate(numerator: int, denominator: int) -> float | None:
        return round(numerator / denominator, 4) if denominator else None

    @property
    def resolution_rate(self) -> float | None:  # 办结率
        return self._rate(self.resolved, self.valid)

    @property
    def on_time_rate(self) -> float | None:  # 按期办结率
        return self._rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:  # 满意率 (满意 + 基本满意)
        return self._rate(self.satisfied, self.evaluated)

    @property
    def mediation_success_rate(self) -> float | None:  # 调解成功率
        return self._rate(self.mediation_agreed, self.mediation_agreed + self.mediation_failed)

    def as_dict(self) -> dict[str, int | float | None]:
        out: dict[str, int | float | None] = {m: getattr(self, m) for m in MEASURES}
        out.update(resolution_rate=self.resolution_rate, on_time_rate=self.on_time_rate,
                   satisfaction_rate=self.satisfaction_rate, mediation_success_rate=self.mediation_success_rate)
        return out


SUMS = {m: Sum(m) for m in MEASURES}


def grain_for(period: Period, dim: str, scope: Scope | None = None) -> str:
    """Month rows when the period is whole months; else day rows, which exist for the scope level's day
    dimensions only (``DAY_DIMS_BY_LEVEL``: a street keeps its daily total only)."""
    if period.whole_months:
        return Grain.MONTH
    day_dims = DAY_DIMS_BY_LEVEL[scope.level] if scope is not None else DAY_DIMS
    if dim in day_dims:
        return Grain.DAY
    raise ValidationFailed(_("“%(dim)s”只按整月统计，请选择整月、季度或年度。") % {"dim": Dim(dim).label},
                           fields={"period": _("请选择整月")})


def _scope_filter(scope: Scope, dim: str) -> Q:
    """Grids and hexagons are kept in the streets' scopes: a district or the city adds up its streets."""
    if dim not in STREET_ONLY_DIMS or scope.level == Level.STREET:
        return Q(scope=scope.id)
    streets = Area.objects.filter(level=Level.STREET)
    if scope.area is not None:
        streets = streets.filter(path__startswith=f"{scope.area.path}/")
    return Q(scope__in=streets.values("pk"))


def _facts(scope: Scope, period: Period, dim: str, grain: str) -> QuerySet[Fact]:
    where = _scope_filter(scope, dim) & Q(dim=dim, grain=grain)
    if grain == Grain.MONTH:
        return Fact.objects.filter(where, period__in=period.months)
    if not by_day(period):
        raise ValidationFailed(_("按日统计的期间不能超过一个季度。"), fields={"period": _("期间过长")})
    return Fact.objects.filter(where, period__gte=period.start, period__lt=period.end)


def totals(scope: Scope, period: Period) -> Totals:
    row = _facts(scope, period, Dim.ALL, grain_for(period, Dim.ALL, scope)).aggregate(**SUMS)
    return Totals(**{m: row[m] or 0 for m in MEASURES})


@dataclass
class Series:
    buckets: list[str]
    lines: dict[str, list[int]] = field(default_factory=dict)  # label → values


def trend(scope: Scope, period: Period, dim: str = Dim.ALL, measure: str = "received") -> Series:
    """Counts per day (a period up to a quarter) or per month, one line per key of ``dim``."""
    if measure not in MEASURES:
        raise ValidationFailed(_("没有这个指标。"), fields={"measure": _("没有这个指标")})
    daily = by_day(period) and dim in DAY_DIMS_BY_LEVEL[scope.level]
    grain = Grain.DAY if daily else Grain.MONTH
    if daily:
        days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days)]
        buckets = [d.isoformat() for d in days]
    else:
        buckets = [m.strftime("%Y-%m") for m in period.months]
    index = {b: i for i, b in enumerate(buckets)}
    lines: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    rows = _facts(scope, period, dim, grain).values_list("period", "key").annotate(n=Sum(measure))
    for day, key, n in rows:
        bucket = day.isoformat() if daily else day.strftime("%Y-%m")
        if bucket in index:
            lines[key][index[bucket]] += n or 0
    labels = labels_for(dim, list(lines))
    return Series(buckets, {labels.get(k, k): v for k, v in sorted(lines.items(), key=lambda kv: -sum(kv[1]))})


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    totals: Totals


def breakdown(scope: Scope, period: Period, dim: str, limit: int | None = None) -> list[Row]:
    rows = (_facts(scope, period, dim, grain_for(period, dim, scope)).values("key").annotate(**SUMS)
            .order_by("-received", "key"))
    if limit:
        rows = rows[:limit]
    found = [(str(r["key"]), Totals(**{m: cast(dict[str, int], r)[m] or 0 for m in MEASURES})) for r in rows]
    labels = labels_for(dim, [k for k, _t in found])
    return [Row(k, labels.get(k, k or _("未知")), t) for k, t in found]


def labels_for(dim: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if dim == Dim.CHANNEL:
        return {c.value: str(c.label) for c in Channel}
    if dim == Dim.URGENCY:
        return {u.value: str(u.label) for u in Urgency}
    if dim == Dim.ALL:
        return {"": _("合计")}
    if dim == Dim.CATEGORY:
        return {str(pk): name for pk, name in Category.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dim in (Dim.DISTRICT, Dim.STREET, Dim.GRID):
        return {str(pk): name for pk, name in Area.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dim == Dim.UNIT:
        return {str(pk): name for pk, name in Unit.objects.filter(pk__in=ids).values_list("pk", "name")}
    return {}


@dataclass(frozen=True)
class Cell:
    cell: str
    received: int
    boundary: list[list[float]]  # [[lng, lat], …]


def heat(scope: Scope, period: Period) -> list[Cell]:
    """Cases per h3 hexagon: resolution 8 inside a district or street, merged to 7 for the whole city."""
    rows = (_facts(scope, period, Dim.H3, grain_for(period, Dim.H3, scope)).exclude(key="").values_list("key")
            .annotate(n=Sum("received")))
    merged: dict[str, int] = defaultdict(int)
    for cell, n in rows:
        merged[h3.cell_to_parent(cell, 7) if scope.id == CITY_SCOPE else cell] += n or 0
    return [Cell(c, n, [[lng, lat] for lat, lng in h3.cell_to_boundary(c)]) for c, n in
            sorted(merged.items(), key=lambda kv: -kv[1])]


@dataclass(frozen=True)
class UnitRates:
    unit_id: int
    name: str
    cases: int
    response: float | None
    resolution: float | None
    satisfaction: float | None
    score: float | None


def rankings(scope: Scope, period: Period, limit: int = 15) -> list[UnitRates]:
    """The three rates (response, resolution, satisfaction) per unit over the period, from the assessment's
    monthly rollup: counts summed over the months, rates and score by the latest month's formula."""
    rows = UnitMonth.objects.filter(month__in=period.months)
    if scope.area is not None:
        rows = rows.filter(Q(unit__area__path=scope.area.path) | Q(unit__area__path__startswith=f"{scope.area.path}/"))
    sums = rows.values("unit_id", "unit__name").annotate(
        n=Sum("cases"), ex=Sum("exempted"), rd=Sum("response_due"), r=Sum("responded"), sd=Sum("resolution_due"),
        s=Sum("resolved"), sat=Sum("satisfied"), bas=Sum("basically"), uns=Sum("unsatisfied"))
    weights = weights_of(formula_for(period.months[-1]))
    found = []
    for r in sums:
        counts = Counts(cases=r["n"] or 0, exempted=r["ex"] or 0, response_due=r["rd"] or 0, responded=r["r"] or 0,
                        resolution_due=r["sd"] or 0, resolved=r["s"] or 0, satisfied=r["sat"] or 0,
                        basically=r["bas"] or 0, unsatisfied=r["uns"] or 0)
        if counts.cases < weights.min_cases:
            continue
        got = rates(counts, weights)
        found.append(UnitRates(r["unit_id"], r["unit__name"], counts.cases, got.response, got.resolution,
                               got.satisfaction, got.score))
    found.sort(key=lambda u: (-(u.score or 0), u.name))
    return found[:limit]


# ---- drill-down: the cases behind a figure ---------------------------------------------------------------------

def drill(user: User, scope: Scope, period: Period, dim: str, key: str, measure: str = "received") -> QuerySet[Case]:
    """The cases a figure counts, as the reader may see them: registered in the period, in the scope, with
    the dimension's key and the measure's condition."""
    start, end = clock.at_local(period.start, dt.time()), clock.at_local(period.end, dt.time())
    qs = visible_cases(user).filter(registered_at__gte=start, registered_at__lt=end)
    if scope.area is not None:
        qs = qs.filter(**scope.lookup())
    qs = qs.filter(measure_q(measure, clock.now()))
    if dim in ("", Dim.ALL):
        return qs
    fields = {Dim.CHANNEL: "channel", Dim.URGENCY: "urgency", Dim.DISTRICT: "district_id", Dim.STREET: "street_id",
              Dim.GRID: "grid_id", Dim.UNIT: "lead_unit_id"}
    if dim in fields:
        return qs.filter(**{fields[Dim(dim)]: key or None})
    if dim == Dim.CATEGORY:
        return qs.filter(category_id__in=category_subtree(int(key))) if key.isdigit() else qs.filter(
            category__isnull=True)
    if dim == Dim.H3:
        if not h3.is_valid_cell(key):
            raise ValidationFailed(_("六边形格编号无效。"), fields={"key": _("编号无效")})
        return _in_cell(qs, key)
    raise ValidationFailed(_("没有这个维度。"), fields={"dim": _("没有这个维度")})


def _in_cell(qs: QuerySet[Case], cell: str) -> QuerySet[Case]:
    """Cases whose point (or grid centroid) lies in the hexagon: a bounding-box query, then h3 itself."""
    from fengqiao.cockpit.rollup import H3_RESOLUTION

    resolution = h3.get_resolution(cell)
    boundary = h3.cell_to_boundary(cell)
    lats, lngs = [p[0] for p in boundary], [p[1] for p in boundary]
    box = Q(lat__gte=min(lats), lat__lte=max(lats), lng__gte=min(lngs), lng__lte=max(lngs))
    grids = Area.objects.filter(level=Level.GRID, centroid_lat__gte=min(lats), centroid_lat__lte=max(lats),
                                centroid_lng__gte=min(lngs), centroid_lng__lte=max(lngs)).values_list(
        "pk", "centroid_lat", "centroid_lng")
    grid_ids = [pk for pk, lat, lng in grids
                if h3.cell_to_parent(h3.latlng_to_cell(lat, lng, H3_RESOLUTION), resolution) == cell]
    candidates = qs.filter(box | Q(lat__isnull=True, grid_id__in=grid_ids)).values_list("pk", "lat", "lng", "grid_id")
    keep = [pk for pk, lat, lng, grid in candidates
            if (lat is None and grid in grid_ids) or (lat is not None and lng is not None and h3.cell_to_parent(
                h3.latlng_to_cell(lat, lng, H3_RESOLUTION), resolution) == cell)]
    return qs.filter(pk__in=keep)

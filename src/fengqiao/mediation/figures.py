"""调解统计: success rates by kind, area and mediator, the monthly trend, workload, ratings and durations.

Every figure is an aggregate computed by the database (GROUP BY, or one conditional COUNT per month); no
Python loop walks the mediations.  Definitions (docs/mediation/figures.md):

* concluded — a mediation whose ``concluded_at`` falls in the period and whose state is in ``CONCLUDED``
  (agreed, confirming, confirmed, refused, performed, failed, referred);
* succeeded — those of them in ``SUCCEEDED`` (an agreement was signed); success rate = succeeded / concluded;
* days to conclude — ``concluded_at − applied_at`` in calendar days, averaged;
* rating — the citizens' 1–5 ratings of the concluded mediations (rated ones only);
* open — mediations now in ``OPEN`` (applied, accepted, scheduled, in progress), whatever the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from fengqiao.analytics.formula import next_month
from fengqiao.analytics.sql import Epoch
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.mediation.models import Mediation, MediationKind
from fengqiao.mediation.states import CONCLUDED, OPEN, SUCCEEDED

CONCLUDED_STATES = [s.value for s in CONCLUDED]
SUCCEEDED_STATES = [s.value for s in SUCCEEDED]
OPEN_STATES = [s.value for s in OPEN]
MIN_RANKED = 5  # concluded mediations a mediator needs in the period to be ranked by success rate
WORKLOAD_SHOWN = 15


@dataclass(frozen=True)
class Filters:
    start: dt.date  # the first month (its 1st)
    end: dt.date  # the last month, inclusive (its 1st)
    district: Area | None = None
    kind: MediationKind | None = None

    @property
    def months(self) -> list[dt.date]:
        found, month = [], self.start
        while month <= self.end:
            found.append(month)
            month = next_month(month)
        return found

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return month_start(self.start), month_start(next_month(self.end))


def month_start(month: dt.date) -> dt.datetime:
    return clock.at_local(month, dt.time(0))


@dataclass
class Row:
    """One group's figures (a kind, an area, a mediator, or everything)."""

    key: Any
    label: str
    concluded: int = 0
    succeeded: int = 0
    seconds: float | None = None  # mean seconds from application to conclusion
    rating: float | None = None
    rated: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.succeeded / self.concluded if self.concluded else None

    @property
    def days(self) -> float | None:
        return None if self.seconds is None else self.seconds / 86400


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    applied: int
    concluded: int
    succeeded: int

    @property
    def rate(self) -> float | None:
        return self.succeeded / self.concluded if self.concluded else None


@dataclass(frozen=True)
class Load:
    mediator_id: int
    name: str
    unit: str
    open: int
    max_load: int


@dataclass
class Figures:
    filters: Filters
    total: Row
    by_kind: list[Row]
    by_area: list[Row]
    area_level: str  # "district" or "street": what by_area groups by
    by_mediator: list[Row]  # ranked: at least MIN_RANKED concluded, best rate first
    unranked_mediators: int
    trend: list[MonthPoint]
    workload: list[Load]
    open_total: int
    open_unassigned: int
    ratings: list[int]  # how many 1, 2, 3, 4, 5-star ratings


def _measures() -> dict[str, Any]:
    return {
        "concluded": Count("pk"),
        "succeeded": Count("pk", filter=Q(status__in=SUCCEEDED_STATES)),
        "avg_seconds": Avg(Epoch("concluded_at") - Epoch("applied_at")),
        "avg_rating": Avg("rating"),
        "n_rated": Count("rating"),
    }


def _row(key: Any, label: str, values: Mapping[str, Any], **extra: Any) -> Row:
    return Row(key=key, label=label, concluded=values["concluded"], succeeded=values["succeeded"],
               seconds=values["avg_seconds"], rating=values["avg_rating"], rated=values["n_rated"], extra=extra)


def scoped(scope: Q, filters: Filters) -> QuerySet[Mediation]:
    """The mediations of the reader's scope under the filters' district and kind (any period)."""
    rows = Mediation.objects.filter(scope)
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    if filters.district is not None:
        rows = rows.filter(area__path__startswith=f"{filters.district.path}/")
    return rows


def concluded_in(rows: QuerySet[Mediation], filters: Filters) -> QuerySet[Mediation]:
    start, end = filters.bounds()
    return rows.filter(status__in=CONCLUDED_STATES, concluded_at__gte=start, concluded_at__lt=end)


def total(rows: QuerySet[Mediation]) -> Row:
    return _row(None, "", rows.aggregate(**_measures()))


def by_kind(rows: QuerySet[Mediation]) -> list[Row]:
    found = [_row(v["kind__code"], v["kind__name"], v)
             for v in rows.order_by().values("kind__code", "kind__name").annotate(**_measures())]
    return sorted(found, key=lambda r: (-(r.rate or 0), -r.concluded, r.label))


def by_area(rows: QuerySet[Mediation], filters: Filters) -> tuple[list[Row], str]:
    """By district, or by street once one district is chosen (or all the rows lie in one district)."""
    level = Level.STREET if filters.district is not None else Level.DISTRICT
    if level == Level.DISTRICT:
        districts: list[Mapping[str, Any]] = list(rows.order_by().values("area__parent_id").annotate(**_measures()))
        if len(districts) > 1:
            return _area_rows(districts, "area__parent_id"), Level.DISTRICT
    streets: list[Mapping[str, Any]] = list(rows.order_by().values("area_id").annotate(**_measures()))
    return _area_rows(streets, "area_id"), Level.STREET


def _area_rows(grouped: list[Mapping[str, Any]], key: str) -> list[Row]:
    areas = {a.pk: a for a in Area.objects.filter(pk__in=[g[key] for g in grouped if g[key]])}
    found = []
    for values in grouped:
        area = areas.get(values[key])
        found.append(_row(area.code if area else "", area.name if area else "（未注明区域）", values,
                          level=area.level if area else ""))
    return sorted(found, key=lambda r: (-(r.rate or 0), -r.concluded, r.label))


def by_mediator(rows: QuerySet[Mediation]) -> tuple[list[Row], int]:
    """Mediators with at least MIN_RANKED concluded mediations, best success rate first; and how many
    mediators had fewer."""
    grouped = (rows.filter(mediator__isnull=False).order_by()
               .values("mediator_id", "mediator__name", "mediator__unit__name").annotate(**_measures()))
    found = [_row(v["mediator_id"], v["mediator__name"], v, unit=v["mediator__unit__name"]) for v in grouped]
    ranked = [r for r in found if r.concluded >= MIN_RANKED]
    ranked.sort(key=lambda r: (-(r.rate or 0), -r.concluded, -(r.rating or 0), r.label))
    return ranked, len(found) - len(ranked)


def trend(rows: QuerySet[Mediation], filters: Filters) -> list[MonthPoint]:
    """Per month: applications, concluded and succeeded — one query of conditional counts."""
    months = filters.months
    edges = [month_start(m) for m in months] + [month_start(next_month(months[-1]))]
    counts: dict[str, Any] = {}
    for i in range(len(months)):
        applied = Q(applied_at__gte=edges[i], applied_at__lt=edges[i + 1])
        concluded = Q(status__in=CONCLUDED_STATES, concluded_at__gte=edges[i], concluded_at__lt=edges[i + 1])
        counts[f"a{i}"] = Count("pk", filter=applied)
        counts[f"c{i}"] = Count("pk", filter=concluded)
        counts[f"s{i}"] = Count("pk", filter=concluded & Q(status__in=SUCCEEDED_STATES))
    start, end = edges[0], edges[-1]
    values = rows.filter(Q(applied_at__gte=start, applied_at__lt=end)
                         | Q(concluded_at__gte=start, concluded_at__lt=end)).aggregate(**counts)
    return [MonthPoint(m, values[f"a{i}"], values[f"c{i}"], values[f"s{i}"]) for i, m in enumerate(months)]


def workload(rows: QuerySet[Mediation], limit: int = WORKLOAD_SHOWN) -> tuple[list[Load], int, int]:
    """The mediators with the most open mediations now (with their most), the open total and how many
    open mediations have no mediator yet."""
    open_rows = rows.filter(status__in=OPEN_STATES)
    counted = open_rows.aggregate(n=Count("pk"), unassigned=Count("pk", filter=Q(mediator__isnull=True)))
    grouped = (open_rows.filter(mediator__isnull=False).order_by()
               .values("mediator_id", "mediator__name", "mediator__unit__name", "mediator__max_load")
               .annotate(n=Count("pk")).order_by("-n", "mediator__name")[:limit])
    loads = [Load(v["mediator_id"], v["mediator__name"], v["mediator__unit__name"], v["n"],
                  v["mediator__max_load"]) for v in grouped]
    return loads, counted["n"], counted["unassigned"]


def ratings(rows: QuerySet[Mediation]) -> list[int]:
    counts = dict(rows.filter(rating__isnull=False).order_by().values_list("rating").annotate(n=Count("pk"))
                  .values_list("rating", "n"))
    return [counts.get(stars, 0) for stars in range(1, 6)]


def figures(scope: Q, filters: Filters) -> Figures:
    """All the page's figures for a reader's scope (pool_access.figures_scope) under the filters."""
    rows = scoped(scope, filters)
    done = concluded_in(rows, filters)
    areas, level = by_area(done, filters)
    mediators, unranked = by_mediator(done)
    loads, open_total, unassigned = workload(rows)
    return Figures(filters=filters, total=total(done), by_kind=by_kind(done), by_area=areas, area_level=level,
                   by_mediator=mediators, unranked_mediators=unranked, trend=trend(rows, filters),
                   workload=loads, open_total=open_total, open_unassigned=unassigned, ratings=ratings(done))


def mediator_year(mediator_id: int, end: dt.date | None = None) -> tuple[Row, list[MonthPoint]]:
    """One mediator's last 12 months (to ``end``, this month by default): totals and the months."""
    last = end or clock.today().replace(day=1)
    first = last
    for _i in range(11):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    filters = Filters(start=first, end=last)
    rows = Mediation.objects.filter(mediator_id=mediator_id)
    return total(concluded_in(rows, filters)), trend(rows, filters)

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

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from fengqiao.analytics.formula import next_month
from fengqiao.analytics.sql import Epoch
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.mediation.models import Mediation, MediationKind, Mediator
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
    """One group's figures (a kind, an area, a mediator, or everything), kept as counts and sums so that
    groups add up exactly (streets into districts)."""

    key: Any
    label: str
    concluded: int = 0
    succeeded: int = 0
    seconds_sum: float = 0.0  # application to conclusion, summed over the concluded
    rating_sum: int = 0
    rated: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.succeeded / self.concluded if self.concluded else None

    @property
    def days(self) -> float | None:
        return self.seconds_sum / self.concluded / 86400 if self.concluded else None

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    def add(self, other: Row) -> None:
        self.concluded += other.concluded
        self.succeeded += other.succeeded
        self.seconds_sum += other.seconds_sum
        self.rating_sum += other.rating_sum
        self.rated += other.rated


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
        "n_concluded": Count("pk"),
        "n_succeeded": Count("pk", filter=Q(status__in=SUCCEEDED_STATES)),
        "sum_seconds": Sum(Epoch("concluded_at") - Epoch("applied_at")),
        "sum_rating": Sum("rating"),
        "n_rated": Count("rating"),
    }


def _row(key: Any, label: str, values: Mapping[str, Any], **extra: Any) -> Row:
    return Row(key=key, label=label, concluded=values["n_concluded"], succeeded=values["n_succeeded"],
               seconds_sum=values["sum_seconds"] or 0.0, rating_sum=values["sum_rating"] or 0,
               rated=values["n_rated"], extra=extra)


def _ranked(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-(r.rate or 0), -r.concluded, -(r.rating or 0), r.label))


def scoped(scope: Q, filters: Filters) -> QuerySet[Mediation]:
    """The mediations of the reader's scope under the filters' district and kind (any period)."""
    rows = Mediation.objects.filter(scope)
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    if filters.district is not None:
        rows = rows.filter(area_id__in=list(Area.objects.filter(
            level=Level.STREET, path__startswith=f"{filters.district.path}/").values_list("pk", flat=True)))
    return rows


def concluded_in(rows: QuerySet[Mediation], filters: Filters) -> QuerySet[Mediation]:
    start, end = filters.bounds()
    return rows.filter(status__in=CONCLUDED_STATES, concluded_at__gte=start, concluded_at__lt=end)


def total(rows: QuerySet[Mediation]) -> Row:
    return _row(None, "", rows.aggregate(**_measures()))


def by_kind(rows: QuerySet[Mediation]) -> list[Row]:
    kinds = {k.pk: k for k in MediationKind.objects.all()}
    return _ranked([_row(kinds[v["kind_id"]].code, kinds[v["kind_id"]].name, v)
                    for v in rows.order_by().values("kind_id").annotate(**_measures())])


def by_area(rows: QuerySet[Mediation], filters: Filters) -> tuple[list[Row], str]:
    """By district — or by street once one district is chosen, or when all the rows lie in one district.
    One GROUP BY street; districts are the sums of their streets."""
    grouped = list(rows.order_by().values("area_id").annotate(**_measures()))
    streets = {a.pk: a for a in Area.objects.filter(pk__in=[g["area_id"] for g in grouped if g["area_id"]])}
    by_street = [_row(streets[g["area_id"]].code if g["area_id"] else "",
                      streets[g["area_id"]].name if g["area_id"] else _("（未注明区域）"), g,
                      parent=streets[g["area_id"]].parent_id if g["area_id"] else None) for g in grouped]
    parents = {r.extra["parent"] for r in by_street}
    if filters.district is not None or len(parents) < 2:
        return _ranked(by_street), Level.STREET
    districts = {a.pk: a for a in Area.objects.filter(pk__in=[p for p in parents if p])}
    rolled: dict[Any, Row] = {}
    for street in by_street:
        area = districts.get(street.extra["parent"])
        row = rolled.setdefault(street.extra["parent"], Row(area.code if area else "",
                                                            area.name if area else _("（未注明区域）")))
        row.add(street)
    return _ranked(list(rolled.values())), Level.DISTRICT


def by_mediator(rows: QuerySet[Mediation]) -> tuple[list[Row], int]:
    """Mediators with at least MIN_RANKED concluded mediations, best success rate first; and how many
    mediators had fewer."""
    grouped = list(rows.filter(mediator__isnull=False).order_by().values("mediator_id").annotate(**_measures()))
    names = {pk: (name, unit) for pk, name, unit in Mediator.objects.filter(
        pk__in=[g["mediator_id"] for g in grouped]).values_list("pk", "name", "unit__name")}
    found = [_row(g["mediator_id"], names[g["mediator_id"]][0], g, unit=names[g["mediator_id"]][1])
             for g in grouped]
    ranked = [r for r in found if r.concluded >= MIN_RANKED]
    return _ranked(ranked), len(found) - len(ranked)


def _bucket(column: str, edges: list[dt.datetime]) -> Case:
    """The month index of ``column`` (edges[i] <= value < edges[i + 1]), as one CASE."""
    return Case(*[When(**{f"{column}__lt": edge, "then": Value(i - 1)}) for i, edge in enumerate(edges) if i],
                default=Value(-1), output_field=IntegerField())


def trend(rows: QuerySet[Mediation], filters: Filters) -> list[MonthPoint]:
    """Per month: applications, concluded and succeeded — two GROUP BYs over a CASE of month edges."""
    months = filters.months
    edges = [month_start(m) for m in months] + [month_start(next_month(months[-1]))]
    applied = dict(rows.filter(applied_at__gte=edges[0], applied_at__lt=edges[-1]).order_by()
                   .annotate(month=_bucket("applied_at", edges)).values_list("month")
                   .annotate(n=Count("pk")).values_list("month", "n"))
    concluded = {m: (n, ok) for m, n, ok in rows.filter(
        status__in=CONCLUDED_STATES, concluded_at__gte=edges[0], concluded_at__lt=edges[-1]).order_by()
        .annotate(month=_bucket("concluded_at", edges)).values_list("month")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(status__in=SUCCEEDED_STATES)))
        .values_list("month", "n", "ok")}
    return [MonthPoint(m, applied.get(i, 0), *concluded.get(i, (0, 0))) for i, m in enumerate(months)]


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

"""Fill the cockpit's ``Fact`` rows one month at a time (definitions: docs/cockpit.md).

A month is one transaction: its day and month rows are deleted and written again, so a re-run gives the
same rows (idempotent) and a crash leaves the month as it was (resumable: ``ensure`` skips fresh months).
The database does the counting: one GROUP BY per scope level, grain and dimension, each summing the same
``measure_q`` conditions that the drill-down lists, so a figure and its cases cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import h3
from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import CharField, F, Func, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext

from fengqiao.cases.models import Case, Category, Satisfaction
from fengqiao.cases.states import State
from fengqiao.cockpit.models import (
    CITY_SCOPE,
    DAY_DIMS_BY_LEVEL,
    MEASURES,
    MONTH_DIMS_BY_LEVEL,
    Fact,
    FactMonth,
    Grain,
)
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed

H3_RESOLUTION = 8  # hexagons of about 0.7 km²; the city view merges them to resolution 7 (≈ 5 km²)
SETTLED_AFTER = dt.timedelta(days=62)  # a month's cases rarely move two months after its end
STALE_CURRENT = dt.timedelta(minutes=10)  # the current month is recomputed this often (by the periodic job)
STALE_RECENT = dt.timedelta(hours=1)  # an unsettled earlier month
BATCH = 5000

RESOLVED_STATES = frozenset({State.REPLIED.value, State.CLOSED.value})
VOID_STATES = frozenset({State.MERGED.value, State.CANCELLED.value})
GOOD = frozenset({Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value})
AGREED_STATES = frozenset({"agreed", "confirming", "confirmed", "refused", "performed"})
FAILED_STATES = frozenset({"failed", "referred"})

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return clock.at_local(month, dt.time()), clock.at_local(next_month(month), dt.time())


def measure_q(measure: str, now: dt.datetime) -> Q:
    """The cases a measure counts, as a Q: the one definition, summed by the rollup and listed by the
    drill-down (docs/cockpit.md)."""
    valid = ~Q(status__in=VOID_STATES)
    resolved = Q(status__in=RESOLVED_STATES, replied_at__isnull=False) & valid
    late_open = valid & ~resolved & Q(deadline__lt=now)
    conditions = {
        "received": Q(pk__isnull=False),  # every case (an empty Q cannot be summed)
        "valid": valid,
        "resolved": resolved,
        "on_time": resolved & (Q(deadline__isnull=True) | Q(replied_at__lte=F("deadline"))),
        "due": resolved | late_open,
        "overdue": valid & (Q(overdue=True) | (resolved & Q(replied_at__gt=F("deadline"))) | late_open),
        "evaluated": valid & ~Q(satisfaction=""),
        "satisfied": valid & Q(satisfaction__in=GOOD),
        "unsatisfied": valid & Q(satisfaction="unsatisfied"),
        "mediated": valid & Q(mediation__isnull=False),
        "mediation_agreed": valid & Q(mediation__status__in=AGREED_STATES),
        "mediation_failed": valid & Q(mediation__status__in=FAILED_STATES),
    }
    if measure not in conditions:
        raise ValidationFailed(gettext("没有这个指标。"), fields={"measure": gettext("没有这个指标")})
    return conditions[measure]


class _Places:
    """Top-level category of each category, the street's district, a grid's centroid: loaded once."""

    def __init__(self) -> None:
        parents = dict(Category.objects.values_list("pk", "parent_id"))
        self.top: dict[int, int] = {}
        for pk in parents:
            node = pk
            while parents.get(node) is not None:
                node = parents[node]
            self.top[pk] = node
        self.centroid = {pk: (lat, lng) for pk, lat, lng in Area.objects.filter(level=Level.GRID).values_list(
            "pk", "centroid_lat", "centroid_lng") if lat is not None and lng is not None}

    def cell(self, lat: float | None, lng: float | None, grid_id: int | None) -> str:
        if (lat is None or lng is None) and grid_id is not None and grid_id in self.centroid:
            lat, lng = self.centroid[grid_id]
        if lat is None or lng is None:
            return ""
        return str(h3.latlng_to_cell(lat, lng, H3_RESOLUTION))


@dataclass(frozen=True)
class MonthResult:
    month: dt.date
    cases: int
    rows: int
    seconds: float


def _mediations(start: dt.datetime, end: dt.datetime) -> dict[int, str]:
    from fengqiao.mediation.models import Mediation

    return dict(Mediation.objects.filter(case__registered_at__gte=start, case__registered_at__lt=end)
                .values_list("case_id", "status"))


def _sums(now: dt.datetime) -> dict[str, Sum]:
    return {m: Sum(DbCase(When(measure_q(m, now), then=Value(1)), default=Value(0), output_field=IntegerField()))
            for m in MEASURES}


def _key(places: _Places, dim: str, raw: object) -> str:
    if raw is None:
        return ""
    if dim == "category":
        return str(places.top.get(int(cast(int, raw)), ""))
    return str(raw)


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _local_day(start: dt.datetime, end: dt.datetime) -> Func:
    """The local date of ``registered_at``.  SQLite's TruncDate converts each row in Python; when the
    local zone keeps one offset all month (Asia/Shanghai always does), SQLite's own date() does it in C."""
    offset = clock.localtime(start).utcoffset()
    if connection.vendor == "sqlite" and offset is not None and offset == clock.localtime(
            end - dt.timedelta(seconds=1)).utcoffset():
        return Func(F("registered_at"), Value(f"{int(offset.total_seconds()):+d} seconds"), function="date",
                    output_field=CharField())
    return TruncDate("registered_at", tzinfo=clock.local_tz())


_KEY_FIELD = {"all": None, "channel": "channel", "category": "category_id", "urgency": "urgency",
              "district": "district_id", "street": "street_id", "grid": "grid_id", "unit": "lead_unit_id"}
_SCOPE_FIELD = {"city": None, "district": "district_id", "street": "street_id"}


def compute_month(month: dt.date, places: _Places | None = None, now: dt.datetime | None = None) -> MonthResult:
    """Recompute one month's rows.  Each scope level's day and month dimensions (``MONTH_DIMS_BY_LEVEL``,
    ``DAY_DIMS_BY_LEVEL``) are one GROUP BY each in the database, summing ``measure_q``; the hexagons, which
    the database cannot compute, are summed here from the month's points."""
    began = time.perf_counter()
    month = month_start(month)
    start, end = bounds(month)
    now = now or clock.now()
    places = places or _Places()
    cases = Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
    sums = _sums(now)
    totals: dict[tuple[int, str, dt.date, str, str], list[int]] = {}

    def add(scope: int, grain: str, period: dt.date, dim: str, key: str, values: list[int]) -> None:
        found = totals.get((scope, grain, period, dim, key))
        if found is None:
            totals[(scope, grain, period, dim, key)] = list(values)
        else:
            for i, v in enumerate(values):
                found[i] += v

    for level, scope_field in _SCOPE_FIELD.items():
        for dim in MONTH_DIMS_BY_LEVEL[level]:
            if dim == "h3":
                continue
            key_field = _KEY_FIELD[dim]
            group = [f for f in (scope_field, key_field) if f is not None]
            qs = cases.filter(**{f"{scope_field}__isnull": False}) if scope_field else cases
            rows = qs.order_by().values(*group).annotate(**sums) if group else [qs.aggregate(**sums)]
            for row in cast(list[dict[str, Any]], rows):
                values = [row[m] or 0 for m in MEASURES]
                if values[0]:
                    scope = row[scope_field] if scope_field else CITY_SCOPE
                    add(scope, Grain.MONTH.value, month, dim, _key(places, dim, row[key_field] if key_field else ""),
                        values)
    # Day rows: one pass for the city's and the districts' day dimensions, one for the streets' totals.
    day = _local_day(start, end)
    by_day = (cases.annotate(day=day).order_by()
              .values("day", "district_id", "channel", "category_id", "urgency").annotate(**sums))
    city_dims, district_dims = DAY_DIMS_BY_LEVEL["city"], DAY_DIMS_BY_LEVEL["district"]
    for row in cast(Iterator[dict[str, Any]], by_day.iterator(chunk_size=BATCH)):
        values = [row[m] or 0 for m in MEASURES]
        if not values[0]:
            continue
        when = _as_date(row["day"])
        for dim in city_dims:
            key_field = _KEY_FIELD[dim]
            key = _key(places, dim, row[key_field] if key_field else "")
            add(CITY_SCOPE, Grain.DAY.value, when, dim, key, values)
            if row["district_id"] is not None and dim in district_dims:
                add(row["district_id"], Grain.DAY.value, when, dim, key, values)
    street_days = (cases.filter(street_id__isnull=False).annotate(day=day).order_by()
                   .values("day", "street_id").annotate(**sums))
    for row in cast(Iterator[dict[str, Any]], street_days.iterator(chunk_size=BATCH)):
        values = [row[m] or 0 for m in MEASURES]
        if values[0]:
            add(row["street_id"], Grain.DAY.value, _as_date(row["day"]), "all", "", values)
    points = (cases.filter(street_id__isnull=False).order_by()
              .values("street_id", "grid_id", "lat", "lng").annotate(**sums))
    for row in cast(Iterator[dict[str, Any]], points.iterator(chunk_size=BATCH)):
        cell = places.cell(row["lat"], row["lng"], row["grid_id"])
        add(row["street_id"], Grain.MONTH.value, month, "h3", cell, [row[m] or 0 for m in MEASURES])
    count = totals.get((CITY_SCOPE, Grain.MONTH.value, month, "all", ""), [0])[0]
    adapt = connection.ops.adapt_datefield_value
    facts = [(scope, grain, adapt(period), dim, key, *values)
             for (scope, grain, period, dim, key), values in totals.items()]
    with transaction.atomic():
        Fact.objects.filter(grain=Grain.MONTH, period=month).delete()
        Fact.objects.filter(grain=Grain.DAY, period__gte=month, period__lt=next_month(month)).delete()
        _insert(facts)
        seconds = time.perf_counter() - began
        FactMonth.objects.update_or_create(month=month, defaults={
            "computed_at": now, "cases": count, "rows": len(facts), "seconds": seconds})
    return MonthResult(month, count, len(facts), seconds)


COLUMNS = ("scope", "grain", "period", "dim", "key", *MEASURES)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERTs (the ORM's per-field preparation would take longer than the counting)."""
    table = connection.ops.quote_name(Fact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        for at in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[at:at + 5000])


def months_with_cases() -> list[dt.date]:
    first = Case.objects.aggregate(first=Min("registered_at"))["first"]
    if first is None:
        return []
    month, last = month_start(clock.localtime(first).date()), month_start(clock.today())
    months = []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def stale(months: list[dt.date], now: dt.datetime | None = None) -> list[dt.date]:
    """The months to recompute: never computed, or unsettled and older than their staleness limit."""
    now = now or clock.now()
    done = dict(FactMonth.objects.filter(month__in=months).values_list("month", "computed_at"))
    current = month_start(clock.localtime(now).date())
    wanted = []
    for month in months:
        at = done.get(month)
        if at is None:
            wanted.append(month)
            continue
        _start, end = bounds(month)
        if at >= end + SETTLED_AFTER:
            continue
        limit = STALE_CURRENT if month == current else STALE_RECENT
        if now - at >= limit:
            wanted.append(month)
    return wanted


def ensure(months: list[dt.date] | None = None, *, force: bool = False,
           progress: Callable[[MonthResult], object] | None = None) -> list[MonthResult]:
    """Compute the months that need it (all given months with ``force``); one transaction each."""
    months = months_with_cases() if months is None else months
    todo = months if force else stale(months)
    places = _Places() if todo else None
    done = []
    for month in todo:
        result = compute_month(month, places)
        done.append(result)
        if progress is not None:
            progress(result)
    return done


def computed_at() -> dt.datetime | None:
    latest = FactMonth.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return latest

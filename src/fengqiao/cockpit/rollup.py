"""Fill the cockpit's ``Fact`` rows one month at a time (definitions: docs/cockpit.md).

A month is one transaction: its day and month rows are deleted and written again, so a re-run gives the
same rows (idempotent) and a crash leaves the month as it was (resumable: ``ensure`` skips fresh months).
Each case is reduced to a bit mask of its measures and one key per dimension; ``Counter`` does the
counting, so a month of 120,000 cases takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import h3
from django.db import connection, transaction
from django.db.models import Min

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

BIT = {name: 1 << i for i, name in enumerate(MEASURES)}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return clock.at_local(month, dt.time()), clock.at_local(next_month(month), dt.time())


def measures_of(status: str, deadline: dt.datetime | None, replied_at: dt.datetime | None, overdue: bool,
                satisfaction: str, mediation: str | None, now: dt.datetime) -> int:
    """The bit mask of one case's measures (see docs/cockpit.md for each definition)."""
    bits = BIT["received"]
    if status in VOID_STATES:
        return bits
    bits |= BIT["valid"]
    resolved = status in RESOLVED_STATES and replied_at is not None
    if resolved:
        bits |= BIT["resolved"] | BIT["due"]
        if deadline is None or replied_at <= deadline:  # type: ignore[operator]
            bits |= BIT["on_time"]
    elif deadline is not None and deadline < now:
        bits |= BIT["due"]
    if overdue or (deadline is not None and ((resolved and replied_at > deadline)  # type: ignore[operator]
                                             or (not resolved and deadline < now))):
        bits |= BIT["overdue"]
    if satisfaction:
        bits |= BIT["evaluated"]
        bits |= BIT["satisfied"] if satisfaction in GOOD else BIT["unsatisfied"] if (
            satisfaction == Satisfaction.UNSATISFIED.value) else 0
    if mediation is not None:
        bits |= BIT["mediated"]
        if mediation in AGREED_STATES:
            bits |= BIT["mediation_agreed"]
        elif mediation in FAILED_STATES:
            bits |= BIT["mediation_failed"]
    return bits


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


def compute_month(month: dt.date, places: _Places | None = None, now: dt.datetime | None = None) -> MonthResult:
    """Recompute one month's rows: for each case, its scopes (city, district, street) and each scope
    level's day and month dimensions (``MONTH_DIMS_BY_LEVEL``, ``DAY_DIMS_BY_LEVEL``)."""
    began = time.perf_counter()
    month = month_start(month)
    start, end = bounds(month)
    now = now or clock.now()
    places = places or _Places()
    mediation = _mediations(start, end)
    counted: Counter[tuple[int, str, dt.date, str, str, int]] = Counter()
    plans = {level: ([d.value for d in MONTH_DIMS_BY_LEVEL[level]], [d.value for d in DAY_DIMS_BY_LEVEL[level]])
             for level in MONTH_DIMS_BY_LEVEL}
    month_grain, day_grain = Grain.MONTH.value, Grain.DAY.value
    cases = 0
    rows = (Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
            .values_list("pk", "registered_at", "channel", "category_id", "urgency", "district_id", "street_id",
                         "grid_id", "lat", "lng", "lead_unit_id", "status", "deadline", "replied_at", "overdue",
                         "satisfaction"))
    buffer: list[tuple[int, str, dt.date, str, str, int]] = []
    add = buffer.append
    for (pk, registered, channel, category, urgency, district, street, grid, lat, lng, unit, status, deadline,
         replied, overdue, satisfaction) in rows.iterator(chunk_size=BATCH):
        cases += 1
        bits = measures_of(status, deadline, replied, overdue, satisfaction, mediation.get(pk), now)
        day = clock.localtime(registered).date()
        keys = {
            "all": "", "channel": channel, "urgency": urgency,
            "category": str(places.top.get(category, "")) if category is not None else "",
            "district": str(district or ""), "street": str(street or ""), "grid": str(grid or ""),
            "unit": str(unit or ""),
        }
        scopes = [(CITY_SCOPE, "city")]
        if district is not None:
            scopes.append((district, "district"))
        if street is not None:
            scopes.append((street, "street"))
            keys["h3"] = places.cell(lat, lng, grid)
        for scope, level in scopes:
            month_dims, day_dims = plans[level]
            for dim in month_dims:
                add((scope, month_grain, month, dim, keys[dim], bits))
            for dim in day_dims:
                add((scope, day_grain, day, dim, keys[dim], bits))
        if len(buffer) > 200_000:
            counted.update(buffer)
            buffer.clear()
    counted.update(buffer)
    facts = _facts(counted.items())
    with transaction.atomic():
        Fact.objects.filter(grain=Grain.MONTH, period=month).delete()
        Fact.objects.filter(grain=Grain.DAY, period__gte=month, period__lt=next_month(month)).delete()
        _insert(facts)
        seconds = time.perf_counter() - began
        FactMonth.objects.update_or_create(month=month, defaults={
            "computed_at": now, "cases": cases, "rows": len(facts), "seconds": seconds})
    return MonthResult(month, cases, len(facts), seconds)


COLUMNS = ("scope", "grain", "period", "dim", "key", *MEASURES)


def _facts(counted: Iterable[tuple[tuple[int, str, dt.date, str, str, int], int]]) -> list[tuple[object, ...]]:
    totals: dict[tuple[int, str, dt.date, str, str], list[int]] = {}
    for (scope, grain, period, dim, key, bits), n in counted:
        sums = totals.setdefault((scope, grain, period, dim, key), [0] * len(MEASURES))
        for i, name in enumerate(MEASURES):
            if bits & BIT[name]:
                sums[i] += n
    adapt = connection.ops.adapt_datefield_value
    return [(scope, grain, adapt(period), dim, key, *sums)
            for (scope, grain, period, dim, key), sums in totals.items()]


def _insert(rows: list[tuple[object, ...]]) -> None:
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

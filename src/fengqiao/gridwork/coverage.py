"""Patrol coverage (巡查覆盖率) per grid and month, computed from the rows (ADR 0010), never kept as counters.

Definitions (docs/gridwork/coverage.md says the same for people):

* The month is local time (``settings.TIME_ZONE``): ``start`` = the 1st 00:00, ``end`` = the next 1st 00:00.
  ``as_of`` = ``end`` for a past month, now for the current month.
* A place is **planned** (应巡) in the month when it is active, was created before ``end``, and was due at
  least once in the month, i.e. either

  a. its cycle fits in the part of the month it existed: ``every_days`` × 1 day ≤ ``end`` − max(``start``,
     ``created_at``) (a place that existed all month and is visited every N ≤ days-in-month days); or
  b. its next due date as the month began — last visit observed before ``start`` + ``every_days``, or
     ``created_at`` + ``every_days`` if it was never visited — is before ``end`` (it falls in the month, or it
     was already overdue when the month began: an overdue place stays on the plan until it is visited).
* A planned place is **visited** (已巡) when at least one visit to it was observed (the phone's clock,
  ``observed_at``) in [``start``, ``end``), whenever it reached the server.
* **coverage** = visited ÷ planned; None when nothing is planned.
* A place is **overdue** (超期未巡) at ``as_of`` when its last visit observed before ``end`` (or its creation,
  if never visited) is more than ``every_days`` before ``as_of``.
* **visits**: every visit observed in the month in the grid (any place, any role, campaign or not).
* **time to report**: ``received_at`` − ``observed_at`` of the month's visits (median and p90, seconds), and
  for the visits that raised a case ``case.registered_at`` − ``observed_at``.
* A grid is a **blind spot** (盲区) when it had no visit at all in the month, or its coverage is under the
  threshold (``settings.COVERAGE_THRESHOLD``, default 0.8).

Cost: one GROUP BY over the places (two correlated index look-ups per place: ``visit_place_time``), one read of
the month's visits (``visit_grid_time``), the grids and their ancestors — never a query per grid.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import FloatField, Func, OuterRef, QuerySet, Subquery

from fengqiao.gridwork.models import Place, Visit
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock

DAY_S = 86400.0
DEFAULT_THRESHOLD = 0.8


def threshold() -> float:
    return float(getattr(settings, "COVERAGE_THRESHOLD", DEFAULT_THRESHOLD))


class Seconds(Func):
    """A timestamp as seconds since the epoch, to the millisecond (exact for whole seconds on both engines:
    SQLite's julianday() is a float of days, rounded back here so boundaries compare exactly)."""

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8",
                           **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0, 3)", **extra_context)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = clock.at_local(month.replace(day=1), dt.time())
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, clock.at_local(following, dt.time())


def quantile(ordered: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont); None when empty."""
    if not ordered:
        return None
    pos = q * (len(ordered) - 1)
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class Delays:
    """Seconds from observation (phone) to report: how many, median, 90th percentile."""

    count: int
    p50_s: float | None
    p90_s: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Delays:
        ordered = sorted(values)
        p50, p90 = quantile(ordered, 0.5), quantile(ordered, 0.9)
        return cls(len(ordered), None if p50 is None else round(p50, 3), None if p90 is None else round(p90, 3))


@dataclass
class GridCoverage:
    grid_id: int
    code: str
    name: str
    path: str
    community_code: str = ""
    community: str = ""
    street_code: str = ""
    street: str = ""
    planned: int = 0
    visited: int = 0
    overdue: int = 0
    visits: int = 0
    report: Delays = field(default_factory=lambda: Delays(0, None, None))
    blind: bool = False

    @property
    def coverage(self) -> float | None:
        return None if not self.planned else self.visited / self.planned


@dataclass
class AreaCoverage:
    """A street's or a community's grids summed: coverage weighs places, not grids."""

    code: str
    name: str
    grids: int = 0
    planned: int = 0
    visited: int = 0
    overdue: int = 0
    visits: int = 0
    blind: int = 0
    no_visit: int = 0

    @property
    def coverage(self) -> float | None:
        return None if not self.planned else self.visited / self.planned

    def add(self, grid: GridCoverage) -> None:
        self.grids += 1
        self.planned += grid.planned
        self.visited += grid.visited
        self.overdue += grid.overdue
        self.visits += grid.visits
        self.blind += grid.blind
        self.no_visit += grid.visits == 0


@dataclass
class MonthCoverage:
    month: dt.date
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    threshold: float
    grids: list[GridCoverage]
    report: Delays
    case_report: Delays

    @property
    def current(self) -> bool:
        return self.as_of < self.end

    def total(self) -> AreaCoverage:
        total = AreaCoverage(code="", name="")
        for grid in self.grids:
            total.add(grid)
        return total

    def by(self, level: Level) -> list[AreaCoverage]:
        """The grids summed by street or by community, in path order."""
        groups: dict[str, AreaCoverage] = {}
        for grid in self.grids:
            code, name = ((grid.street_code, grid.street) if level == Level.STREET
                          else (grid.community_code, grid.community))
            groups.setdefault(code, AreaCoverage(code=code, name=name)).add(grid)
        return list(groups.values())

    def blind_spots(self) -> list[GridCoverage]:
        """Blind grids, the worst first: no visit at all, then by coverage, then by overdue places."""
        return sorted((g for g in self.grids if g.blind),
                      key=lambda g: (g.visits > 0, g.coverage if g.coverage is not None else -1.0, -g.overdue,
                                     g.path))


def _last_before(moment: dt.datetime) -> Seconds:
    last = Visit.objects.filter(place_id=OuterRef("pk"), observed_at__lt=moment).order_by("-observed_at")
    return Seconds(Subquery(last.values("observed_at")[:1]))


def _places_sql(grids: QuerySet[Area], start: dt.datetime, end: dt.datetime,
                *extra: str) -> tuple[str, tuple[Any, ...]]:
    """The month's candidate places, one row each: grid, cycle, and creation / last visits as epoch seconds."""
    rows = (Place.objects.filter(active=True, created_at__lt=end, grid__in=grids.values("pk"))
            .annotate(created_s=Seconds("created_at"), last0_s=_last_before(start), last1_s=_last_before(end))
            .values("id", "grid_id", "every_days", "created_s", "last0_s", "last1_s", *extra).order_by())
    sql, params = rows.query.sql_with_params()
    return sql, tuple(params)


def _conditions(start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> dict[str, str]:
    """SQL over a row of :func:`_places_sql` (alias ``p``); the numbers are ours, never user input."""
    s, e, a = f"{start.timestamp():.3f}", f"{end.timestamp():.3f}", f"{as_of.timestamp():.3f}"
    cycle = f"(p.every_days * {DAY_S})"
    planned = (f"({cycle} <= {e} - CASE WHEN p.created_s > {s} THEN p.created_s ELSE {s} END"
               f" OR COALESCE(p.last0_s, p.created_s) + {cycle} < {e})")
    return {
        "planned": planned,
        "visited": f"({planned} AND p.last1_s >= {s})",
        "overdue": f"(COALESCE(p.last1_s, p.created_s) + {cycle} < {a})",
    }


def _place_counts(grids: QuerySet[Area], start: dt.datetime, end: dt.datetime,
                  as_of: dt.datetime) -> dict[int, tuple[int, int, int]]:
    inner, params = _places_sql(grids, start, end)
    cond = _conditions(start, end, as_of)
    sql = (f"SELECT p.grid_id, SUM(CASE WHEN {cond['planned']} THEN 1 ELSE 0 END),"
           f" SUM(CASE WHEN {cond['visited']} THEN 1 ELSE 0 END), SUM(CASE WHEN {cond['overdue']} THEN 1 ELSE 0 END)"
           f" FROM ({inner}) p GROUP BY p.grid_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in cursor.fetchall()}


def _visit_delays(grids: QuerySet[Area], start: dt.datetime,
                  end: dt.datetime) -> tuple[dict[int, list[float]], list[float]]:
    """The month's visits: per grid, seconds from observation to receipt; and, over all, to the case raised."""
    rows = (Visit.objects.filter(grid__in=grids.values("pk"), observed_at__gte=start, observed_at__lt=end)
            .annotate(observed_s=Seconds("observed_at"), received_s=Seconds("received_at"),
                      case_s=Seconds("case__registered_at"))
            .values_list("grid_id", "observed_s", "received_s", "case_s").order_by())
    by_grid: dict[int, list[float]] = defaultdict(list)
    to_case: list[float] = []
    for grid_id, observed, received, case in rows.iterator(chunk_size=5000):
        by_grid[grid_id].append(received - observed)
        if case is not None:
            to_case.append(case - observed)
    return by_grid, to_case


def grid_rows(grids: QuerySet[Area]) -> list[GridCoverage]:
    """The grids, in path order, each named with its community and street (found by path prefix)."""
    rows = list(grids.filter(level=Level.GRID).order_by("path").values_list("pk", "code", "name", "path"))
    wanted: set[str] = set()
    for _pk, _code, _name, path in rows:
        parts = path.split("/")
        wanted.update("/".join(parts[:i]) for i in range(1, len(parts)))
    ancestors = {path: (level, code, name) for path, level, code, name in
                 Area.objects.filter(path__in=sorted(wanted), level__in=[Level.STREET, Level.COMMUNITY])
                 .values_list("path", "level", "code", "name")}
    result = []
    for pk, code, name, path in rows:
        grid = GridCoverage(grid_id=pk, code=code, name=name, path=path)
        parts = path.split("/")
        for i in range(1, len(parts)):
            found = ancestors.get("/".join(parts[:i]))
            if found and found[0] == Level.STREET:
                grid.street_code, grid.street = found[1], found[2]
            elif found:
                grid.community_code, grid.community = found[1], found[2]
        result.append(grid)
    return result


def month_coverage(month: dt.date, grids: QuerySet[Area], *, now: dt.datetime | None = None,
                   limit: float | None = None) -> MonthCoverage:
    """Coverage of ``grids`` (a queryset of areas, already scoped to the actor) in ``month``."""
    start, end = month_bounds(month)
    moment = now or clock.now()
    as_of = min(end, max(start, moment))
    shown = grid_rows(grids)
    counts = _place_counts(grids, start, end, as_of)
    delays, to_case = _visit_delays(grids, start, end)
    cut = threshold() if limit is None else limit
    for grid in shown:
        grid.planned, grid.visited, grid.overdue = counts.get(grid.grid_id, (0, 0, 0))
        own = delays.get(grid.grid_id, [])
        grid.visits = len(own)
        grid.report = Delays.of(own)
        grid.blind = grid.visits == 0 or (grid.coverage is not None and grid.coverage < cut)
    every = [d for values in delays.values() for d in values]
    return MonthCoverage(month=month.replace(day=1), start=start, end=end, as_of=as_of, threshold=cut, grids=shown,
                         report=Delays.of(every), case_report=Delays.of(to_case))


@dataclass(frozen=True)
class OverduePlace:
    place_id: int
    grid_id: int
    name: str
    kind: str
    every_days: int
    last_visit: dt.datetime | None  # observed, before the month's end
    days_over: int  # whole days past the due date at as_of (0: under a day), as the grid's page counts them


def overdue_places(result: MonthCoverage, grid_ids: Sequence[int]) -> dict[int, list[OverduePlace]]:
    """The overdue places of some grids (the blind spots shown to a street's leader), the longest overdue first."""
    if not grid_ids:
        return {}
    grids = Area.objects.filter(pk__in=list(grid_ids))
    inner, params = _places_sql(grids, result.start, result.end, "name", "kind")
    cond = _conditions(result.start, result.end, result.as_of)
    sql = (f"SELECT p.id, p.grid_id, p.name, p.kind, p.every_days, p.created_s, p.last1_s FROM ({inner}) p"
           f" WHERE {cond['overdue']}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    as_of = result.as_of.timestamp()
    found: dict[int, list[OverduePlace]] = defaultdict(list)
    for pk, grid_id, name, kind, every, created_s, last_s in rows:
        due = (last_s if last_s is not None else created_s) + every * DAY_S
        last = None if last_s is None else dt.datetime.fromtimestamp(last_s, tz=clock.local_tz())
        found[grid_id].append(OverduePlace(pk, grid_id, name, kind, every, last, int((as_of - due) // DAY_S)))
    for places in found.values():
        places.sort(key=lambda p: (-p.days_over, p.name))
    return dict(found)

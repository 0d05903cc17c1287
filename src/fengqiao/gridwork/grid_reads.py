"""What a grid's page reads (/grids/<code>/): its patrol plan with each place's last visit and whether it is
overdue, its recent visits, its open cases (scoped by the reader), and its map.  The page itself checks
access (teams.access_grid); every read here is of that one grid.

Households (重点户) are named in full only when the caller says the reader may see them (``full``:
households.full_view_role, the view audited by the caller); otherwise their masks, and a household visit's
photos are not listed.

"Overdue" is coverage's definition (docs/gridwork/coverage.md): the place's last visit — or, never
visited, the day it was put on the plan — is more than ``every_days`` days ago.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import Max, Prefetch
from shapely.geometry import shape

from fengqiao.accounts.models import User
from fengqiao.cases import selectors
from fengqiao.cases.models import Case
from fengqiao.cases.states import OPEN_STATES
from fengqiao.gridwork.models import Finding, Place, PlaceKind, Visit, VisitPhoto
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock

RECENT_VISITS = 15
OPEN_CASES = 10
MAX_NEIGHBOURS = 24
LATE_REPORT = dt.timedelta(hours=1)  # a visit that reached the server this late was kept on the phone offline


@dataclass(frozen=True)
class PlanRow:
    place: Place
    last_visit: dt.datetime | None
    due: dt.datetime  # last visit (or the day it was planned) + every_days
    overdue: bool
    name: str = ""  # as the reader may see it (a household's masked unless ``full``)
    address: str = ""

    @property
    def status(self) -> str:
        if self.overdue:
            return "never" if self.last_visit is None else "overdue"
        return "ok"

    @property
    def overdue_days(self) -> int:
        return max(0, (clock.now() - self.due).days)


@dataclass(frozen=True)
class KindSummary:
    kind: str
    label: str
    places: int
    overdue: int
    frequencies: list[tuple[int, int]]  # (every_days, places), most frequent first


def plan(grid: Area, *, now: dt.datetime | None = None, full: bool = False) -> list[PlanRow]:
    """The grid's active places, overdue ones first (the most overdue first), then by kind and name."""
    now = now or clock.now()
    places = Place.objects.filter(grid=grid, active=True).annotate(last=Max("visits__observed_at"))
    rows = []
    for place in places:
        last: dt.datetime | None = getattr(place, "last", None)
        due = (last or place.created_at) + dt.timedelta(days=place.every_days)
        rows.append(PlanRow(place, last, due, due < now, place.shown_name(full), place.shown_address(full)))
    kinds = {k: i for i, k in enumerate(PlaceKind.values)}
    return sorted(rows, key=lambda r: (not r.overdue, r.due if r.overdue else now,
                                       kinds.get(r.place.kind, 99), r.name, r.place.pk))


def by_kind(rows: list[PlanRow]) -> list[KindSummary]:
    out = []
    for kind, label in PlaceKind.choices:
        mine = [r for r in rows if r.place.kind == kind]
        if not mine:
            continue
        freq = Counter(r.place.every_days for r in mine)
        out.append(KindSummary(kind, str(label), len(mine), sum(r.overdue for r in mine),
                               sorted(freq.items())))
    return out


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    late: bool  # reached the server more than an hour after it was observed (an offline phone)
    case_visible: bool
    place_name: str = ""  # as the reader may see it; "" without a place
    photos: tuple[VisitPhoto, ...] = ()  # the ones the reader may see (none of a household's when masked)
    photos_hidden: int = 0  # a household visit's photos the reader may not see


def photos_visible(visit: Visit, full: bool) -> bool:
    """A household visit's photos show the home and its people: only to those who see households in full."""
    return full or visit.place is None or not visit.place.is_household


def recent_visits(user: User, grid: Area, *, limit: int = RECENT_VISITS, full: bool = False) -> list[VisitRow]:
    """The grid's newest visits (by the phone's clock) with their photos; a raised case is linked only if the
    reader sees it."""
    visits = list(Visit.objects.filter(grid=grid).select_related("place", "worker", "case", "campaign")
                  .prefetch_related(Prefetch("photos", queryset=VisitPhoto.objects.order_by("pk")))
                  .order_by("-observed_at", "-pk")[:limit])
    case_ids = {v.case_id for v in visits if v.case_id is not None}
    visible = set(selectors.visible_cases(user).filter(pk__in=sorted(case_ids)).values_list("pk", flat=True)) \
        if case_ids else set()
    rows = []
    for v in visits:
        photos = tuple(v.photos.all())
        shown = photos_visible(v, full)
        rows.append(VisitRow(v, v.received_at - v.observed_at > LATE_REPORT, v.case_id in visible,
                             place_name=v.place.shown_name(full) if v.place else "",
                             photos=photos if shown else (), photos_hidden=0 if shown else len(photos)))
    return rows


def visit_counts(grid: Area, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Visits observed in the last 30 days, and how many of them found a problem."""
    now = now or clock.now()
    recent = Visit.objects.filter(grid=grid, observed_at__gte=now - dt.timedelta(days=30), observed_at__lte=now)
    return {"visits_30d": recent.count(), "issues_30d": recent.filter(finding=Finding.ISSUE).count()}


def open_cases(user: User, grid: Area, *, limit: int = OPEN_CASES) -> tuple[list[Case], int]:
    """The open cases located in the grid that the reader may see (scope.case_filter), newest first."""
    qs = selectors.visible_cases(user).filter(grid=grid, status__in=[s.value for s in OPEN_STATES])
    return list(qs.select_related("category").order_by("-registered_at", "-pk")[:limit]), qs.count()


def neighbours(grid: Area) -> list[Area]:
    """The grids sharing a border with this one (any street's), nearest first."""
    if not grid.geometry:
        return []
    geom = shape(grid.geometry)
    minx, miny, maxx, maxy = geom.bounds
    pad_x, pad_y = max(maxx - minx, 0.005) * 1.5, max(maxy - miny, 0.005) * 1.5
    candidates = Area.objects.filter(
        level=Level.GRID, geometry__isnull=False, centroid_lng__range=(minx - pad_x, maxx + pad_x),
        centroid_lat__range=(miny - pad_y, maxy + pad_y)).exclude(pk=grid.pk)
    near = geom.buffer(2e-5)
    shapely.prepare(near)
    found = [(shape(a.geometry).centroid.distance(geom.centroid), a) for a in candidates
             if near.intersects(shape(a.geometry))]
    return [a for _d, a in sorted(found, key=lambda t: (t[0], t[1].code))[:MAX_NEIGHBOURS]]


def grid_map(grid: Area, rows: list[PlanRow]) -> dict[str, Any] | None:
    """For ECharts (gridwork/grid.js): the grid (highlighted) and its neighbours, the places as points."""
    if not grid.geometry:
        return None
    features = [{"type": "Feature", "properties": {"name": grid.name, "current": True}, "geometry": grid.geometry}]
    features += [{"type": "Feature", "properties": {"name": a.name, "code": a.code}, "geometry": a.geometry}
                 for a in neighbours(grid)]
    points = [{"name": r.name, "value": [r.place.lng, r.place.lat], "status": r.status,
               "kind": r.place.get_kind_display()} for r in rows]
    return {"geojson": {"type": "FeatureCollection", "features": features}, "current": grid.name,
            "places": points}

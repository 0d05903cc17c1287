"""Point → grid with a shapely STRtree over the grid polygons, built once per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from fengqiao.jurisdictions.models import Area, Level

_REFRESH_SECONDS = 300.0


@dataclass
class _Index:
    built: float
    tree: STRtree
    ids: list[int]


_lock = threading.Lock()
_index: _Index | None = None
_city: tuple[float, shapely.Geometry | None] | None = None  # (built, union of the city's polygons)
_listeners: list[Callable[[], None]] = []


def _build() -> _Index:
    geoms, ids = [], []
    for area_id, geometry in Area.objects.filter(level=Level.GRID, geometry__isnull=False).values_list(
        "id", "geometry"
    ):
        geom = shape(geometry)
        shapely.prepare(geom)
        geoms.append(geom)
        ids.append(area_id)
    return _Index(built=time.monotonic(), tree=STRtree(geoms), ids=ids)


def invalidate() -> None:
    """Drop this process's indexes (and those of listeners, e.g. the gazetteer): areas changed."""
    global _index, _city
    with _lock:
        _index = None
        _city = None
    for listener in list(_listeners):
        listener()


def on_invalidate(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the areas change (signals, bulk imports, the demo), once per listener."""
    if listener not in _listeners:
        _listeners.append(listener)


def _city_shape() -> shapely.Geometry | None:
    """The union of the district polygons; of the grid polygons when no district has a boundary."""
    for level in (Level.DISTRICT, Level.GRID):
        rows = Area.objects.filter(level=level, geometry__isnull=False).values_list("geometry", flat=True)
        shapes = [shape(g) for g in rows.iterator(chunk_size=500)]
        if shapes:
            union = shapely.union_all(shapes)
            shapely.prepare(union)
            return union
    return None


def within_city(lng: float, lat: float) -> bool:
    """Whether the point lies in the city (on a border counts as in).  With no boundaries at all there is
    nothing to check against, and every point is accepted."""
    global _city
    with _lock:
        if _city is None or time.monotonic() - _city[0] > _REFRESH_SECONDS:
            _city = (time.monotonic(), _city_shape())
        union = _city[1]
    if union is None:
        return True
    return bool(shapely.intersects_xy(union, lng, lat))


def grid_at(lng: float, lat: float) -> int | None:
    """The id of the grid containing the point, or None when it falls in no grid."""
    global _index
    with _lock:
        if _index is None or time.monotonic() - _index.built > _REFRESH_SECONDS:
            _index = _build()
        index = _index
    hits = index.tree.query(Point(lng, lat), predicate="intersects")
    if len(hits) == 0:
        return None
    return index.ids[int(min(hits))]


def ancestors(area: Area) -> dict[str, Area]:
    """The area and its ancestors by level."""
    found: dict[str, Area] = {}
    node: Area | None = area
    while node is not None:
        found[node.level] = node
        node = node.parent
    return found

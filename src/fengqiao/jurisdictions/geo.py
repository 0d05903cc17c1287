"""Point → grid with a shapely STRtree over the grid polygons, built once per process."""

from __future__ import annotations

import threading
import time
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
    global _index
    with _lock:
        _index = None


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

"""A Taizhou-like jurisdiction tree: city → 6 districts → streets → communities → grids.

Each level is cut out of its parent by a Voronoi diagram of random points inside the parent (one Lloyd
step for rounder shapes), clipped to the parent, so children tile their parent without gaps.  Parts of a
cell cut off by a concave parent are given to the neighbour they share the longest border with, so every
area is one polygon.  Coordinates are snapped to 5 decimals (about 1 m).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from fengqiao.demo.names import PlaceNames
from fengqiao.demo.roads import name_roads
from fengqiao.jurisdictions.models import Level

PRECISION = 1e-5

# A rough outline of the city, north (兴化) to south-east (靖江), the Yangtze on the south-west side.
OUTLINE = [
    (119.72, 33.18), (119.95, 33.20), (120.10, 33.12), (120.08, 32.90), (120.22, 32.75), (120.33, 32.62),
    (120.35, 32.45), (120.30, 32.30), (120.38, 32.12), (120.40, 31.98), (120.25, 31.92), (120.12, 31.97),
    (119.98, 32.08), (119.88, 32.20), (119.82, 32.28), (119.78, 32.40), (119.70, 32.55), (119.62, 32.72),
    (119.60, 32.90), (119.65, 33.05),
]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    slug: str
    seed: tuple[float, float]
    streets: int
    urban: float  # share of streets that are 街道 (the rest are 镇)


DISTRICTS = [
    District("321202", "海陵区", "hailing", (119.92, 32.49), 9, 0.9),
    District("321203", "高港区", "gaogang", (119.87, 32.31), 7, 0.4),
    District("321204", "姜堰区", "jiangyan", (120.15, 32.53), 15, 0.3),
    District("321281", "兴化市", "xinghua", (119.85, 32.93), 32, 0.15),
    District("321282", "靖江市", "jingjiang", (120.28, 32.03), 11, 0.3),
    District("321283", "泰兴市", "taixing", (120.05, 32.17), 16, 0.25),
]


@dataclass(frozen=True)
class Scale:
    streets_per_district: tuple[int, ...] | None  # None: the districts' own numbers
    communities: int  # in the whole city
    grids_per_community: tuple[int, ...]  # drawn uniformly from these


FULL = Scale(None, 1800, (2, 3, 3, 4, 4, 4, 4, 5, 6))
SMALL = Scale((2, 1, 1, 1, 1, 1), 14, (2,))
SCALES = {"full": FULL, "small": SMALL}


@dataclass
class Node:
    code: str
    name: str
    level: str
    geom: BaseGeometry
    parent: Node | None = None
    population: int = 0
    children: list[Node] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # road and landmark names (demo.roads)

    @property
    def path(self) -> str:
        return f"{self.parent.path}/{self.code}" if self.parent else self.code


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, PRECISION)


def _outline(rng: random.Random) -> Polygon:
    """The outline, densified with a little noise so borders are not ruler-straight."""
    points: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in zip(OUTLINE, OUTLINE[1:] + OUTLINE[:1], strict=True):
        for step in range(6):
            t = step / 6
            jitter = 0.0 if step == 0 else 0.012
            points.append((x0 + (x1 - x0) * t + rng.uniform(-jitter, jitter),
                           y0 + (y1 - y0) * t + rng.uniform(-jitter, jitter)))
    return _snap(shapely.make_valid(Polygon(points)).buffer(0))


def random_points(geom: BaseGeometry, count: int, rng: random.Random) -> np.ndarray:
    """``count`` uniform random points inside ``geom`` (rejection sampling in its bounds)."""
    minx, miny, maxx, maxy = geom.bounds
    found: list[np.ndarray] = []
    total = 0
    generator = np.random.default_rng(rng.randrange(2**32))
    while total < count:
        want = max(16, (count - total) * 3)
        xs = generator.uniform(minx, maxx, want)
        ys = generator.uniform(miny, maxy, want)
        inside = shapely.contains_xy(geom, xs, ys)
        batch = np.column_stack([xs[inside], ys[inside]])
        found.append(batch)
        total += len(batch)
    return np.vstack(found)[:count]


def _cells(parent: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent, ordered=True)
    return [cell.intersection(parent) for cell in diagram.geoms]


def _single_parts(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Give every stray part of a cell to the neighbour it shares the longest border with."""
    cells = [c for c in cells if not c.is_empty]
    strays: list[BaseGeometry] = []
    for i, cell in enumerate(cells):
        parts = sorted(getattr(cell, "geoms", [cell]), key=lambda g: g.area, reverse=True)
        parts = [p for p in parts if isinstance(p, Polygon)]
        cells[i] = parts[0]
        strays += parts[1:]
    for stray in strays:
        shared = [stray.boundary.intersection(c.boundary).length for c in cells]
        best = int(np.argmax(shared))
        merged = shapely.union(cells[best], stray)
        if isinstance(merged, Polygon):
            cells[best] = merged
    return cells


def subdivide(parent: BaseGeometry, count: int, rng: random.Random) -> list[BaseGeometry]:
    """``count`` (or, rarely, fewer) polygons that tile ``parent``."""
    if count <= 1:
        return [parent]
    seeds = random_points(parent, count, rng)
    cells = _cells(parent, seeds)
    # one Lloyd step: move each seed to its cell's centre, for rounder cells
    centres = np.array([[c.centroid.x, c.centroid.y] if not c.is_empty else seed
                        for c, seed in zip(cells, seeds, strict=True)])
    cells = _single_parts(_cells(parent, centres))
    result = []
    for cell in cells:
        snapped = _snap(cell)
        if snapped.is_empty:
            continue
        if not isinstance(snapped, Polygon):
            snapped = max(getattr(snapped, "geoms", [snapped]), key=lambda g: g.area)
        if isinstance(snapped, Polygon) and snapped.area > 0:
            result.append(snapped)
    return sorted(result, key=lambda g: (-round(g.centroid.y, 3), g.centroid.x))  # north-west first


def _districts(outline: BaseGeometry, rng: random.Random) -> list[BaseGeometry]:
    """Each district is the union of the Voronoi cells of a cloud of seeds around its seat."""
    seeds, owner = [], []
    for index, district in enumerate(DISTRICTS):
        spread = 0.05 + 0.01 * district.streets ** 0.5
        for _ in range(9):
            seeds.append((district.seed[0] + rng.gauss(0, spread), district.seed[1] + rng.gauss(0, spread)))
            owner.append(index)
    cells = _cells(outline, np.array(seeds))
    shapes = []
    for index in range(len(DISTRICTS)):
        union = shapely.union_all([c for c, o in zip(cells, owner, strict=True) if o == index])
        shapes.append(union)
    # a district must be one piece: stray pieces go to a neighbour
    return [_snap(g) for g in _single_parts(shapes)]


def build(scale: Scale, rng: random.Random, progress: Callable[[int], object] | None = None) -> Node:
    """The whole tree in memory (no database); ``progress`` is told of each street done."""
    outline = _outline(rng)
    city = Node("3212", "泰州市", Level.CITY, outline)
    names = PlaceNames(rng)
    shapes = _districts(outline, rng)
    streets_wanted = scale.streets_per_district or tuple(d.streets for d in DISTRICTS)
    total_streets = sum(streets_wanted)
    for district, shape, n_streets in zip(DISTRICTS, shapes, streets_wanted, strict=True):
        node = Node(district.code, district.name, Level.DISTRICT, shape, city)
        city.children.append(node)
        for s_index, street_geom in enumerate(subdivide(shape, n_streets, rng), start=1):
            is_street = rng.random() < district.urban
            street = Node(f"{district.code}{s_index:03d}", names.take("街道" if is_street else "镇"),
                          Level.STREET, street_geom, node)
            node.children.append(street)
            n_communities = max(1, round(scale.communities / total_streets * rng.uniform(0.6, 1.4)))
            _communities(street, n_communities, is_street, scale, names, rng)
            if progress:
                progress(1)
    _fill_population(city)
    name_roads(city)
    return city


def _communities(street: Node, count: int, urban: bool, scale: Scale, names: PlaceNames,
                 rng: random.Random) -> None:
    for c_index, geom in enumerate(subdivide(street.geom, count, rng), start=1):
        village = not urban and rng.random() < 0.75
        community = Node(f"{street.code}{c_index:03d}", names.take("村" if village else "社区"),
                         Level.COMMUNITY, geom, street)
        street.children.append(community)
        for g_index, grid_geom in enumerate(subdivide(geom, rng.choice(scale.grids_per_community), rng), 1):
            grid = Node(f"{community.code}{g_index:03d}", f"{community.name}第{g_index}网格", Level.GRID,
                        grid_geom, community, population=rng.randint(300, 900) if village else
                        rng.randint(700, 1500))
            community.children.append(grid)


def _fill_population(node: Node) -> int:
    if node.children:
        node.population = sum(_fill_population(child) for child in node.children)
    return node.population


def walk(node: Node) -> list[Node]:
    """Every node, parents before children."""
    out = [node]
    for child in node.children:
        out += walk(child)
    return out


def geojson(geom: BaseGeometry) -> dict[str, object]:
    """A GeoJSON geometry with coordinates rounded to 5 decimals."""
    def ring(coords: object) -> list[list[float]]:
        return [[round(x, 5), round(y, 5)] for x, y in coords]  # type: ignore[attr-defined]

    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": [ring(geom.exterior.coords)]
                + [ring(r.coords) for r in geom.interiors]}
    return {"type": "MultiPolygon",
            "coordinates": [[ring(p.exterior.coords)] + [ring(r.coords) for r in p.interiors]
                            for p in geom.geoms]}


def centroid(geom: BaseGeometry) -> tuple[float, float]:
    """The centroid, or a point on the surface when the centroid falls outside (a crescent)."""
    point = geom.centroid
    if not geom.contains(point):
        point = geom.representative_point()
    return round(point.x, 5), round(point.y, 5)

"""The full-scale city outline and its subdivision, without a database."""

from __future__ import annotations

import random
from collections import Counter

import shapely
from shapely.geometry import Polygon

from fengqiao.demo import geography
from fengqiao.jurisdictions.models import Level


def test_full_city_has_the_planned_shape_and_tiles_without_gaps() -> None:
    city = geography.build(geography.FULL, random.Random(2026))
    nodes = geography.walk(city)
    levels = Counter(n.level for n in nodes)
    assert levels[Level.DISTRICT] == 6
    assert levels[Level.STREET] == sum(d.streets for d in geography.DISTRICTS) == 90
    assert 1600 <= levels[Level.COMMUNITY] <= 2000
    assert 6000 <= levels[Level.GRID] <= 8000
    minx, miny, maxx, maxy = city.geom.bounds
    assert minx >= 119.55
    assert maxx <= 120.45
    assert miny >= 31.85
    assert maxy <= 33.25
    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
        shapes = [n.geom for n in nodes if n.level == level]
        assert all(isinstance(g, Polygon) and g.is_valid and g.area > 0 for g in shapes)
        # the level covers the city (what is lost to rounding slivers is under 0.01 %)
        assert abs(sum(g.area for g in shapes) - city.geom.area) < city.geom.area * 1e-4
        assert shapely.union_all(shapes).symmetric_difference(city.geom).area < city.geom.area * 1e-4
    codes = [n.code for n in nodes]
    assert len(codes) == len(set(codes))
    names = [n.name for n in nodes if n.level in (Level.STREET, Level.COMMUNITY)]
    assert len(names) == len(set(names))
    assert all(n.name.endswith(("街道", "镇")) for n in nodes if n.level == Level.STREET)
    assert all(n.name.endswith(("社区", "村")) for n in nodes if n.level == Level.COMMUNITY)
    assert city.population == sum(n.population for n in nodes if n.level == Level.GRID)


def test_same_seed_same_city() -> None:
    first = geography.walk(geography.build(geography.SMALL, random.Random(7)))
    second = geography.walk(geography.build(geography.SMALL, random.Random(7)))
    assert [(n.code, n.name, n.geom.wkt) for n in first] == [(n.code, n.name, n.geom.wkt) for n in second]


def test_random_points_fall_inside() -> None:
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]).difference(Polygon([(0, 0), (0.9, 0), (0.9, 0.9), (0, 0.9)]))
    points = geography.random_points(square, 500, random.Random(1))
    assert len(points) == 500
    assert shapely.contains_xy(square, points[:, 0], points[:, 1]).all()

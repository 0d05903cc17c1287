"""Checking an area's boundary: a valid Polygon or MultiPolygon in longitude/latitude (WGS-84 / GCJ-02)."""

from __future__ import annotations

import json
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely import wkt
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

POLYGONAL = ("Polygon", "MultiPolygon")


class BoundaryError(ValueError):
    pass


def _plain(geometry: dict[str, Any]) -> dict[str, Any]:
    """Type and coordinates only, as JSON would store them (lists, not tuples)."""
    return {"type": geometry["type"], "coordinates": json.loads(json.dumps(geometry["coordinates"]))}


def _parse(raw: Any) -> tuple[BaseGeometry, dict[str, Any] | None]:
    """The shapely geometry and, when it came as GeoJSON, the GeoJSON dict."""
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped.startswith("{"):
            try:
                raw = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise BoundaryError(_("边界不是合法的 GeoJSON：%(msg)s") % {"msg": exc.msg}) from exc
        else:
            try:
                return wkt.loads(stripped), None
            except (GEOSException, ShapelyError, ValueError) as exc:
                raise BoundaryError(_("边界既不是 GeoJSON 也不是 WKT")) from exc
    if not isinstance(raw, dict) or "type" not in raw or "coordinates" not in raw:
        raise BoundaryError(_("边界须为含 type 与 coordinates 的 GeoJSON 几何对象"))
    if raw["type"] not in POLYGONAL:
        raise BoundaryError(_("边界须为 Polygon 或 MultiPolygon，而不是 %(type)s") % {"type": raw["type"]})
    try:
        return shape(raw), raw
    except (GEOSException, ShapelyError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise BoundaryError(_("边界坐标格式错误：%(msg)s") % {"msg": exc}) from exc


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polygons = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polygons) if len(polygons) > 1 else (polygons[0] if polygons else Polygon())


def clean_boundary(raw: Any, *, repair: bool = False) -> dict[str, Any] | None:
    """A GeoJSON geometry dict ready to store, None for no boundary, or BoundaryError with the reason.

    A GeoJSON input is stored as given (so that export → import → export is identical); WKT is converted.
    With ``repair``, an invalid polygon (self-intersection …) is mended with shapely's make_valid.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    geom, as_geojson = _parse(raw)
    if geom.geom_type not in POLYGONAL:
        raise BoundaryError(_("边界须为 Polygon 或 MultiPolygon，而不是 %(type)s") % {"type": geom.geom_type})
    if geom.is_empty:
        raise BoundaryError(_("边界为空"))
    if not shapely.is_valid(geom):
        if not repair:
            raise BoundaryError(_("边界无效：%(reason)s") % {"reason": explain_validity(geom)})
        geom = _polygonal_part(make_valid(geom))
        if geom.is_empty:
            raise BoundaryError(_("边界无效且无法修复"))
        as_geojson = None
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise BoundaryError(_("边界坐标超出经纬度范围（须为经度、纬度）"))
    return _plain(as_geojson if as_geojson is not None else dict(mapping(geom)))


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point inside the boundary (the centroid when it falls inside, else a point on the surface)."""
    geom = shape(geometry)
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return round(point.x, 7), round(point.y, 7)

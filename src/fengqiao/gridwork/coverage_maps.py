"""The data the coverage pages hand to ECharts: our own grid (or street) polygons with their coverage, and the
bars of a chart.  Up to ``MAP_GRID_LIMIT`` grids are drawn one by one; more (a district, the city: 6,906
grids) are drawn as their streets, each coloured by its grids summed — a click on a street opens it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fengqiao.jurisdictions.models import Area, Level

MAP_GRID_LIMIT = 400


class Row(Protocol):
    code: str
    name: str
    planned: int
    visited: int
    overdue: int
    visits: int

    @property
    def coverage(self) -> float | None: ...


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _value(row: Row, blind: int) -> dict[str, Any]:
    return {"name": row.code, "value": pct(row.coverage), "label": row.name, "planned": row.planned,
            "visited": row.visited, "overdue": row.overdue, "visits": row.visits, "blind": blind}


def labels(threshold: float) -> dict[str, str]:
    t = f"{threshold * 100:.0f}%"
    return {
        "coverage": _("覆盖率"), "planned": _("应巡"), "visited": _("已巡"), "overdue": _("超期"),
        "visits": _("走访次数"), "blind": _("盲区网格"), "none": _("无巡查计划"), "open": _("点击查看网格"),
        "bad": _("低于 50%"), "low": _("50%%–%(t)s") % {"t": t}, "ok": _("%(t)s–95%%") % {"t": t},
        "good": _("95% 及以上"), "threshold": _("达标线 %(t)s") % {"t": t},
    }


def area_map(rows: Sequence[Row], areas: QuerySet[Area], *, level: Level, threshold: float, blind: Sequence[int],
             drill: str = "") -> dict[str, Any] | None:
    """Polygons of ``rows`` (found among ``areas`` by code), each with its figures; None without geometry."""
    geometry = dict(areas.filter(code__in=[r.code for r in rows], geometry__isnull=False)
                    .values_list("code", "geometry"))
    features = [{"type": "Feature", "properties": {"name": r.name, "code": r.code}, "geometry": geometry[r.code]}
                for r in rows if r.code in geometry]
    if not features:
        return None
    return {"geojson": {"type": "FeatureCollection", "features": features},
            "values": [_value(r, b) for r, b in zip(rows, blind, strict=True) if r.code in geometry],
            "level": str(level), "threshold": pct(threshold), "drill": drill, "labels": labels(threshold)}


def bars(rows: Sequence[Row], threshold: float) -> dict[str, Any]:
    """A bar chart of coverage by area, the worst first (areas with nothing planned last)."""
    ordered = sorted(rows, key=lambda r: (r.coverage is None, r.coverage or 0.0, r.name))
    return {"names": [r.name for r in ordered], "values": [pct(r.coverage) for r in ordered],
            "planned": [r.planned for r in ordered], "visited": [r.visited for r in ordered],
            "threshold": pct(threshold), "labels": labels(threshold)}

"""Reference data the forms offer (categories, units, areas): not case data, so not scoped by case.

Grids for the registration map are limited to the areas the user reaches (jurisdictions.scope).
"""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Category
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Area, Level, Unit

MAP_GRID_LIMIT = 400


def category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Active categories grouped by their top level, each labelled with its path below the top."""
    rows = list(Category.objects.filter(active=True).select_related("parent").order_by("code"))
    by_id = {c.pk: c for c in rows}
    groups: dict[int, list[tuple[int, str]]] = {}
    tops = [c for c in rows if c.parent_id is None]
    for cat in rows:
        path = [cat]
        while path[-1].parent_id is not None and path[-1].parent_id in by_id:
            path.append(by_id[path[-1].parent_id])
        top = path[-1]
        below = [c.name for c in reversed(path[:-1])]
        label = " / ".join(below) if below else top.name
        groups.setdefault(top.pk, []).append((cat.pk, label))
    return [(top.name, groups.get(top.pk, [])) for top in tops]


def category_path(category: Category | None) -> list[str]:
    names: list[str] = []
    node = category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return list(reversed(names))


def unit_choices(case: Case) -> list[tuple[str, list[tuple[int, str]]]]:
    """Units for dispatch: those that handle the case's category (or its ancestors) first, then all."""
    active = list(Unit.objects.filter(active=True).order_by("level", "code"))
    category_ids: list[int] = []
    node = case.category
    while node is not None:
        category_ids.append(node.pk)
        node = node.parent
    handling = set(
        Unit.objects.filter(active=True, categories__in=category_ids).values_list("pk", flat=True)
    ) if category_ids else set()
    suggested = [(u.pk, u.name) for u in active if u.pk in handling]
    others = [(u.pk, u.name) for u in active if u.pk not in handling]
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    if suggested:
        groups.append(("suggested", suggested))
    groups.append(("all", others))
    return groups


def districts() -> list[Area]:
    return list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))


def filter_categories() -> list[tuple[int, str]]:
    """Top and second-level categories for the inbox filter (a filter includes the subtree)."""
    rows = Category.objects.filter(level__lte=2).order_by("code")
    return [(c.pk, ("　" if c.level == 2 else "") + c.name) for c in rows]


def _feature(area: Area, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": area.name, **props}, "geometry": area.geometry}


def case_map(case: Case) -> dict[str, Any] | None:
    """The case's grid (highlighted) among its community's grids, and the point, for ECharts."""
    if case.grid is None and case.lng is None:
        return None
    areas: list[Area] = []
    if case.community_id is not None:
        areas = list(Area.objects.filter(parent_id=case.community_id, level=Level.GRID, geometry__isnull=False))
    elif case.grid is not None and case.grid.geometry:
        areas = [case.grid]
    features = [_feature(a, current=a.pk == case.grid_id) for a in areas]
    if not features:
        return None
    point = [case.lng, case.lat] if case.lng is not None and case.lat is not None else None
    return {"geojson": {"type": "FeatureCollection", "features": features},
            "current": case.grid.name if case.grid else "", "point": point}


def reach_map(user: User) -> dict[str, Any] | None:
    """The registration map: the grids the user reaches; when they are too many to click on (a city-wide
    operator), the streets she reaches instead — a click on one opens its grids (:func:`street_grids`).
    None when she reaches no area."""
    area_q = scope.area_filter(user)
    if area_q == scope.NOTHING:
        return None
    grids = list(
        Area.objects.filter(area_q, level=Level.GRID, geometry__isnull=False).order_by("path")[: MAP_GRID_LIMIT + 1]
    )
    if not grids:
        return None
    if len(grids) <= MAP_GRID_LIMIT:
        return {"geojson": {"type": "FeatureCollection", "features": [_feature(g) for g in grids]},
                "current": "", "point": None}
    streets = list(Area.objects.filter(area_q, level=Level.STREET, geometry__isnull=False).order_by("path"))
    if not streets or len(streets) > MAP_GRID_LIMIT:
        return None
    return {"geojson": {"type": "FeatureCollection", "features": [_feature(s, id=s.pk) for s in streets]},
            "current": "", "point": None, "drill": True}


def street_grids(user: User, street_id: int) -> dict[str, Any] | None:
    """The grids of one street that the user reaches, for the drill-down of the registration map; None
    when the street is not in her reach."""
    area_q = scope.area_filter(user)
    if area_q == scope.NOTHING:
        return None
    street = Area.objects.filter(area_q, pk=street_id, level=Level.STREET).first()
    if street is None:
        return None
    grids = Area.objects.filter(area_q, level=Level.GRID, geometry__isnull=False,
                                path__startswith=f"{street.path}/").order_by("path")
    return {"id": street.pk, "name": street.name,
            "geojson": {"type": "FeatureCollection", "features": [_feature(g) for g in grids]}}

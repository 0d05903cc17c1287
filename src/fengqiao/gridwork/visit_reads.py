"""One visit as staff read it (/grids/<code>/visits/<id>/): the visit of a grid the reader may open
(teams.access_grid), its photos (none of a household's unless the reader sees households in full), the
case it raised if the reader sees that case, and its map — the grid, the place's point and the phone's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases import selectors
from fengqiao.gridwork.grid_reads import LATE_REPORT, photos_visible
from fengqiao.gridwork.models import Visit, VisitPhoto
from fengqiao.jurisdictions.models import Area
from fengqiao.kit.errors import NotFound

FAR_M = 300.0  # a point this far from its place is worth a look (docs/gridwork/patrol.md)
BROWSER_IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})  # HEIC is downloaded, not drawn


def visit_in(grid: Area, visit_id: int) -> Visit:
    """The grid's visit ``visit_id`` (the caller has checked the grid); NotFound otherwise."""
    visit = (Visit.objects.filter(grid=grid, pk=visit_id)
             .select_related("place", "worker", "case", "campaign", "grid").first())
    if visit is None:
        raise NotFound(_("没有找到该走访记录，或您无权查看。"))
    return visit


def photo_of(visit: Visit, photo_id: int, *, full: bool) -> VisitPhoto:
    photo = visit.photos.filter(pk=photo_id).first() if photos_visible(visit, full) else None
    if photo is None:
        raise NotFound(_("没有找到该照片，或您无权查看。"))
    return photo


@dataclass(frozen=True)
class VisitDetail:
    visit: Visit
    place_name: str
    place_address: str
    photos: list[VisitPhoto]
    photos_hidden: int
    case_visible: bool
    delay: dt.timedelta  # received_at − observed_at
    late: bool
    far: bool

    @property
    def delay_seconds(self) -> float:
        return self.delay.total_seconds()


def detail(user: User, visit: Visit, *, full: bool) -> VisitDetail:
    photos = list(visit.photos.order_by("pk"))
    shown = photos_visible(visit, full)
    visible = visit.case_id is not None and selectors.visible_cases(user).filter(pk=visit.case_id).exists()
    delay = visit.received_at - visit.observed_at
    return VisitDetail(
        visit=visit, place_name=visit.place.shown_name(full) if visit.place else "",
        place_address=visit.place.shown_address(full) if visit.place else "",
        photos=photos if shown else [], photos_hidden=0 if shown else len(photos), case_visible=visible,
        delay=delay, late=delay > LATE_REPORT, far=(visit.distance_m or 0.0) > FAR_M,
    )


def visit_map(visit: Visit, place_name: str) -> dict[str, Any] | None:
    """For ECharts (gridwork/visit.js): the grid's outline, the place's point and the point the phone sent."""
    grid = visit.grid
    if not grid.geometry:
        return None
    feature = {"type": "Feature", "properties": {"name": grid.name}, "geometry": grid.geometry}
    place = visit.place
    return {
        "geojson": {"type": "FeatureCollection", "features": [feature]}, "grid": grid.name,
        "point": {"name": _("走访定位") if visit.located_by == "gps" else _("走访点位置"),
                  "value": [visit.lng, visit.lat]},
        "place": {"name": place_name, "value": [place.lng, place.lat]} if place else None,
    }

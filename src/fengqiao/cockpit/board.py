"""The public board (公开监督): per district (and a district's streets) for this month, last month or this
year, the matters received and resolved, the resolution, on-time and satisfaction rates — from the cockpit's
``Fact`` rows only, anonymised (docs/board.md):

* no case text, no names, no units: areas only;
* an area with fewer than ``MIN_CASES`` matters in the period shows "<10" for its counts and "—" for its
  rates; an area at or above it shows each rate only when that rate's own base (valid matters, matters due,
  evaluations) is at least ``MIN_CASES``;
* when exactly one area of a table is suppressed, the next smallest area is suppressed too, so the exact
  total cannot give the hidden one back by subtraction (the row of matters without an area is no area: when
  it is the only one suppressed, nothing else is hidden);
* a district hidden in the city's table is hidden on its own page too (its total and its streets);
* in February, when this year is last month plus this month, what is hidden in one of the three views is
  hidden in all three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cockpit import selectors as sel
from fengqiao.cockpit.models import CITY_SCOPE, MEASURES, Dim, FactMonth
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, periods
from fengqiao.kit.errors import NotFound, ValidationFailed

MIN_CASES = 10
CACHE_SECONDS = 300
PERIODS = {"month": gettext_lazy("本月"), "last-month": gettext_lazy("上月"), "year": gettext_lazy("今年")}


def board_period(key: str | None, today: dt.date | None = None) -> tuple[str, sel.Period]:
    key = (key or "month").strip()
    today = today or clock.today()
    if key == "month":
        return key, periods.month(today)
    if key == "last-month":
        return key, periods.month(today).previous()
    if key == "year":
        return key, periods.year(today.year)
    raise ValidationFailed(_("没有“%(p)s”这个统计期：可选本月、上月或今年。") % {"p": key},
                           fields={"period": _("可选 month、last-month、year")})


def board_scope(code: str | None) -> sel.Scope:
    """The whole city, or one district by its code (the public sees districts and, inside one, streets)."""
    code = (code or "").strip()
    if not code:
        city = Area.objects.filter(level=Level.CITY).order_by("pk").first()
        return sel.Scope(CITY_SCOPE, city.name if city else _("全市"), Level.CITY, None)
    area = Area.objects.filter(code=code, level=Level.DISTRICT).first()
    if area is None:
        raise NotFound(_("没有编码为“%(c)s”的区县。") % {"c": code[:24]})
    return sel.Scope(area.pk, area.name, area.level, area)


@dataclass(frozen=True)
class Figures:
    """One area's published figures: None where suppressed (shown "<10" or "—")."""

    received: int | None
    resolved: int | None
    resolution_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    suppressed: bool  # counts hidden (fewer than MIN_CASES, or hidden beside another)

    @staticmethod
    def _count(value: int | None) -> str:
        return f"<{MIN_CASES}" if value is None else f"{value:,}"

    @staticmethod
    def _rate(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.1f}%"

    @property
    def texts(self) -> dict[str, str]:
        return {"received": self._count(self.received), "resolved": self._count(self.resolved),
                "resolution": self._rate(self.resolution_rate), "on_time": self._rate(self.on_time_rate),
                "satisfaction": self._rate(self.satisfaction_rate)}


def publish(t: sel.Totals, *, hide: bool = False) -> Figures:
    if hide or t.received < MIN_CASES:
        return Figures(None, None, None, None, None, True)

    def rate(part: int, base: int) -> float | None:  # unrounded: the page rounds once, to 0.1 %
        return part / base if base >= MIN_CASES else None

    return Figures(t.received, t.resolved, rate(t.resolved, t.valid), rate(t.on_time, t.due),
                   rate(t.satisfied, t.evaluated), False)


@dataclass(frozen=True)
class Place:
    code: str  # for the drill-down (districts), else ""
    name: str
    figures: Figures


@dataclass(frozen=True)
class Board:
    scope: sel.Scope
    period_key: str
    period: sel.Period
    as_of: dt.datetime | None
    total: Figures
    level: str  # of the rows: district / street
    areas: list[Place]


def _children(scope: sel.Scope) -> list[Area]:
    if scope.area is None:
        return list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    return list(Area.objects.filter(level=Level.STREET, parent=scope.area).order_by("code"))


def _counts(scope: sel.Scope, period: sel.Period) -> dict[str, Any]:
    """The raw sums, cached for ``CACHE_SECONDS``: the board is public and read far more than it changes."""
    key = f"cockpit-board:{scope.id}:{period.key}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    dim = Dim.DISTRICT if scope.area is None else Dim.STREET
    rows = {r.key: r.totals.as_dict() for r in sel.breakdown(scope, period, dim)}
    stamps = list(FactMonth.objects.filter(month__in=period.months).values_list("computed_at", flat=True))
    found = {"total": sel.totals(scope, period).as_dict(), "rows": rows,
             "as_of": max(stamps) if stamps else None}
    cache.set(key, found, CACHE_SECONDS)
    return found


def _totals(values: dict[str, Any]) -> sel.Totals:
    return sel.Totals(**{m: int(values.get(m) or 0) for m in MEASURES})


def _rows(scope: sel.Scope, counts: dict[str, Any]) -> tuple[list[tuple[str, str, sel.Totals]], int]:
    """(drill code, name, totals) per child area in code order, then the matters without one; and how many
    of the rows are areas."""
    children = _children(scope)
    rows = [(a.code if a.level == Level.DISTRICT else "", a.name, _totals(counts["rows"].get(str(a.pk), {})))
            for a in children]
    known = {str(a.pk) for a in children}
    unplaced = [_totals(v) for k, v in counts["rows"].items() if k not in known]
    if unplaced and any(t.received for t in unplaced):
        merged = sel.Totals(**{m: sum(getattr(t, m) for t in unplaced) for m in MEASURES})
        rows.append(("", _("未明确区域"), merged))
    return rows, len(children)


def _suppressed(rows: list[tuple[str, str, sel.Totals]], areas: int) -> set[str]:
    small = [i for i, (_c, _n, t) in enumerate(rows) if t.received < MIN_CASES]
    hide = {rows[i][1] for i in small}
    if len(small) == 1 and small[0] < areas and areas > 1:
        # secondary suppression: the single hidden area would come back as the total less the others; the
        # "unplaced" row is no area, so it alone needs no protection (and never triggers a hidden district)
        others = sorted((rows[i][2].received, i) for i in range(areas) if i not in small)
        hide.add(rows[others[0][1]][1])
    return hide


def _year_is_two_months(today: dt.date) -> bool:
    """In February this year is last month plus this month, so one view could be had from the other two."""
    return today.month == 2


def build(scope: sel.Scope, period_key: str, period: sel.Period, *, linked: bool = True) -> Board:
    counts = _counts(scope, period)
    rows, areas = _rows(scope, counts)
    hide = _suppressed(rows, areas)
    hide_total = False
    if linked and period_key in PERIODS and _year_is_two_months(clock.today()):
        for other in PERIODS:  # what is hidden in one of the three views is hidden in all of them
            if other != period_key:
                seen = build(scope, other, board_period(other)[1], linked=False)
                hide |= {p.name for p in seen.areas if p.figures.suppressed}
                hide_total |= seen.total.suppressed
    if scope.area is not None and _hidden_in_city(scope.area, period_key, period):
        # a district hidden in the city's table stays hidden on its own page: its total, or its streets
        # summed, would give it back
        hide |= {name for _c, name, _t in rows}
        hide_total = True
    places = [Place(code, name, publish(t, hide=name in hide)) for code, name, t in rows]
    level = Level.DISTRICT if scope.area is None else Level.STREET
    return Board(scope, period_key, period, counts["as_of"], publish(_totals(counts["total"]), hide=hide_total),
                 level, places)


def _hidden_in_city(district: Area, period_key: str, period: sel.Period) -> bool:
    city = build(board_scope(""), period_key, period)
    return any(p.code == district.code and p.figures.suppressed for p in city.areas)


def chart_data(board: Board) -> dict[str, Any]:
    """For the ECharts bars: names and values, None where suppressed (drawn as a gap labelled <10 / —)."""
    def pct(v: float | None) -> float | None:
        return None if v is None else round(100 * v, 1)

    rows = board.areas
    return {
        "names": [a.name for a in rows],
        "received": [a.figures.received for a in rows],
        "resolved": [a.figures.resolved for a in rows],
        "resolution": [pct(a.figures.resolution_rate) for a in rows],
        "on_time": [pct(a.figures.on_time_rate) for a in rows],
        "satisfaction": [pct(a.figures.satisfaction_rate) for a in rows],
        "labels": {"received": _("受理"), "resolved": _("办结"), "small": f"<{MIN_CASES}"},
    }

"""A hand-computed patrol month (June 2026, 30 days, Asia/Shanghai) over the test city's four grids.

Grid 0 (城东街道 · 东风社区第1网格), places and what the definitions make of them (docs/gridwork/coverage.md):

| place | every | created | visits observed (local)                  | planned | visited | overdue at 07-01 |
|-------|-------|---------|-------------------------------------------|---------|---------|------------------|
| A     | 7     | Jan 1   | Jun 3, Jun 20                             | yes (a) | yes     | yes (due Jun 27) |
| B     | 30    | Jan 1   | May 20                                    | yes (a) | no      | yes (due Jun 19) |
| C     | 90    | Jan 1   | Apr 15                                    | no: due Jul 14 | — | no           |
| D     | 90    | Jan 1   | Mar 1, Jun 10                             | yes (b: due May 30) | yes | no   |
| E     | 60    | Jan 1   | never                                     | yes (b: due Mar 2) | no | yes         |
| F     | 14    | Jun 20  | Jun 25                                    | no: 11 days of month < 14, due Jul 4 | — | no |
| G     | 7     | Jun 15  | Jun 16 (raised a case 5 min later)        | yes (a: 16 days ≥ 7) | yes | yes (due Jun 23) |
| H     | 7     | Jan 1, inactive | Jun 8                             | no (inactive) | — | —              |
| I     | 30    | Jan 1   | Jun 28, received Jul 3 (offline phone)    | yes (a) | yes     | no               |
| J     | 30    | Jan 1   | May 1, Jul 1 00:30                        | yes (a) | no      | yes (due May 31) |
| K     | 30    | Jan 1   | Jun 1 07:00 (May 31 23:00 UTC)            | yes (a) | yes     | no (due Jul 1 07:00) |
| —     |       |         | one visit to no place, Jun 12             |         |         |                  |

→ planned 8, visited 5 (62.5 %, a blind spot), overdue 5, visits observed in June 9 (A×2, D, F, G, H, I, K, none).
Grid 1: one 30-day place visited Jun 5 → 1/1, 1 visit.  Grid 2 (城西): nothing → a blind spot (no visit).
Grid 3 (城西): one 10-day place visited Jun 2, 12, 22 → 1/1, not overdue (due Jul 2), 3 visits.
City: planned 10, visited 7, overdue 5, visits 13.  Seconds from observation to receipt: grid 0 — 60, 120,
300, 30, 600, 90, 432000 (I), 45, 180; grid 1 — 240; grid 3 — 15, 20, 25.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from fengqiao.gridwork.models import Campaign, Place, PlaceKind, TeamRole, Visit
from fengqiao.jurisdictions.models import Area
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
JUNE = dt.date(2026, 6, 1)
AFTER_JUNE = dt.datetime(2026, 7, 10, 9, 0, tzinfo=SH)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


JAN_1 = at(1, 1, 0)


@dataclass
class Month:
    city: City
    places: dict[str, Place] = field(default_factory=dict)
    case: Case | None = None


def place(grid: Area, name: str, every: int, created: dt.datetime = JAN_1, *, active: bool = True,
          kind: str = PlaceKind.RENTAL) -> Place:
    # not households by default: a household's name is masked on every page and in coverage's SQL (its
    # plain name is encrypted, docs/gridwork/patrol.md), and these tests read the places by name
    centre = (grid.centroid_lng or 0.0, grid.centroid_lat or 0.0)
    return Place.objects.create(grid=grid, kind=kind, name=name, lng=centre[0], lat=centre[1], every_days=every,
                                active=active, created_at=created)


def visit(city: City, grid: Area, where: Place | None, observed: dt.datetime, delay_s: float = 60, *,
          role: str = TeamRole.GRID_WORKER, campaign: Campaign | None = None) -> Visit:
    return Visit.objects.create(
        client_id=uuid.uuid4(), grid=grid, place=where, campaign=campaign, worker=city.users["grid_worker"],
        team_role=role, observed_at=observed, received_at=observed + dt.timedelta(seconds=delay_s),
        lng=grid.centroid_lng or 0.0, lat=grid.centroid_lat or 0.0)


def build_june(city: City) -> Month:
    g0, g1, _g2, g3 = city.grids
    month = Month(city)
    p = month.places
    p["A"] = place(g0, "甲户", 7)
    visit(city, g0, p["A"], at(6, 3), 60)
    visit(city, g0, p["A"], at(6, 20), 120)
    p["B"] = place(g0, "乙铺", 30)
    visit(city, g0, p["B"], at(5, 20))
    p["C"] = place(g0, "丙校", 90)
    visit(city, g0, p["C"], at(4, 15))
    p["D"] = place(g0, "丁厂", 90)
    visit(city, g0, p["D"], at(3, 1))
    visit(city, g0, p["D"], at(6, 10), 300)
    p["E"] = place(g0, "戊房", 60)
    p["F"] = place(g0, "己房", 14, created=at(6, 20, 9))
    visit(city, g0, p["F"], at(6, 25), 30)
    p["G"] = place(g0, "庚户", 7, created=at(6, 15, 9))
    raised = visit(city, g0, p["G"], at(6, 16), 600)
    p["H"] = place(g0, "辛户", 7, active=False)
    visit(city, g0, p["H"], at(6, 8), 90)
    p["I"] = place(g0, "壬户", 30)
    visit(city, g0, p["I"], at(6, 28), 5 * 86400)  # the phone was offline for five days
    p["J"] = place(g0, "癸户", 30)
    visit(city, g0, p["J"], at(5, 1))
    visit(city, g0, p["J"], at(7, 1, 0, 30))  # observed in July: not June's
    p["K"] = place(g0, "子户", 30)
    visit(city, g0, p["K"], at(6, 1, 7), 45)  # 2026-05-31 23:00 UTC: June in Shanghai
    visit(city, g0, None, at(6, 12), 180)

    p["L"] = place(g1, "丑户", 30)
    visit(city, g1, p["L"], at(6, 5), 240)
    p["M"] = place(g3, "寅户", 10)
    for day, delay in ((2, 15), (12, 20), (22, 25)):
        visit(city, g3, p["M"], at(6, day), delay)

    lng, lat = city.point_in(0)
    month.case = services.register(city.users["grid_worker"], services.RegisterInput(
        channel=Channel.GRID_PATROL, title="楼道堆物", description="巡查发现楼道堆放杂物，存在消防隐患",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat, registered_at=at(6, 16, 10, 5))).case
    raised.case = month.case
    raised.save(update_fields=["case"])
    return month

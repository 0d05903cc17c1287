"""The demo's patrol plans: 5–8 places per grid (重点户, 沿街商铺, 出租房, 学校, 企业, 重点场所) at points inside
the grid, each visited every 7, 14, 30 or 90 days by its kind; a few put on the plan during the year."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Max
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from fengqiao.demo.geography import random_points
from fengqiao.demo.names import person_name
from fengqiao.demo.patrol_rows import columns_of, db_time, fill
from fengqiao.gridwork.models import Place, PlaceKind
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.bulk import insert_rows
from fengqiao.kit.pii import EncryptedTextField

CITY = "3212"
MARGIN = 0.0003  # ≈ 30 m: places sit this far inside their grid, so a GPS point around one stays in it

K = PlaceKind
# kind → (weight in a town grid, weight in a village grid)
KIND_WEIGHTS = {K.HOUSEHOLD: (2.0, 3.0), K.SHOP: (2.0, 1.0), K.RENTAL: (2.0, 1.0), K.SCHOOL: (0.3, 0.3),
                K.COMPANY: (0.5, 0.8), K.KEY_PLACE: (1.0, 0.6)}
# kind → (every_days, weight)
FREQUENCIES = {K.HOUSEHOLD: ((7, 10), (14, 40), (30, 50)), K.SHOP: ((14, 20), (30, 80)),
               K.RENTAL: ((14, 30), (30, 70)), K.SCHOOL: ((30, 60), (90, 40)), K.COMPANY: ((30, 40), (90, 60)),
               K.KEY_PLACE: ((7, 30), (14, 70))}
HOUSEHOLDS = ["独居老人", "空巢老人", "低保户", "残疾人家庭", "困难家庭", "重点关注", "留守儿童"]
SHOPS = ["便利店", "小吃店", "五金店", "理发店", "水果店", "药店", "快递驿站", "烟酒店", "早餐店", "电动车维修店"]
SCHOOLS = ["小学", "幼儿园", "中心小学", "初级中学"]
INDUSTRIES = ["机械制造", "纺织", "食品", "电子科技", "船舶配件", "新材料", "医药", "物流", "建材", "服装"]
KEY_PLACES = ["农贸市场", "网吧", "KTV", "加油站", "养老院", "棋牌室", "建筑工地", "公交站台", "沿河步道", "文化广场"]
NEW_DURING_YEAR = 0.06


@dataclass(frozen=True)
class GridInfo:
    id: int
    code: str
    name: str
    community: str  # name
    street: str  # code
    street_name: str
    district: str  # code
    district_name: str
    village: bool
    roads: tuple[str, ...]
    shape: BaseGeometry

    @property
    def community_code(self) -> str:
        return self.code[:12]


def load_grids() -> list[GridInfo]:
    """Every grid of the demo city with its ancestors' codes and names and its community's roads."""
    areas = Area.objects.filter(path__startswith=f"{CITY}/")
    upper = {pk: (code, name, parent) for pk, code, name, parent in
             areas.exclude(level=Level.GRID).values_list("pk", "code", "name", "parent_id")}
    rows = list(areas.filter(level=Level.GRID).order_by("code")
                .values_list("pk", "code", "name", "parent_id", "geometry", "aliases"))
    roads: dict[int, list[str]] = {}
    for _pk, _code, _name, community_id, _geom, aliases in rows:
        roads.setdefault(community_id, []).extend(aliases or [])
    out = []
    for pk, code, name, community_id, geometry, _aliases in rows:
        _c_code, c_name, street_id = upper[community_id]
        s_code, s_name, district_id = upper[street_id]
        d_code, d_name, _city = upper[district_id]
        short = c_name.removesuffix("社区").removesuffix("村")
        out.append(GridInfo(pk, code, name, c_name, s_code, s_name, d_code, d_name, c_name.endswith("村"),
                            tuple(roads[community_id]) or (f"{short}路",), shape(geometry)))
    return out


@dataclass(frozen=True)
class PlannedPlace:
    grid: GridInfo
    name: str
    kind: str
    every_days: int
    lng: float
    lat: float
    created_at: dt.datetime


def _kinds(grid: GridInfo, rng: random.Random, wanted: tuple[str, ...]) -> list[str]:
    count = rng.randint(5, 8)
    kinds = list(KIND_WEIGHTS)
    weights = [w[1] if grid.village else w[0] for w in KIND_WEIGHTS.values()]
    picked = [K.HOUSEHOLD.value, K.RENTAL.value, *wanted]  # every grid has both; a campaign's kind where it runs
    picked += [str(k) for k in rng.choices(kinds, weights=weights, k=max(0, count - len(picked)))]
    return sorted(picked, key=lambda k: list(KIND_WEIGHTS).index(PlaceKind(k)))


def _name(grid: GridInfo, kind: str, rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """(name, address) of a place, unique in its grid."""
    for _ in range(50):
        road, number = rng.choice(grid.roads), rng.randint(1, 288)
        spot = f"{road}{number}号"
        short = grid.community.removesuffix("社区").removesuffix("村")
        name = {
            K.HOUSEHOLD: f"{person_name(rng)}家（{rng.choice(HOUSEHOLDS)}）",  # sealed: a person's
            K.SHOP: f"{spot} {rng.choice(SHOPS)}",
            K.RENTAL: f"{road}{number}号{rng.randint(1, 6)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室 出租房",
            K.SCHOOL: f"{short}{rng.choice(SCHOOLS)}",
            K.COMPANY: f"泰州{short}{rng.choice(INDUSTRIES)}有限公司",
            K.KEY_PLACE: f"{road}{rng.choice(KEY_PLACES)}",
        }[PlaceKind(kind)]
        if name not in taken:
            taken.add(name)
            return name, f"{grid.district_name}{grid.street_name}{spot}"
    return f"{name}（{len(taken)}）", f"{grid.district_name}{grid.street_name}"


def create_places(grids: list[GridInfo], year_start: dt.datetime, now: dt.datetime, rng: random.Random,
                  wanted: dict[str, tuple[str, ...]]) -> list[tuple[int, PlannedPlace]]:
    """Write every grid's plan; return (place id, place) in id order.  ``wanted``: district code → kinds
    every grid of that district has at least one of (the campaigns' targets)."""
    rows: list[dict[str, object]] = []
    planned: list[PlannedPlace] = []
    span = (now - year_start).total_seconds()
    for grid in grids:
        kinds = _kinds(grid, rng, wanted.get(grid.district, ()))
        inner = grid.shape.buffer(-MARGIN)
        where = inner if not inner.is_empty and inner.area > grid.shape.area * 0.25 else grid.shape
        points = np.asarray(random_points(where, len(kinds), rng))
        taken: set[str] = set()
        for kind, (x, y) in zip(kinds, points, strict=True):
            every = rng.choices(*zip(*FREQUENCIES[PlaceKind(kind)], strict=True))[0]
            if rng.random() < NEW_DURING_YEAR:  # put on the plan during the year
                created = year_start + dt.timedelta(seconds=int(rng.uniform(0.05, 0.9) * span))
            else:
                created = year_start - dt.timedelta(days=rng.randint(20, 700), seconds=rng.randrange(86400))
            name, address = _name(grid, kind, rng, taken)
            place = PlannedPlace(grid, name, kind, every, round(float(x), 6), round(float(y), 6),
                                 created.replace(microsecond=0))
            planned.append(place)
            rows.append(_values(grid, kind, name, address, place, every))
    columns = columns_of(Place)
    before = Place.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(Place._meta.db_table, columns.names, [fill(columns, row) for row in rows])
    ids = list(Place.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    return list(zip(ids, planned, strict=True))  # ids follow the rows' order (one executemany, one COPY)


def _values(grid: GridInfo, kind: str, name: str, address: str, place: PlannedPlace,
            every: int) -> dict[str, object]:
    """A place's columns; a household is sealed as the model seals it (its name and address are a person's:
    encrypted, with masks in ``name``/``address``)."""
    values: dict[str, object] = {"grid_id": grid.id, "kind": kind, "name": name, "address": address,
                                 "lng": place.lng, "lat": place.lat, "every_days": every, "active": True,
                                 "created_at": db_time(place.created_at.timestamp())}
    if kind == PlaceKind.HOUSEHOLD:
        sealed = Place(kind=kind, name=name, address=address)
        if hasattr(sealed, "seal"):
            sealed.seal()
        values |= {f.attname: f.get_db_prep_save(getattr(sealed, f.attname), connection)
                   for f in Place._meta.concrete_fields if isinstance(f, EncryptedTextField)}
        values |= {"name": sealed.name, "address": sealed.address}
    return values

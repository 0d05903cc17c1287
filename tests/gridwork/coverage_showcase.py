"""A district that looks like one, for the coverage pages in the browser: six streets cut out of a district
outline (demo.geography's Voronoi cells), each with communities and grids, patrol places and last month's
visits — some grids well patrolled, some behind, a few with no visit at all.  The arithmetic is tested
on the hand-computed month (coverage_month.py); this is for the eye."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from shapely.geometry import Polygon

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases import services
from fengqiao.cases.models import Channel
from fengqiao.demo import geography
from fengqiao.gridwork.coverage import month_bounds
from fengqiao.gridwork.models import Campaign, Place, PlaceKind, TeamMember, TeamRole, Visit
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from tests.factories import PASSWORD, City

OUTLINE = Polygon([(119.86, 32.43), (119.93, 32.42), (119.99, 32.45), (120.01, 32.50), (119.97, 32.55),
                   (119.90, 32.56), (119.85, 32.52), (119.84, 32.47)])
STREETS = ["凤凰街道", "京泰路街道", "红旗街道", "城南街道"]
COMMUNITIES = ["莲花", "周山河", "扬桥", "永丰", "城中", "草巷", "寺巷", "明珠",
               "春晖", "锦绣", "渔行", "五一", "迎春", "梅兰", "泰山", "府前", "稻河", "凤凰",
               "鼓楼", "塘湾", "九龙", "苏陈", "罡杨", "新街", "海光", "东进", "乔园", "光孝", "坡子", "税东"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "建华", "桂兰", "志强", "海燕", "国庆", "玉梅", "晓东", "丽娟", "卫东", "红梅", "春生"]
PLACE_NAMES = {
    PlaceKind.HOUSEHOLD: "{n}号楼重点户", PlaceKind.SHOP: "{road}{n}号商铺", PlaceKind.RENTAL: "{road}{n}号出租房",
    PlaceKind.SCHOOL: "{c}小学", PlaceKind.COMPANY: "{c}机械厂", PlaceKind.KEY_PLACE: "{c}农贸市场",
}
ROADS = ["东风路", "鼓楼路", "海陵路", "青年路", "凤凰路", "京泰路"]


def previous_month() -> dt.date:
    return (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def street_leader(city: City) -> User:
    user = User.objects.create_user(username="leader_chengdong", password=PASSWORD, display_name="城东街道 李主任",
                                    is_staff=True)
    Membership.objects.create(user=user, role=Role.LEADER, area=city.street)
    return user


def _streets(city: City, rng: random.Random) -> list[tuple[Area, Polygon]]:
    cells = geography.subdivide(OUTLINE, 2 + len(STREETS), rng)
    city.district.geometry = geography.geojson(OUTLINE)
    city.district.save(update_fields=["geometry"])
    streets = [city.street, city.other_street]
    for i, name in enumerate(STREETS, start=3):
        streets.append(Area.objects.create(code=f"{city.district.code}{i:03d}", name=name, level=Level.STREET,
                                           parent=city.district))
    for street, cell in zip(streets, cells, strict=False):
        street.geometry = geography.geojson(cell)
        street.save(update_fields=["geometry"])
    return list(zip(streets, cells, strict=False))


def _grids(city: City, street: Area, cell: Polygon, rng: random.Random, names: list[str]) -> list[Area]:
    existing = list(Area.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"))
    communities = geography.subdivide(cell, 5, rng)
    grids: list[Area] = []
    for index, shape in enumerate(communities):
        community = existing[index] if index < len(existing) else Area.objects.create(
            code=f"{street.code}{index + 1:03d}", name=f"{names.pop()}社区", level=Level.COMMUNITY, parent=street)
        community.geometry = geography.geojson(shape)
        community.save(update_fields=["geometry"])
        old = list(Area.objects.filter(parent=community, level=Level.GRID).order_by("code"))
        for g, part in enumerate(geography.subdivide(shape, max(len(old), rng.choice([3, 4, 5])), rng), start=1):
            lng, lat = geography.centroid(part)
            grid = old[g - 1] if g <= len(old) else Area(code=f"{community.code}{g + 50:02d}", level=Level.GRID,
                                                         parent=community)
            grid.name = f"{community.name}第{g}网格"
            grid.geometry, grid.centroid_lng, grid.centroid_lat = geography.geojson(part), lng, lat
            grid.save()
            grids.append(grid)
    return grids


def _patrol(city: City, grid: Area, month: dt.date, rng: random.Random, diligence: float) -> None:
    start, end = month_bounds(month)
    worker = city.users["grid_worker"]
    TeamMember.objects.create(grid=grid, role=TeamRole.GRID_WORKER, name=rng.choice(SURNAMES) + rng.choice(GIVEN))
    places = []
    for n in range(rng.randint(6, 14)):
        kind = rng.choice([PlaceKind.HOUSEHOLD] * 3 + [PlaceKind.RENTAL] * 2 + [PlaceKind.SHOP] * 2 +
                          [PlaceKind.SCHOOL, PlaceKind.COMPANY, PlaceKind.KEY_PLACE])
        name = PLACE_NAMES[kind].format(n=rng.randint(1, 60), road=rng.choice(ROADS), c=grid.name[:2])
        places.append(Place.objects.create(
            grid=grid, kind=kind, name=f"{name}·{n + 1}", lng=grid.centroid_lng or 0, lat=grid.centroid_lat or 0,
            every_days=rng.choice([7, 14, 30, 30, 30, 90]), created_at=start - dt.timedelta(days=rng.randint(40, 300))))
    span = (end - start).total_seconds()
    for where in places:
        if rng.random() < 0.6:  # visited last before the month: the place's cycle runs from there
            before = start - dt.timedelta(days=rng.uniform(1, where.every_days))
            _visit(city, grid, where, before, worker)
        if rng.random() > diligence:
            continue
        for _ in range(max(1, round(30 / where.every_days * rng.uniform(0.6, 1.1)))):
            _visit(city, grid, where, start + dt.timedelta(seconds=rng.random() * span), worker)


def _visit(city: City, grid: Area, where: Place, observed: dt.datetime, worker: User) -> None:
    late = dt.timedelta(minutes=random.Random(observed.timestamp()).lognormvariate(1.5, 1.2))
    Visit.objects.create(client_id=uuid.uuid4(), grid=grid, place=where, worker=worker, observed_at=observed,
                         received_at=observed + late, lng=where.lng, lat=where.lat)


def _raise_cases(city: City, month: dt.date, rng: random.Random) -> None:
    """A few visits found something: a case each, through the ordinary registration service."""
    start, _end = month_bounds(month)
    for found in Visit.objects.filter(observed_at__gte=start, campaign=None).order_by("pk")[:200:40]:
        case = services.register(city.users["operator"], services.RegisterInput(
            channel=Channel.GRID_PATROL, title="巡查发现楼道堆物",
            description="网格员巡查发现楼道堆放杂物，堵塞消防通道",
            category_id=city.categories["leaf"].pk, lng=found.lng, lat=found.lat,
            registered_at=found.received_at + dt.timedelta(minutes=rng.uniform(3, 90)))).case
        found.case = case
        found.save(update_fields=["case"])


def build_showcase(city: City, month: dt.date) -> Campaign:
    rng = random.Random(5)
    names = list(COMMUNITIES)
    streets = _streets(city, rng)
    for (street, cell), care in zip(streets, [0.9, 0.6, 1.0, 0.8, 0.95, 0.45], strict=False):
        for grid in _grids(city, street, cell, rng, names):
            roll = rng.random()
            diligence = 0.0 if roll < 0.05 else 0.5 if roll < 0.25 else care * rng.uniform(0.9, 1.0)
            _patrol(city, grid, month, rng, diligence)
    _raise_cases(city, month, rng)
    start, end = month_bounds(month)
    campaign = Campaign.objects.create(
        name="律师进企业 · 法律体检", area=city.district, place_kinds=[PlaceKind.COMPANY, PlaceKind.SHOP],
        team_role=TeamRole.LAWYER, starts_on=month, ends_on=month + dt.timedelta(days=19),
        description="律师走访辖区企业和沿街商铺，开展合同、用工等法律体检。", created_by=city.users["admin"],
        created_at=start - dt.timedelta(days=10))
    for where in Place.objects.filter(kind__in=[PlaceKind.COMPANY, PlaceKind.SHOP]).select_related("grid"):
        if rng.random() < 0.7:
            Visit.objects.create(client_id=uuid.uuid4(), grid=where.grid, place=where, campaign=campaign,
                                 worker=city.users["grid_worker"], team_role=TeamRole.LAWYER,
                                 observed_at=(seen := start + dt.timedelta(days=rng.uniform(0, 19))),
                                 received_at=seen + dt.timedelta(minutes=rng.uniform(1, 40)), lng=where.lng,
                                 lat=where.lat)
    assert end > start
    return campaign

"""A small city for tests: one district, one street, two communities, four square grids, units and a
user of every role.  Built with the real models, no mocks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Category, DeadlinePolicy, TimeUnit
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind

PASSWORD = "fengqiao-test-1"


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


@dataclass
class City:
    city: Area
    district: Area
    street: Area
    other_street: Area
    communities: list[Area]
    grids: list[Area]
    command_centre: Unit
    hotline: Unit
    departments: list[Unit]
    categories: dict[str, Category]
    users: dict[str, User] = field(default_factory=dict)

    def point_in(self, grid_index: int) -> tuple[float, float]:
        coords = self.grids[grid_index].geometry["coordinates"][0][0]  # type: ignore[index]
        return coords[0] + 0.005, coords[1] + 0.005


def _user(username: str, role: Role, *, unit: Unit | None = None, area: Area | None = None,
          superuser: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username,
                                    is_staff=superuser or role != Role.CITIZEN, is_superuser=superuser)
    if not superuser:
        Membership.objects.create(user=user, role=role, unit=unit, area=area)
    return user


def build_city() -> City:
    city = Area.objects.create(code="3212", name="泰州市", level=Level.CITY)
    district = Area.objects.create(code="321202", name="海陵区", level=Level.DISTRICT, parent=city)
    street = Area.objects.create(code="321202001", name="城东街道", level=Level.STREET, parent=district)
    other_street = Area.objects.create(code="321202002", name="城西街道", level=Level.STREET, parent=district)
    communities = [
        Area.objects.create(code="321202001001", name="东风社区", level=Level.COMMUNITY, parent=street),
        Area.objects.create(code="321202002001", name="西园社区", level=Level.COMMUNITY, parent=other_street),
    ]
    grids = []
    for i, (community, lng, lat) in enumerate(
        [(communities[0], 119.90, 32.45), (communities[0], 119.91, 32.45),
         (communities[1], 119.80, 32.45), (communities[1], 119.81, 32.45)]
    ):
        grids.append(Area.objects.create(
            code=f"{community.code}{i + 1:02d}", name=f"{community.name}第{i + 1}网格", level=Level.GRID,
            parent=community, geometry=square(lng, lat), centroid_lng=lng + 0.005, centroid_lat=lat + 0.005,
        ))
    command_centre = Unit.objects.create(code="CC", name="市社会治理指挥中心", kind=UnitKind.COMMAND_CENTRE,
                                         level=Level.CITY, area=city)
    hotline = Unit.objects.create(code="HL", name="12345 热线中心", kind=UnitKind.HOTLINE_CENTRE,
                                  level=Level.CITY, area=city)
    departments = [
        Unit.objects.create(code="D1", name="市住房和城乡建设局", kind=UnitKind.DEPARTMENT, level=Level.CITY,
                            area=city),
        Unit.objects.create(code="D2", name="市生态环境局", kind=UnitKind.DEPARTMENT, level=Level.CITY, area=city),
        Unit.objects.create(code="D3", name="城东街道办事处", kind=UnitKind.STREET_OFFICE, level=Level.STREET,
                            area=street),
    ]
    top = Category.objects.create(code="01", name="城乡建设", level=1)
    mid = Category.objects.create(code="0101", name="物业管理", level=2, parent=top)
    leaf = Category.objects.create(code="010101", name="物业服务质量", level=3, parent=mid)
    env_top = Category.objects.create(code="02", name="环境保护", level=1)
    noise = Category.objects.create(code="0201", name="噪声污染", level=2, parent=env_top)
    DeadlinePolicy.objects.create(category=None, urgency="", accept_hours=24, resolve_amount=5,
                                  resolve_unit=TimeUnit.WORKING_DAYS)
    DeadlinePolicy.objects.create(category=noise, urgency="very_urgent", accept_hours=1, resolve_amount=24,
                                  resolve_unit=TimeUnit.HOURS)
    built = City(city=city, district=district, street=street, other_street=other_street,
                 communities=communities, grids=grids, command_centre=command_centre, hotline=hotline,
                 departments=departments,
                 categories={"top": top, "mid": mid, "leaf": leaf, "env": env_top, "noise": noise})
    built.users = {
        "operator": _user("operator", Role.OPERATOR, unit=hotline, area=city),
        "dispatcher": _user("dispatcher", Role.DISPATCHER, unit=command_centre, area=city),
        "street_dispatcher": _user("street_dispatcher", Role.DISPATCHER, area=street),
        "handler": _user("handler", Role.HANDLER, unit=departments[0]),
        "handler2": _user("handler2", Role.HANDLER, unit=departments[1]),
        "grid_worker": _user("grid_worker", Role.GRID_WORKER, area=grids[0]),
        "other_grid_worker": _user("other_grid_worker", Role.GRID_WORKER, area=grids[2]),
        "mediator": _user("mediator", Role.MEDIATOR, unit=departments[2]),
        "judge": _user("judge", Role.JUDGE, unit=departments[2]),
        "risk_officer": _user("risk_officer", Role.RISK_OFFICER, area=district),
        "leader": _user("leader", Role.LEADER, area=city),
        "citizen": _user("citizen", Role.CITIZEN),
        "other_citizen": _user("other_citizen", Role.CITIZEN),
        "admin": _user("admin", Role.ADMIN, superuser=True),
    }
    return built


def client_for(city: City, role: str) -> Client:
    """A test client signed in as the test city's user of that role."""
    client = Client()
    client.force_login(city.users[role])
    return client


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")

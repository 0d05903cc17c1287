"""Where the gazetteer is used: registration without a point, the form's address partial, the demo's roads."""

from __future__ import annotations

import random
from collections import Counter

from django.test import Client
from django.urls import reverse

from fengqiao.cases import services
from fengqiao.demo import geography
from fengqiao.demo.build import write_areas
from fengqiao.intake import gazetteer
from fengqiao.jurisdictions.models import Area, Level
from tests.factories import City
from tests.intake.test_gazetteer import with_roads


def _register(city: City, address: str, **point: float) -> services.Registered:
    data = services.RegisterInput(channel="hotline_12345", title="路灯不亮", description="路灯坏了三天",
                                  address=address, **point)  # type: ignore[arg-type]
    return services.register(city.users["operator"], data)


def test_register_places_a_case_by_its_address_when_sure(city: City) -> None:
    with_roads(city)
    case = _register(city, "西园人民路88号").case
    assert (case.grid, case.community, case.street, case.district) == (
        city.grids[3], city.communities[1], city.other_street, city.district)
    assert (case.lng, case.lat) == (None, None)  # the point stays unknown: only the grid was inferred


def test_register_leaves_an_unsure_address_unplaced(city: City) -> None:
    with_roads(city)
    assert _register(city, "人民路88号").case.grid is None  # two 人民路 in the district: a human decides
    assert _register(city, "东风社区").case.grid is None  # the community has two grids
    assert _register(city, "北京市朝阳区").case.grid is None


def test_a_given_point_wins_over_the_address(city: City) -> None:
    with_roads(city)
    lng, lat = city.point_in(0)
    assert _register(city, "西园人民路88号", lng=lng, lat=lat).case.grid == city.grids[0]


def _client(city: City, username: str) -> Client:
    client = Client()
    client.force_login(city.users[username], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_locate_partial_shows_the_chain_and_score(city: City) -> None:
    with_roads(city)
    client = _client(city, "operator")
    html = client.get(reverse("locate_address"), {"address": "西园人民路88号"}).content.decode()
    assert "海陵区 › 城西街道 › 西园社区 › 西园社区第4网格" in html
    assert "可信度 94%" in html
    assert 'data-sure="1"' in html
    assert 'data-lng="119.815"' in html
    assert 'data-lat="32.455"' in html
    unsure = client.get(reverse("locate_address"), {"address": "东风社区"}).content.decode()
    assert "海陵区 › 城东街道 › 东风社区" in unsure
    assert 'data-sure=""' in unsure
    assert "未能确定网格，请在地图上点选。" in unsure
    unknown = client.get(reverse("locate_address"), {"address": "北京市朝阳区"}).content.decode()
    assert "未能识别，请在地图上点选" in unknown
    assert client.get(reverse("locate_address"), {"address": ""}).content.decode().strip() == ""


def test_locate_partial_needs_a_registering_role(city: City) -> None:
    assert _client(city, "handler").get(reverse("locate_address"), {"address": "东风路"}).status_code == 403
    anonymous = Client().get(reverse("locate_address"), {"address": "东风路"})
    assert anonymous.status_code == 302


def test_register_form_asks_for_the_address_as_one_types(city: City) -> None:
    html = _client(city, "operator").get(reverse("case_new")).content.decode()
    assert 'hx-get="/locate/"' in html
    assert 'hx-trigger="input changed delay:500ms, change"' in html
    assert 'id="locate-result"' in html


def test_demo_communities_have_two_to_four_roads_unique_in_their_district(db: None) -> None:
    root = geography.build(geography.SMALL, random.Random(5))
    nodes = geography.walk(root)
    communities = [n for n in nodes if n.level == Level.COMMUNITY]
    assert all(2 <= sum(len(g.aliases) for g in c.children) <= 4 for c in communities)
    for district in root.children:
        names = [a for n in geography.walk(district) for a in n.aliases]
        assert len(names) == len(set(names))
    assert Counter(bool(n.aliases) for n in nodes if n.level == Level.GRID)[True] >= len(communities)
    write_areas(root)
    grid = next(n for n in nodes if n.level == Level.GRID and n.aliases)
    area = grid.parent.parent.parent  # type: ignore[union-attr]
    assert area is not None
    located = gazetteer.locate(f"{area.name}{grid.aliases[0]}附近")
    assert located is not None
    assert located.grid_id == Area.objects.get(code=grid.code).pk
    assert located.score >= gazetteer.THRESHOLD

"""The coverage pages: who may open them, what each reader sees (her area only), bad input as a 400."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.test import Client

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.gridwork.models import Campaign, PlaceKind, TeamMember, TeamRole
from tests.factories import PASSWORD, City
from tests.gridwork.coverage_month import AFTER_JUNE, Month, at, build_june, place, visit
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(city: City) -> Month:
    with time_machine.travel(at(6, 30, 12), tick=False):
        return build_june(city)


@pytest.fixture(autouse=True)
def _after_june() -> object:
    with time_machine.travel(AFTER_JUNE, tick=False) as traveller:
        yield traveller


def street_leader(city: City) -> User:
    user = User.objects.create_user(username="leader_east", password=PASSWORD, display_name="城东领导", is_staff=True)
    Membership.objects.create(user=user, role=Role.LEADER, area=city.street)
    return user


def _json(html: str, node: str) -> dict[str, object]:
    found = re.search(rf'<script id="{node}" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None, node
    return json.loads(found[1])


def _map_codes(html: str) -> list[str]:
    return [f["properties"]["code"] for f in _json(html, "coverage-map")["geojson"]["features"]]  # type: ignore[index]


def test_a_street_leader_sees_her_street_and_its_blind_spots(client: Client, june: Month) -> None:
    city = june.city
    TeamMember.objects.create(grid=city.grids[0], role=TeamRole.GRID_WORKER, name="王网格")
    client.force_login(street_leader(city), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/coverage/?month=2026-06")
    assert response.status_code == 200
    html = response.content.decode()
    assert _map_codes(html) == [city.grids[0].code, city.grids[1].code]  # her grids, not 城西's
    assert city.grids[2].name not in html
    assert city.grids[3].name not in html
    assert '<b data-testid="coverage-total">66.7%</b>' in html  # 6 of 9
    assert '<b data-testid="blind-total">1</b>' in html
    blind = html[html.index('id="blind-spots"'):html.index('class="card table-wrap cov-table-wrap"')]
    assert blind.count('class="blind-item"') == 1
    assert f'data-grid="{city.grids[0].code}"' in blind
    assert "王网格" in blind
    assert "grid_worker" in blind
    assert [name for name in ("戊房", "癸户", "乙铺", "庚户", "甲户") if name in blind] == [
        "戊房", "癸户", "乙铺", "庚户", "甲户"]
    assert blind.index("戊房") < blind.index("甲户")  # the longest overdue first
    bars = _json(html, "coverage-bars")
    assert bars["names"] == ["东风社区"]
    assert bars["values"] == [66.7]


def test_a_city_dispatcher_sees_the_streets_coloured_then_opens_one(client: Client, june: Month,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from fengqiao.gridwork import coverage_maps
    from fengqiao.jurisdictions.models import Area, Level

    for street in (june.city.street, june.city.other_street):  # the test city draws only its grids
        street.geometry = june.city.grids[0].geometry if street == june.city.street else june.city.grids[2].geometry
        street.save(update_fields=["geometry"])
    monkeypatch.setattr(coverage_maps, "MAP_GRID_LIMIT", 3)  # 4 grids: too many, draw the streets
    login(client, june.city, "dispatcher")
    html = client.get("/coverage/?month=2026-06").content.decode()
    data = _json(html, "coverage-map")
    assert data["level"] == "street"
    assert data["drill"] == "/coverage/?month=2026-06&area="
    values = {v["name"]: (v["value"], v["blind"]) for v in data["values"]}  # type: ignore[union-attr]
    assert values == {june.city.street.code: (66.7, 1), june.city.other_street.code: (100.0, 1)}
    assert '<b data-testid="coverage-total">70.0%</b>' in html
    assert 'id="blind-spots"' not in html  # the city's blind spots are listed street by street
    street_html = client.get(f"/coverage/?month=2026-06&area={june.city.other_street.code}").content.decode()
    assert _map_codes(street_html) == [g.code for g in Area.objects.filter(
        level=Level.GRID, path__startswith=f"{june.city.other_street.path}/").order_by("path")]
    assert f'data-grid="{june.city.grids[2].code}"' in street_html
    assert "该网格没有巡查计划" in street_html


@pytest.mark.parametrize("username", ["grid_worker", "handler", "citizen", "operator", "mediator"])
def test_others_are_refused(client: Client, city: City, username: str) -> None:
    login(client, city, username)
    assert client.get("/coverage/").status_code == 403
    assert client.get("/coverage/campaigns/").status_code == 403
    assert "/coverage/" not in client.get("/").content.decode()


@pytest.mark.parametrize("username", ["leader", "dispatcher", "street_dispatcher", "risk_officer", "admin"])
def test_the_readers_open_it_and_see_the_link(client: Client, city: City, username: str) -> None:
    login(client, city, username)
    assert client.get("/coverage/").status_code == 200
    assert 'href="/coverage/"' in client.get("/coverage/campaigns/").content.decode()


def test_an_area_outside_her_reach_is_not_found(client: Client, june: Month) -> None:
    client.force_login(street_leader(june.city), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/coverage/?area={june.city.other_street.code}").status_code == 404
    assert client.get(f"/coverage/?area={june.city.district.code}").status_code == 404
    assert client.get(f"/coverage/?area={june.city.communities[0].code}").status_code == 200


@pytest.mark.parametrize(("month", "says"), [("2026-13", "YYYY-MM"), ("june", "YYYY-MM"), ("2026-08", "还没有到")])
def test_a_bad_month_is_a_400_naming_it(client: Client, city: City, month: str, says: str) -> None:
    login(client, city, "leader")
    response = client.get(f"/coverage/?month={month}")
    assert response.status_code == 400
    assert says in response.content.decode()


def test_campaigns_are_listed_and_scoped(client: Client, june: Month) -> None:
    city = june.city
    school = place(city.grids[0], "东风小学", 90, kind=PlaceKind.SCHOOL)
    place(city.grids[2], "西园中学", 90, kind=PlaceKind.SCHOOL)
    campaign = Campaign.objects.create(name="检察官进校园", area=city.city, place_kinds=[PlaceKind.SCHOOL],
                                       team_role=TeamRole.PROSECUTOR, starts_on=at(6, 1).date(),
                                       ends_on=at(6, 15).date(), created_by=city.users["admin"], created_at=at(5, 20))
    Campaign.objects.create(name="城西排查", area=city.other_street, starts_on=at(6, 1).date(),
                            ends_on=at(6, 30).date(), created_by=city.users["admin"], created_at=at(5, 20))
    visit(city, city.grids[0], school, at(6, 5), role=TeamRole.PROSECUTOR, campaign=campaign)
    client.force_login(street_leader(city), backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/coverage/campaigns/").content.decode()
    assert "检察官进校园" in html
    assert "城西排查" not in html
    assert _json(html, "coverage-bars")["values"] == [100.0]  # her street's one school, visited
    page = client.get(f"/coverage/campaigns/{campaign.pk}/").content.decode()
    assert '<b data-testid="campaign-coverage">100.0%</b>' in page
    other = Campaign.objects.get(name="城西排查")
    assert client.get(f"/coverage/campaigns/{other.pk}/").status_code == 404
    login(client, city, "leader")
    page = client.get(f"/coverage/campaigns/{campaign.pk}/").content.decode()
    assert '<b data-testid="campaign-coverage">50.0%</b>' in page  # the city: one of two schools


def test_the_page_in_english(client: Client, june: Month) -> None:
    login(client, june.city, "leader")
    client.cookies["django_language"] = "en"
    html = client.get(f"/coverage/?month=2026-06&area={june.city.street.code}").content.decode()
    assert "Grid patrol coverage" in html
    assert "Blind spots (1 grid)" in html
    assert "6 of 9 planned places visited" in html

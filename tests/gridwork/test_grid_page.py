"""The grid's page (/grids/<code>/): scoped to the reader, the team with masked phones and the audited
reveal, the patrol plan with overdue places, recent visits, open cases; the ways in (the case page, the
inbox, the navigation); the teams' completeness list (/grids/teams/)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client

from fengqiao.audit.models import PersonalDataView
from fengqiao.gridwork.models import Finding, Place, PlaceKind, Visit
from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.team_kit import full_team, officer_units
from tests.web.conftest import login, register_case


def _url(city: City, grid: int = 0) -> str:
    return f"/grids/{city.grids[grid].code}/"


def _place(city: City, name: str, every: int, created_days_ago: int, grid: int = 0,
           kind: str = PlaceKind.RENTAL) -> Place:
    lng, lat = city.point_in(grid)
    return Place.objects.create(grid=city.grids[grid], kind=kind, name=name, lng=lng, lat=lat, every_days=every,
                                created_at=clock.now() - dt.timedelta(days=created_days_ago))


def _visit(city: City, place: Place, days_ago: float, *, late_hours: float = 0, **extra: object) -> Visit:
    at = clock.now() - dt.timedelta(days=days_ago)
    return Visit.objects.create(client_id=uuid.uuid4(), grid=place.grid, place=place, worker=city.users["grid_worker"],
                                observed_at=at, received_at=at + dt.timedelta(hours=late_hours, seconds=3),
                                lng=place.lng, lat=place.lat, **extra)


@pytest.mark.parametrize(("username", "status"), [
    ("grid_worker", 200), ("street_dispatcher", 200), ("leader", 200), ("admin", 200), ("risk_officer", 200),
    ("other_grid_worker", 404), ("handler", 404), ("citizen", 404), ("mediator", 404),
])
def test_the_page_is_scoped_to_the_reader(client: Client, city: City, username: str, status: int) -> None:
    full_team(city, officer_units(city))
    response = login(client, city, username).get(_url(city))
    assert response.status_code == status
    if status == 404:
        assert "没有找到网格" in response.content.decode()
        assert "王警官" not in response.content.decode()


def test_a_street_dispatcher_does_not_open_another_streets_grid(client: Client, city: City) -> None:
    assert login(client, city, "street_dispatcher").get(_url(city, 2)).status_code == 404
    assert client.get("/grids/0000/").status_code == 404


def test_the_team_with_roles_units_and_masked_phones(client: Client, city: City) -> None:
    full_team(city, officer_units(city))
    body = login(client, city, "street_dispatcher").get(_url(city)).content.decode()
    for text in ("网格员", "民警", "法官", "检察官", "律师", "调解员", "王警官", "海陵公安分局", "江苏海陵律师事务所",
                 "138****0002", "显示完整电话"):
        assert text in body, text
    assert "13800000002" not in body
    assert not PersonalDataView.objects.exists()


def test_the_reveal_shows_the_phones_and_is_audited(client: Client, city: City) -> None:
    full_team(city, officer_units(city))
    login(client, city, "grid_worker")
    response = client.post(f"{_url(city)}team/phones/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "13800000002" in body
    assert "正在显示完整电话" in body
    view = PersonalDataView.objects.get()
    assert (view.user, view.subject, view.role) == (city.users["grid_worker"], f"grid:{city.grids[0].code}",
                                                    "grid_worker")
    full = client.post(f"{_url(city)}team/phones/")  # without htmx: the whole page
    assert full.status_code == 200
    assert "巡查计划" in full.content.decode()
    assert PersonalDataView.objects.count() == 2


def test_a_role_that_may_not_reveal_gets_no_button_and_a_403(client: Client, city: City) -> None:
    full_team(city, officer_units(city))
    login(client, city, "operator")
    body = client.get(_url(city)).content.decode()
    assert "电话已脱敏显示" in body
    assert "显示完整电话" not in body
    response = client.post(f"{_url(city)}team/phones/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "13800000002" not in response.content.decode()
    assert not PersonalDataView.objects.exists()
    assert login(client, city, "handler").post(f"{_url(city)}team/phones/").status_code == 404
    assert client.get(f"{_url(city)}team/phones/").status_code == 405


def test_the_plan_shows_last_visits_and_the_overdue_places_first(client: Client, city: City) -> None:
    fresh = _place(city, "东风路 1 号出租房", 30, 100)
    _visit(city, fresh, 3)
    late = _place(city, "东风路 2 号商铺", 7, 100, kind=PlaceKind.SHOP)
    _visit(city, late, 10, late_hours=5, note="店主不在")
    _place(city, "东风小学", 90, 120, kind=PlaceKind.SCHOOL)  # never visited, planned 120 days ago
    _place(city, "西园社区某处", 7, 100, grid=2)
    body = login(client, city, "grid_worker").get(_url(city)).content.decode()
    assert body.index("东风小学") < body.index("东风路 2 号商铺") < body.index("东风路 1 号出租房")
    assert "西园社区某处" not in body
    assert 'data-testid="overdue-count">2<' in body
    assert "超期 30 天" in body  # planned 120 days ago, every 90 days
    assert "超期 3 天" in body  # last visit 10 days ago, every 7 days
    assert "从未走访" in body
    assert "离线保存" in body  # the late upload
    assert "店主不在" in body


def test_recent_visits_link_the_case_a_visit_raised_for_readers_who_see_it(client: Client, city: City) -> None:
    case = register_case(city)
    place = _place(city, "东风路 3 号", 14, 30)
    _visit(city, place, 1, finding=Finding.ISSUE, case=case)
    body = login(client, city, "grid_worker").get(_url(city)).content.decode()
    assert f"/cases/{case.code}/" in body
    assert "发现问题" in body


def test_open_cases_of_the_grid_are_listed_as_the_reader_may_see_them(client: Client, city: City) -> None:
    mine = register_case(city, grid=0)
    other = register_case(city, grid=1)
    body = login(client, city, "grid_worker").get(_url(city)).content.decode()
    assert mine.code in body
    assert other.code not in body


def test_the_map_draws_the_grid_its_neighbours_and_the_places(client: Client, city: City) -> None:
    _place(city, "东风路 1 号出租房", 30, 10)
    response = login(client, city, "street_dispatcher").get(_url(city))
    data = response.context["map"]
    names = [f["properties"]["name"] for f in data["geojson"]["features"]]
    assert names[0] == city.grids[0].name
    assert city.grids[1].name in names  # shares a border
    assert city.grids[2].name not in names  # across the city
    neighbour = data["geojson"]["features"][1]["properties"]
    assert neighbour["url"] == _url(city, 1)  # the street's dispatcher may open it
    assert [p["name"] for p in data["places"]] == ["东风路 1 号出租房"]
    worker_map = login(client, city, "grid_worker").get(_url(city)).context["map"]
    assert "url" not in worker_map["geojson"]["features"][1]["properties"]  # she may not


def test_the_case_page_links_the_grid_for_those_who_may_open_it(client: Client, city: City) -> None:
    case = register_case(city)
    body = login(client, city, "operator").get(f"/cases/{case.code}/").content.decode()
    assert f'href="{_url(city)}"' in body
    login(client, city, "dispatcher")
    from fengqiao.cases import services
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    body = login(client, city, "handler").get(f"/cases/{case.code}/").content.decode()
    assert city.grids[0].name in body
    assert f'href="{_url(city)}"' not in body


def test_the_inbox_of_a_grid_worker_links_her_grid_and_leaders_see_the_teams_list(client: Client,
                                                                                  city: City) -> None:
    body = login(client, city, "grid_worker").get("/").content.decode()
    assert "我的网格" in body
    assert f'href="{_url(city)}"' in body
    assert "/grids/teams/" not in body
    body = login(client, city, "leader").get("/").content.decode()
    assert "我的网格" not in body
    assert 'href="/grids/teams/"' in body


def test_the_teams_list_for_a_leader_and_not_for_a_handler(client: Client, city: City) -> None:
    full_team(city, officer_units(city))
    response = login(client, city, "leader").get("/grids/teams/")
    body = response.content.decode()
    assert response.status_code == 200
    assert city.grids[0].name not in body.split("<tbody>")[1]  # complete
    assert city.grids[3].name in body
    assert "缺民警" in body
    filtered = client.get("/grids/teams/?role=grid_worker").content.decode()
    assert city.grids[1].name in filtered
    assert city.grids[2].name not in filtered.split("<tbody>")[1]
    assert client.get("/grids/teams/?role=sheriff").status_code == 404
    assert login(client, city, "handler").get("/grids/teams/").status_code == 403

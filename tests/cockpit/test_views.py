"""The cockpit over HTTP: who may open it and which scopes; the data in one JSON response with clear
400s for bad input; the drill-down lists exactly the cases a figure counts and only those the reader may
see; the navigation link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.cockpit import rollup
from fengqiao.cockpit.models import CITY_SCOPE
from tests.factories import City

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rolled(city: City, cases: list[Case]) -> list[Case]:
    rollup.ensure(force=True)
    return cases


def test_a_leader_gets_every_figure_in_one_response(city: City, rolled: list[Case]) -> None:
    response = client_for(city.users["leader"]).get("/cockpit/data/", {"period": "12m"})
    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["id"] == CITY_SCOPE
    assert body["totals"]["received"] == len(rolled)
    assert sum(r["received"] for r in body["channels"]) == len(rolled)
    assert body["areas"]["dim"] == "district"
    assert body["areas"]["rows"][0]["label"] == "海陵区"
    assert sum(c["n"] for c in body["heat"]) == len(rolled)  # the one without a point, at its grid's centre
    assert body["heat"][0]["boundary"]  # hexagon corners for the map
    assert {f["properties"]["name"] for f in body["basemap"]["features"]} == {"海陵区"} or body["basemap"][
        "features"] == []
    assert set(body["trend"]) == {"all", "channel", "category"}
    assert "risk_map" in body
    # the other early-warning parts: the five-100% indicators (each linking to its shortfall), escalation
    # grades of the period's cases, hot issues
    assert [r["key"] for r in body["indicators"]["rates"]] == [
        "screening", "listing", "assessment", "control", "consolidation", "resolution"] or len(
        body["indicators"]["rates"]) == 6
    assert all(r["url"].startswith("/risk/indicators/") for r in body["indicators"]["rates"])
    assert set(body["warning"]["grades"]) == {"watch", "general", "key"}
    assert body["hot_issues"] == []  # no hot-issue run in this city


def test_the_page_shows_the_scopes_and_periods(city: City, rolled: list[Case]) -> None:
    page = client_for(city.users["leader"]).get("/cockpit/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("领导驾驶舱", "泰州市", "海陵区", "城东街道", "近12个月", 'id="ck-heat"'):
        assert text in html


def test_a_district_risk_officer_sees_her_district_and_its_streets_only(city: City, rolled: list[Case]) -> None:
    client = client_for(city.users["risk_officer"])
    body = client.get("/cockpit/data/", {"period": "12m"}).json()
    assert body["scope"]["id"] == city.district.pk
    assert body["areas"]["dim"] == "street"
    assert client.get("/cockpit/data/", {"scope": str(city.street.pk), "period": "12m"}).status_code == 200
    refused = client.get("/cockpit/data/", {"scope": str(CITY_SCOPE), "period": "12m"})
    assert refused.status_code == 404
    assert "无权" in refused.json()["detail"]


def test_a_street_dispatcher_sees_her_street(city: City, rolled: list[Case]) -> None:
    client = client_for(city.users["street_dispatcher"])
    body = client.get("/cockpit/data/", {"period": "12m"}).json()
    assert body["scope"]["id"] == city.street.pk
    in_street = Case.objects.filter(street=city.street).count()
    assert body["totals"]["received"] == in_street
    assert client.get("/cockpit/data/", {"scope": str(city.other_street.pk)}).status_code == 404


@pytest.mark.parametrize("who", ["grid_worker", "handler", "citizen", "operator"])
def test_others_are_refused_with_a_reason(city: City, rolled: list[Case], who: str) -> None:
    client = client_for(city.users[who])
    page = client.get("/cockpit/")
    assert page.status_code == 403
    assert "领导驾驶舱" in page.content.decode()
    assert client.get("/cockpit/data/").status_code == 403
    assert "/cockpit/" not in client.get("/").content.decode()


@pytest.mark.parametrize(("params", "field"), [
    ({"period": "2026-13"}, "period"), ({"period": "last week"}, "period"), ({"scope": "abc"}, "scope"),
])
def test_bad_input_is_a_400_naming_the_field(city: City, rolled: list[Case], params: dict[str, str],
                                               field: str) -> None:
    response = client_for(city.users["leader"]).get("/cockpit/data/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_drill_down_lists_the_cases_of_a_figure(city: City, rolled: list[Case]) -> None:
    client = client_for(city.users["leader"])
    body = client.get("/cockpit/data/", {"period": "12m"}).json()
    channel = body["channels"][0]
    page = client.get("/cockpit/cases/", {"period": "12m", "dim": "channel", "key": channel["key"],
                                          "measure": "received"})
    assert page.status_code == 200
    assert page.context["page"].total == channel["received"]
    overdue = client.get("/cockpit/cases/", {"period": "12m", "measure": "overdue"})
    assert overdue.context["page"].total == body["totals"]["overdue"]
    codes = {c.code for c in overdue.context["page"].items}
    assert all(Case.objects.get(code=code).deadline is not None for code in codes)
    cell = body["heat"][0]
    by_cell = client.get("/cockpit/cases/", {"period": "12m", "dim": "h3", "key": cell["cell"]})
    assert by_cell.context["page"].total == cell["n"]


def test_the_drill_down_refuses_bad_keys_and_respects_scope(city: City, rolled: list[Case]) -> None:
    client = client_for(city.users["leader"])
    assert client.get("/cockpit/cases/", {"dim": "h3", "key": "not-a-cell"}).status_code == 400
    assert client.get("/cockpit/cases/", {"measure": "everything"}).status_code == 400
    assert client.get("/cockpit/cases/", {"dim": "colour"}).status_code == 400
    street = client_for(city.users["street_dispatcher"])
    listed = street.get("/cockpit/cases/", {"period": "12m"})
    assert {c.street_id for c in listed.context["page"].items} == {city.street.pk}

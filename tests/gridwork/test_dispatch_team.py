"""The dispatch form of a dispute in a grid offers its team's mediator's and lawyer's units as one-click
lead-unit choices, with the reason; routing's own preselection (rule → model → fallback) is unchanged."""

from __future__ import annotations

from django.test import Client

from fengqiao.cases import services
from fengqiao.cases.models import Case, Category, Channel
from fengqiao.cases.routing_models import RoutingRule
from tests.factories import City
from tests.gridwork.team_kit import Units, full_team, officer_units
from tests.web.conftest import login


def _dispute(city: City, grid: int = 0) -> Case:
    top = Category.objects.create(code="03", name="政法", level=1)
    mid = Category.objects.create(code="0301", name="仲裁与调解", level=2, parent=top)
    leaf = Category.objects.create(code="030101", name="邻里纠纷", level=3, parent=mid)
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(channel=Channel.HOTLINE_12345, title="楼上漏水邻里争执", description="多次协商无果",
                                  category_id=leaf.pk, lng=lng, lat=lat)
    return services.register(city.users["operator"], data).case


def _setup(city: City) -> tuple[Units, Case]:
    units = officer_units(city)
    full_team(city, units)
    return units, _dispute(city)


def test_the_form_offers_the_teams_mediator_and_lawyer_beside_the_rule(client: Client, city: City) -> None:
    units, case = _setup(city)
    assert case.category is not None
    RoutingRule.objects.create(category=case.category, area=city.district, lead_unit=city.departments[2])
    response = login(client, city, "dispatcher").get(f"/cases/{case.code}/")
    body = response.content.decode()
    assert "分拨依据：规则：邻里纠纷 × 海陵区 → 城东街道办事处" in body  # the rule still preselects
    form = next(o.form for o in response.context["offered"] if o.name == "dispatch")
    assert form.initial["lead_unit_id"] == city.departments[2].pk
    assert f'data-team-unit="{units.mediation.pk}"' in body
    assert f'data-team-unit="{units.law_firm.pk}"' in body
    assert "网格团队：调解员 周调解（海陵区人民调解委员会）" in body
    assert 'data-reason="网格团队：东风社区第1网格的调解员 周调解（海陵区人民调解委员会）"' in body
    assert body.index("调解员 周调解") < body.index("律师 孙律师")


def test_choosing_the_mediator_dispatches_to_her_unit_through_the_ordinary_form(client: Client, city: City) -> None:
    units, case = _setup(city)
    login(client, city, "dispatcher")
    response = client.post(f"/cases/{case.code}/act/dispatch/", {
        "dispatch-expected_version": case.version, "dispatch-lead_unit_id": units.mediation.pk,
        "dispatch-text": "交网格团队调解员先行调解"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.lead_unit_id) == ("dispatched", units.mediation.pk)


def test_no_team_options_outside_disputes_or_without_a_team(client: Client, city: City) -> None:
    units = officer_units(city)
    full_team(city, units)
    lng, lat = city.point_in(0)
    plain = services.register(city.users["operator"], services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="路灯不亮", description="东风路路灯不亮",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat)).case
    body = login(client, city, "dispatcher").get(f"/cases/{plain.code}/").content.decode()
    assert "data-team-unit" not in body
    elsewhere = _dispute(city, grid=2)
    assert "data-team-unit" not in client.get(f"/cases/{elsewhere.code}/").content.decode()


def test_a_handler_without_the_dispatch_action_sees_no_team_options(client: Client, city: City) -> None:
    _units, case = _setup(city)
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    body = login(client, city, "handler").get(f"/cases/{case.code}/").content.decode()
    assert "data-team-unit" not in body

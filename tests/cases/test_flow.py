"""The flow list (流转清单) in both directions, its conditions, and cases that match no rule."""

from __future__ import annotations

import json

import pytest

from fengqiao.accounts.models import User
from fengqiao.cases import flow, selectors
from fengqiao.cases.models import Case, CaseEvent, Category, Channel
from fengqiao.cases.routing_models import CaseFlow, FlowDirection, FlowRule
from fengqiao.cases.states import State
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit.errors import PermissionDenied
from tests.cases.builders import register
from tests.factories import City

G2H, H2G = FlowDirection.GRID_TO_HOTLINE, FlowDirection.HOTLINE_TO_GRID


def flow_rule(direction: FlowDirection, category: Category | None = None, *, target: Unit | None = None,
              channels: list[str] | None = None, urgencies: list[str] | None = None,
              active: bool = True) -> FlowRule:
    return FlowRule.objects.create(direction=direction, category=category, target_unit=target,
                                   channels=channels or [], urgencies=urgencies or [], active=active)


def patrol(city: City, category: str = "leaf", grid: int = 0, **kwargs: object) -> Case:
    by = "grid_worker" if grid in (0, 1) else "other_grid_worker"
    return Case.objects.get(pk=register(city, by=by, grid=grid, category=category,
                                        channel=Channel.GRID_PATROL, **kwargs).pk)  # type: ignore[arg-type]


def hotline(city: City, category: str = "noise", grid: int = 0, **kwargs: object) -> Case:
    return Case.objects.get(pk=register(city, grid=grid, category=category, **kwargs).pk)  # type: ignore[arg-type]


def actions(case: Case) -> list[tuple[str, str]]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", "actor_role"))


def test_grid_to_hotline_puts_the_patrol_report_in_the_12345_dispatch_queue(city: City) -> None:
    made = flow_rule(G2H, city.categories["top"], target=city.hotline)
    case = patrol(city, "leaf")
    assert (case.state, case.lead_unit_id) == (State.REGISTERED, None)
    row = CaseFlow.objects.get(case=case)
    assert (row.rule, row.direction, row.queue_unit, row.grid_worker) == (made, G2H, city.hotline, None)
    event = CaseEvent.objects.get(case=case, seq=1)
    assert event.data["flow"] == {"rule": made.pk, "direction": "grid_to_hotline", "unit": city.hotline.pk,
                                  "unit_name": "12345 热线中心", "grid_worker": None, "grid_worker_name": ""}
    assert actions(case) == [("register", "grid_worker")]
    # the hotline centre's dispatcher finds it in her flow queue; the command centre's dispatcher does not
    hotline_dispatcher = _dispatcher_of(city.hotline)
    assert [c.code for c in selectors.inbox(hotline_dispatcher, "flow_queue")] == [case.code]
    assert list(selectors.inbox(city.users["dispatcher"], "flow_queue")) == []


def _dispatcher_of(unit: Unit) -> User:
    user = User.objects.create_user(username="dispatcher_12345", password="x", display_name="热线分拨")
    user.memberships.create(role="dispatcher", unit=unit, area=unit.area)
    return user


def test_a_grid_to_hotline_rule_with_no_target_uses_the_hotline_centre(city: City) -> None:
    flow_rule(G2H)
    assert CaseFlow.objects.get(case=patrol(city, "noise")).queue_unit == city.hotline


def test_hotline_to_grid_dispatches_to_the_street_office_naming_the_grid_worker(city: City) -> None:
    made = flow_rule(H2G, city.categories["env"])
    case = hotline(city, "noise", grid=0)
    assert (case.state, case.lead_unit) == (State.DISPATCHED, city.departments[2])  # 城东街道办事处
    assert case.accept_deadline is not None
    row = CaseFlow.objects.get(case=case)
    assert (row.rule, row.direction, row.queue_unit, row.grid_worker) == (
        made, H2G, None, city.users["grid_worker"])
    assert actions(case) == [("register", "operator"), ("dispatch", "system")]
    dispatch = CaseEvent.objects.get(case=case, seq=2)
    assert dispatch.note == "流转清单：热线 → 网格，网格员 grid_worker"
    assert dispatch.data["lead_unit_name"] == "城东街道办事处"
    assert dispatch.data["flow"]["grid_worker"] == city.users["grid_worker"].pk
    # the grid worker sees it under 网格交办; the other grid's worker does not see it at all
    assert [c.code for c in selectors.inbox(city.users["grid_worker"], "grid_tasks")] == [case.code]
    assert list(selectors.inbox(city.users["other_grid_worker"], "grid_tasks")) == []
    assert not selectors.visible_cases(city.users["other_grid_worker"]).filter(pk=case.pk).exists()
    # the street office's handler signs for it through the ordinary services
    from fengqiao.cases import services

    services.accept(city.users["mediator"], case.code)  # the mediator works for 城东街道办事处 (D3)
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    # the named grid worker records what she found on the ground; the street office replies
    services.add_note(city.users["grid_worker"], case.code, text="已到现场核实，噪声来自夜间施工，已劝停")
    assert actions(case)[-1] == ("note", "grid_worker")
    with pytest.raises(PermissionDenied):
        services.reply(city.users["grid_worker"], case.code, text="已到现场核实，噪声来自夜间施工，已劝停")


def test_hotline_to_grid_with_a_target_unit_and_a_grid_without_a_worker(city: City) -> None:
    flow_rule(H2G, city.categories["noise"], target=city.departments[1])
    case = hotline(city, "noise", grid=3)  # 城西: no grid worker in grid 3
    assert (case.state, case.lead_unit) == (State.DISPATCHED, city.departments[1])
    assert CaseFlow.objects.get(case=case).grid_worker is None
    assert CaseEvent.objects.get(case=case, seq=2).note == "流转清单：热线 → 网格"


def test_conditions_channel_urgency_and_category(city: City) -> None:
    flow_rule(H2G, city.categories["env"], urgencies=["urgent", "very_urgent"])
    assert hotline(city, "noise", urgency="normal").state == State.REGISTERED
    assert hotline(city, "noise", urgency="very_urgent").state == State.DISPATCHED
    # a walk-in is not a hotline channel unless the rule names it
    assert hotline(city, "noise", urgency="urgent", channel=Channel.WALK_IN).state == State.REGISTERED
    flow_rule(H2G, city.categories["env"], channels=[Channel.WALK_IN])
    assert hotline(city, "noise", channel=Channel.WALK_IN).state == State.DISPATCHED
    # a grid patrol report never matches a hotline → grid rule
    assert not CaseFlow.objects.filter(case=patrol(city, "noise")).exists()
    # another category tree does not match
    assert hotline(city, "leaf", urgency="urgent").state == State.REGISTERED


def test_the_most_specific_flow_rule_wins(city: City) -> None:
    flow_rule(H2G, None, target=city.departments[0])  # every category
    specific = flow_rule(H2G, city.categories["noise"], target=city.departments[1])
    assert hotline(city, "noise").lead_unit == city.departments[1]
    assert CaseFlow.objects.get(case__category=city.categories["noise"]).rule == specific
    assert hotline(city, "leaf").lead_unit == city.departments[0]


def test_cases_that_match_no_rule_stay_with_the_dispatcher(city: City) -> None:
    flow_rule(H2G, city.categories["env"], active=False)
    flow_rule(G2H, city.categories["env"])
    cases = [hotline(city, "noise"), patrol(city, "leaf"), hotline(city, "leaf")]
    assert [c.state for c in cases] == [State.REGISTERED] * 3
    assert CaseFlow.objects.count() == 0
    assert [actions(c) for c in cases] == [[("register", "operator")], [("register", "grid_worker")],
                                           [("register", "operator")]]
    assert all("flow" not in CaseEvent.objects.get(case=c, seq=1).data for c in cases)


def test_a_hotline_item_without_a_grid_is_not_sent_to_a_grid(city: City) -> None:
    from fengqiao.cases import services

    flow_rule(H2G)
    data = services.RegisterInput(channel=Channel.HOTLINE_12345, title="噪声扰民", description="夜间施工噪声",
                                  category_id=city.categories["noise"].pk)
    case = services.register(city.users["operator"], data).case
    assert (Case.objects.get(pk=case.pk).state, CaseFlow.objects.count()) == (State.REGISTERED, 0)


def test_matching_reads_the_rules_given(city: City) -> None:
    case = hotline(city, "noise")
    rules = [FlowRule(pk=7, direction=H2G, category=city.categories["env"]),
             FlowRule(pk=3, direction=H2G, category=None),
             FlowRule(pk=9, direction=H2G, category=city.categories["noise"])]
    found = flow.matching_flow_rule(case, rules)
    assert found is not None
    assert found.pk == 9
    found = flow.matching_flow_rule(case, rules[:2])
    assert found is not None
    assert found.pk == 7


def test_a_pushed_hotline_report_follows_the_flow_list(city: City) -> None:
    from django.test import Client

    from fengqiao.intake import keys

    flow_rule(H2G, city.categories["top"])
    secret = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=600).secret
    lng, lat = city.point_in(0)
    body = {"external_id": "HL-2026-000777", "title": "物业不作为", "description": "小区物业长期不清运垃圾。",
            "category_code": "010101", "urgency": "normal", "lng": lng, "lat": lat,
            "reported_at": "2026-03-02T09:15:00+08:00", "reporter": {"name": "张三", "phone": "13912345678"}}
    response = Client().post("/api/intake/hotline_12345/reports", json.dumps(body), content_type="application/json",
                             HTTP_X_API_KEY=secret)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "dispatched"
    case = Case.objects.get(code=response.json()["code"])
    assert (case.state, case.lead_unit) == (State.DISPATCHED, city.departments[2])
    assert actions(case) == [("register", "operator"), ("dispatch", "system")]
    assert CaseFlow.objects.get(case=case).grid_worker == city.users["grid_worker"]

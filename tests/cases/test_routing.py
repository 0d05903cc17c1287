"""Routing rules as data: specificity (category parent vs leaf, district vs street), the resolution order
rule → confident model → district fallback → dispatcher, and auto-dispatch through the dispatch service."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases import routing
from fengqiao.cases.models import Case, CaseEvent, Category
from fengqiao.cases.routing_models import RoutingFallback, RoutingRule
from fengqiao.cases.states import State
from fengqiao.intelligence import router
from fengqiao.jurisdictions.models import Area, Unit
from tests.cases.builders import register
from tests.factories import City


def rule(category: Category, area: Area, lead: Unit, *, assisting: tuple[Unit, ...] = (), auto: bool = False,
         active: bool = True) -> RoutingRule:
    made = RoutingRule.objects.create(category=category, area=area, lead_unit=lead, auto_dispatch=auto,
                                      active=active)
    made.assisting_units.set(assisting)
    return made


def lead_of(case: Case, **kwargs: Any) -> str:
    found = routing.resolve(Case.objects.get(pk=case.pk), **kwargs)
    return found.lead.code if found.lead else ""


def test_a_leaf_rule_beats_its_parent_and_the_parent_covers_the_other_leaves(city: City) -> None:
    d1, d2, _d3 = city.departments
    rule(city.categories["top"], city.district, d1)
    rule(city.categories["leaf"], city.district, d2, assisting=(d1,))
    leaf_case = register(city, category="leaf")
    found = routing.resolve(leaf_case)
    assert (found.source, found.lead, found.assisting) == ("rule", d2, [d1])
    assert found.reason == "规则：物业服务质量 × 海陵区 → 市生态环境局"
    # the mid-level category has no rule of its own: its parent's applies
    assert lead_of(register(city, category="mid")) == "D1"
    # another tree: no rule at all
    assert routing.resolve(register(city, category="noise")).source == "none"


def test_a_street_rule_beats_the_district_rule_in_its_street_only(city: City) -> None:
    d1, _d2, d3 = city.departments
    rule(city.categories["top"], city.district, d1)
    rule(city.categories["top"], city.street, d3)
    assert lead_of(register(city, category="leaf", grid=0)) == "D3"  # 城东街道
    assert lead_of(register(city, category="leaf", grid=2)) == "D1"  # 城西街道: the district's rule


def test_category_specificity_comes_before_area_specificity(city: City) -> None:
    _d1, d2, d3 = city.departments
    rule(city.categories["top"], city.street, d3)  # parent category, street
    rule(city.categories["leaf"], city.city, d2)  # leaf, the whole city
    assert lead_of(register(city, category="leaf", grid=0)) == "D2"
    considered = routing.matching_rules(routing.category_chain(city.categories["leaf"]),
                                        routing.area_chain(register(city, category="leaf", grid=0)))
    assert [(c.rule.lead_unit.code, c.category_rank, c.area_rank) for c in considered] == [("D2", 0, 4),
                                                                                           ("D3", 2, 2)]


def test_inactive_rules_and_inactive_lead_units_are_skipped(city: City) -> None:
    d1, d2, _d3 = city.departments
    rule(city.categories["leaf"], city.street, d1, active=False)
    rule(city.categories["leaf"], city.district, d2)
    rule(city.categories["top"], city.district, d1)
    assert lead_of(register(city, category="leaf")) == "D2"
    Unit.objects.filter(pk=d2.pk).update(active=False)
    assert lead_of(register(city, category="leaf")) == "D1"


def _confident(unit: Unit, p: float) -> Any:
    def suggest(text: str, extra: dict[str, str] | None = None) -> router.Suggestion:
        return router.Suggestion(categories=[], units=[(unit.pk, unit.name, p)], confident=p >= 0.6)
    return suggest


def test_the_fallback_chain_in_order(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    d1, d2, d3 = city.departments
    case = register(city, category="leaf")
    # 4. nothing known: the dispatcher decides (no model is installed in the test data directory)
    nothing = routing.resolve(case)
    assert (nothing.source, nothing.lead) == ("none", None)
    assert nothing.reason == "无规则、模型把握不足且无兜底单位，请人工分拨"
    # 3. the district's fallback unit
    RoutingFallback.objects.create(district=city.district, unit=d3)
    found = routing.resolve(case)
    assert (found.source, found.lead, found.reason) == ("fallback", d3, "兜底：海陵区 城东街道办事处")
    # a model below its confidence says nothing: still the fallback
    monkeypatch.setattr(router, "suggest", _confident(d2, 0.55))
    assert routing.resolve(case).source == "fallback"
    # 2. a confident model comes before the fallback
    monkeypatch.setattr(router, "suggest", _confident(d2, 0.86))
    found = routing.resolve(case)
    assert (found.source, found.lead, found.probability, found.reason) == (
        "model", d2, 0.86, "模型建议 86%：市生态环境局")
    # 1. a rule comes before the model
    rule(city.categories["top"], city.district, d1)
    found = routing.resolve(case)
    assert (found.source, found.lead) == ("rule", d1)


def test_a_broken_model_falls_through_to_the_fallback(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, extra: dict[str, str] | None = None) -> None:
        raise OSError("model file truncated")

    monkeypatch.setattr(router, "suggest", broken)
    RoutingFallback.objects.create(district=city.district, unit=city.departments[2])
    assert lead_of(register(city)) == "D3"


def test_a_rule_with_auto_dispatch_dispatches_on_registration(city: City) -> None:
    d1, d2, _d3 = city.departments
    made = rule(city.categories["top"], city.district, d1, assisting=(d2,), auto=True)
    case = Case.objects.get(pk=register(city, category="leaf").pk)
    assert case.state == State.DISPATCHED
    assert case.lead_unit == d1
    assert case.accept_deadline is not None
    assert sorted(case.assignments.values_list("unit__code", "role", "status")) == [
        ("D1", "lead", "pending"), ("D2", "assist", "pending")]
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [(e.action, e.actor_role, e.actor_id) for e in events] == [
        ("register", "operator", city.users["operator"].pk), ("dispatch", "system", None)]
    assert events[1].note == "规则：城乡建设 × 海陵区 → 市住房和城乡建设局（自动交办）"
    assert events[1].data["rule"] == made.pk
    assert case.event_seq == 2


def test_a_rule_without_auto_dispatch_leaves_the_case_to_the_dispatcher(city: City) -> None:
    rule(city.categories["top"], city.district, city.departments[0])
    rule(city.categories["noise"], city.district, city.departments[1], auto=True)  # another category
    case = Case.objects.get(pk=register(city, category="leaf").pk)
    assert (case.state, case.lead_unit_id, case.event_seq) == (State.REGISTERED, None, 1)


def test_explain_names_the_rule_and_every_rule_considered(city: City) -> None:
    d1, _d2, d3 = city.departments
    rule(city.categories["top"], city.district, d1)
    rule(city.categories["mid"], city.street, d3)
    found, considered = routing.explain(city.categories["leaf"], city.grids[0])
    assert found is not None
    assert found.reason == "规则：物业管理 × 城东街道 → 城东街道办事处"
    assert [(c.rule.lead_unit.code, c.category_rank, c.area_rank) for c in considered] == [("D3", 1, 2),
                                                                                           ("D1", 2, 3)]
    RoutingFallback.objects.create(district=city.district, unit=d3)
    found, considered = routing.explain(city.categories["noise"], city.grids[2])
    assert considered == []
    assert found is not None
    assert (found.source, found.lead) == ("fallback", d3)

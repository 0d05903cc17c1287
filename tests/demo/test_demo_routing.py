"""The demo city's routing rows (docs/routing.md): rules, fallbacks and the flow list, and that they route."""

from __future__ import annotations

from fengqiao.cases import routing
from fengqiao.cases.models import Category
from fengqiao.cases.routing_models import FlowRule, RoutingFallback, RoutingRule
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.routing import AUTO_DISPATCH, DISTRICT_OVERRIDES
from fengqiao.demo.units import BY_SECOND_LEVEL
from fengqiao.jurisdictions.models import Area
from tests.demo.test_demo_command import demo  # noqa: F401 — the fixture that builds a small demo


def test_the_demo_has_rules_fallbacks_and_a_flow_list(demo: str) -> None:  # noqa: F811
    seconds = set(Category.objects.filter(level=2).values_list("name", flat=True))
    owned = [n for n in BY_SECOND_LEVEL if n in seconds]
    overridden = [n for n in DISTRICT_OVERRIDES if n in seconds]
    assert RoutingRule.objects.count() == len(owned) + len(overridden) * len(DISTRICTS)
    assert RoutingRule.objects.filter(auto_dispatch=True).count() == len([n for n in AUTO_DISPATCH if n in seconds])
    assert sorted(RoutingFallback.objects.values_list("district__code", "unit__code")) == [
        (d.code, f"{d.code}-CC") for d in sorted(DISTRICTS, key=lambda d: d.code)]
    assert FlowRule.objects.filter(direction="grid_to_hotline", target_unit__code="3212-HL").count() >= 1
    assert FlowRule.objects.filter(direction="hotline_to_grid").count() >= 1
    # a district override beats the city's rule for the same category
    hailing = Area.objects.get(code="321202")
    name = overridden[0]
    found, _considered = routing.explain(Category.objects.get(level=2, name=name), hailing)
    assert found is not None
    expected = f"321202-{DISTRICT_OVERRIDES[name].upper()}"
    assert (found.source, found.lead.code if found.lead else "") == ("rule", expected)

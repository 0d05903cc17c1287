"""Routing in a real browser: the dispatch form preselects the units a rule resolves and says why; a unit
disputes (申辩); the dispute waits in the dispatchers' queue; the dispatcher re-dispatches and proposes a rule.

Screenshots go to tests/screenshots/routing-*.png (gitignored)."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases.models import Case
from fengqiao.cases.routing_models import Dispute, DisputeStatus, RoutingFallback, RoutingRule
from fengqiao.cases.states import State
from tests.factories import City
from tests.web.browser_kit import Clerk
from tests.web.conftest import register_case

pytestmark = pytest.mark.browser


def test_resolved_units_dispute_and_decision(browser: Any, live_server: Any, live_city: City) -> None:
    city, base = live_city, live_server.url
    d1, d2, d3 = city.departments
    rule = RoutingRule.objects.create(category=city.categories["top"], area=city.district, lead_unit=d1)
    rule.assisting_units.set([d2])
    RoutingFallback.objects.create(district=city.district, unit=d3)
    code = register_case(city).code

    dispatcher = Clerk(browser, base, "dispatcher")
    dispatcher.goto(f"/cases/{code}/")
    form = dispatcher.page.locator('details[data-action="dispatch"]')
    assert form.locator(".routing-reason").inner_text() == "分拨依据：规则：城乡建设 × 海陵区 → 市住房和城乡建设局"
    assert form.locator('select[name="dispatch-lead_unit_id"]').input_value() == str(d1.pk)
    assert form.get_by_label("市生态环境局", exact=True).is_checked()
    dispatcher.shot("routing-01-dispatch-form-rule")
    dispatcher.act("dispatch", {"text": "按分拨规则交办"})
    assert dispatcher.status() == "待签收"

    handler = Clerk(browser, base, "handler")
    handler.goto(f"/cases/{code}/")
    handler.act("dispute", {"text": ""})  # no reason: a clear message, nothing changed
    assert "请填写申辩理由" in handler.page.content()
    assert Case.objects.get(code=code).state == State.DISPATCHED
    handler.act("dispute", {"text": "该事项属物业合同纠纷，应由街道调解，不属于住建局职责"})
    assert handler.status() == "申辩中"
    handler.shot("routing-02-handler-disputed")

    dispatcher.goto("/?tab=disputed")
    assert code in dispatcher.page.locator("#results").inner_text()
    dispatcher.shot("routing-03-dispute-queue")
    dispatcher.page.click(f"text={code}")
    assert "待裁定的申辩" in dispatcher.page.content()
    assert "该事项属物业合同纠纷" in dispatcher.page.content()
    redispatch = dispatcher.page.locator('details[data-action="dispatch"]')
    assert redispatch.locator("summary").inner_text() == "申辩成立，改派其他单位"
    assert redispatch.locator(".routing-reason").text_content() == (
        "分拨依据：规则：城乡建设 × 海陵区 → 市住房和城乡建设局（该单位已申辩，请改派其他单位）")
    assert redispatch.locator('select[name="dispatch-lead_unit_id"]').input_value() == ""
    dispatcher.shot("routing-04-dispute-case")
    dispatcher.act("dispatch", {"text": "申辩成立，改派城东街道"}, select={"lead_unit_id": "城东街道办事处"},
                   check=["申辩成立：建议今后本街道此类事项交新主办单位（生成待管理员启用的分拨规则）"])
    assert dispatcher.status() == "待签收"
    row = Dispute.objects.get(case__code=code)
    assert (row.status, row.redispatched_to) == (DisputeStatus.ACCEPTED, d3)
    assert RoutingRule.objects.filter(area=city.street, lead_unit=d3, active=False).count() == 1
    dispatcher.shot("routing-05-redispatched")
    again = dispatcher.page.locator('details[data-action="dispatch"]')
    assert again.locator('select[name="dispatch-lead_unit_id"]').input_value() == ""  # not back to D1

    # a case no rule covers: the district's fallback unit, with its reason
    other = register_case(city)
    Case.objects.filter(pk=other.pk).update(category=city.categories["noise"])
    dispatcher.goto(f"/cases/{other.code}/")
    reason = dispatcher.page.locator('details[data-action="dispatch"] .routing-reason').inner_text()
    assert reason == "分拨依据：兜底：海陵区 城东街道办事处"
    dispatcher.shot("routing-06-dispatch-form-fallback")


def test_the_admin_test_a_rule_screen(browser: Any, live_server: Any, live_city: City) -> None:
    city, base = live_city, live_server.url
    d1, _d2, d3 = city.departments
    RoutingRule.objects.create(category=city.categories["top"], area=city.district, lead_unit=d1)
    RoutingRule.objects.create(category=city.categories["mid"], area=city.street, lead_unit=d3,
                               note="物业纠纷由街道牵头")
    admin = Clerk(browser, base, "admin")
    admin.goto(f"/admin/cases/routingrule/test/?category=010101&area={city.grids[0].code}")
    assert admin.page.locator("#rule-result").inner_text() == "规则：物业管理 × 城东街道 → 城东街道办事处"
    assert admin.page.locator("#considered tbody tr").count() == 2
    admin.shot("routing-07-admin-test-a-rule")
    admin.goto("/admin/cases/routingrule/")
    admin.shot("routing-08-admin-rules")

"""In the browser: the citizen evaluates on a phone from the SMS link (an unsatisfied rating without a
reason is refused on the page first); a dispatcher convenes a joint consultation (会商研判) with tasks, and
the participating unit marks its task done."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.notifications.models import Outbox
from tests.cases.builders import case_in
from tests.factories import City
from tests.web.browser_kit import PHONE, SHOTS, Clerk

pytestmark = pytest.mark.browser


def test_the_citizen_evaluates_from_the_sms_link_on_a_phone(browser: Any, live_server: Any, live_city: City) -> None:
    cache.clear()
    case = case_in(live_city, State.REPLIED)
    sms = Outbox.objects.get(kind="evaluation", case=case)
    link = re.search(r"/e/([A-Z0-9]{8})/", sms.body)
    assert link is not None
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{link.group(1)}/")
    assert case.reply in page.locator("[data-testid=reply]").inner_text()
    page.screenshot(path=str(SHOTS / "41-citizen-evaluation-phone.png"), full_page=True)
    page.locator("label[for=r-unsatisfied]").click()
    page.locator("#comment").fill("")
    page.get_by_role("button", name="提交评价").click()
    assert "请填写不满意的原因。" in page.locator("[role=alert]").inner_text()
    page.screenshot(path=str(SHOTS / "42-citizen-evaluation-reason-missing.png"), full_page=True)
    page.locator("#comment").fill("电梯仍有异响，物业未到场查看")
    page.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "43-citizen-evaluation-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).status == State.REOPENED
    context.close()


def test_a_dispatcher_convenes_a_consultation(browser: Any, live_server: Any, live_city: City) -> None:
    city = live_city
    d1, _d2, d3 = city.departments
    case = case_in(city, State.ACCEPTED, assisting=())
    dispatcher = Clerk(browser, live_server.url, "dispatcher")
    dispatcher.goto(f"/cases/{case.code}/")
    section = dispatcher.page.locator("#consultation")
    section.locator("#consult-topic").fill("电梯维修资金使用争议")
    section.locator("#consult-units").select_option([str(d1.pk), str(d3.pk)])
    rows = section.locator(".convene .task-row")
    rows.nth(0).locator("select").select_option(str(d3.pk))
    rows.nth(0).locator("input[name=task_text]").fill("组织业主与物业公司调解")
    rows.nth(0).locator("input[name=task_days]").fill("3")
    rows.nth(1).locator("select").select_option(str(d1.pk))
    rows.nth(1).locator("input[name=task_text]").fill("核查专项维修资金账户")
    rows.nth(1).locator("input[name=task_days]").fill("5")
    section.get_by_role("button", name="发起会商").click()
    dispatcher.page.wait_for_url(re.compile(rf".*/cases/{case.code}/.*"))
    assert dispatcher.page.locator("#consultation table.consult-tasks tbody tr").count() == 2
    dispatcher.page.locator("#consultation").screenshot(path=str(SHOTS / "44-consultation-convened.png"))

    mediator = Clerk(browser, live_server.url, "mediator")
    mediator.goto(f"/cases/{case.code}/")
    row = mediator.page.locator("#consultation tr", has_text="组织业主与物业公司调解")
    row.locator("summary").click()
    row.locator("textarea").fill("已组织双方调解，达成分期维修协议")
    row.get_by_role("button", name="完成").click()
    mediator.page.wait_for_url(re.compile(rf".*/cases/{case.code}/.*"))
    dispatcher.goto(f"/cases/{case.code}/")
    dispatcher.page.locator("#conclusion-1, #consultation textarea[name=conclusion]").first.fill(
        "由街道牵头调解，住建局监督维修资金使用")
    dispatcher.page.locator("#consultation select[name=lead_unit_id]").select_option(str(d3.pk))
    dispatcher.page.get_by_role("button", name="提交结论").click()
    dispatcher.page.wait_for_url(re.compile(rf".*/cases/{case.code}/.*"))
    assert "确定主办单位：城东街道办事处" in dispatcher.page.locator("#consultation").inner_text()
    dispatcher.page.locator("#consultation").screenshot(path=str(SHOTS / "45-consultation-concluded.png"))
    dispatcher.shot("46-case-page-with-consultation")

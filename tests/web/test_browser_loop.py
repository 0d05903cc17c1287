"""A clerk's day in a real browser: Debian's chromium through Playwright, against the live server.

Screenshots of every step go to tests/screenshots/ (gitignored), at desktop size and one at phone size.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from fengqiao.cases import services
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.states import State
from tests.factories import City
from tests.web.browser_kit import PHONE, SHOTS, Clerk

pytestmark = pytest.mark.browser


def test_register_dispatch_accept_reply_evaluate(browser: Any, live_server: Any, live_city: City) -> None:
    city, base = live_city, live_server.url
    lng, lat = city.point_in(0)

    operator = Clerk(browser, base, "operator")
    operator.shot("01-operator-inbox-empty")
    operator.goto("/cases/new/")
    page = operator.page
    page.select_option("#id_channel", "hotline_12345")
    page.fill("#id_title", "小区电梯故障长期无人维修")
    page.fill("#id_description", "东风新村 3 号楼电梯停运一周，物业称无配件，老人上下楼困难。")
    page.select_option("#id_category", label="物业管理 / 物业服务质量")
    page.get_by_label("紧急", exact=True).check()
    page.fill("#id_address", "海陵区东风路 18 号东风新村 3 号楼")
    page.fill("#id_lng", f"{lng:.6f}")
    page.fill("#id_lat", f"{lat:.6f}")
    page.fill("#id_reporter_name", "张三丰")
    page.fill("#id_reporter_phone", "13812345678")
    operator.shot("02-operator-register-form")
    page.click("form.register-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/FQ[0-9A-Z-]+/$"))
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert operator.status() == "待分拨"
    assert page.locator("#case-map-chart canvas").count() >= 1  # the grid map was drawn
    assert "138****5678" in page.content()
    assert "13812345678" not in page.content()
    operator.shot("03-operator-registered")

    dispatcher = Clerk(browser, base, "dispatcher")
    assert code in dispatcher.page.locator("#results").inner_text()
    dispatcher.shot("04-dispatcher-inbox")
    dispatcher.page.click(f"text={code}")
    dispatcher.act("dispatch", {"text": "请于时限内办结并答复"}, select={"lead_unit_id": "市住房和城乡建设局"},
                   check=["市生态环境局"])
    assert dispatcher.status() == "待签收"
    assert "已完成：分拨交办" in dispatcher.page.content()
    dispatcher.shot("05-dispatcher-dispatched")

    handler = Clerk(browser, base, "handler")
    assert code in handler.page.locator("#results").inner_text()
    handler.goto(f"/cases/{code}/")
    handler.act("accept")
    assert handler.status() == "办理中"
    handler.page.click("#parties button")  # 显示完整信息 (audited), swapped in by htmx
    handler.page.wait_for_selector("text=13812345678")
    handler.shot("06-handler-accepted-revealed")
    handler.act("reply", {"text": "已联系维保单位更换主板，电梯于今日恢复运行，并已告知反映人。"})
    assert handler.status() == "待评价"
    handler.shot("07-handler-replied")

    operator.goto(f"/cases/{code}/")
    operator.act("evaluate", {"text": "群众表示满意"}, check=["满意"])
    assert operator.status() == "已办结"
    operator.shot("08-operator-closed")
    case = Case.objects.get(code=code)
    assert case.status == State.CLOSED
    assert list(case.events.values_list("action", flat=True)) == ["register", "dispatch", "accept", "reply",
                                                                    "evaluate"]

    phone = Clerk(browser, base, "handler", PHONE)
    phone.goto(f"/cases/{code}/")
    phone.page.screenshot(path=str(SHOTS / "09-phone-case.png"))
    phone.goto("/?tab=all")
    phone.page.screenshot(path=str(SHOTS / "10-phone-inbox.png"))
    for clerk in (operator, dispatcher, handler, phone):
        clerk.close()


def _registered(city: City) -> Case:
    lng, lat = city.point_in(0)
    data = services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="夜间施工噪音扰民", description="工地每晚 11 点后仍在打桩，影响休息。",
        category_id=city.categories["noise"].pk, lng=lng, lat=lat, address="海陵区东风路 20 号",
        parties=[services.PartyInput(name="李四", phone="13900001111")],
    )
    case = services.register(city.users["operator"], data).case
    services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    return case


def test_return_redispatch_and_unsatisfied_reopens(browser: Any, live_server: Any, live_city: City) -> None:
    city, base = live_city, live_server.url
    case = _registered(city)

    handler = Clerk(browser, base, "handler")
    handler.goto(f"/cases/{case.code}/")
    handler.act("return", {"text": "不"})  # too short: the service's field error, nothing changes
    assert "请填写退回理由" in handler.page.locator('details[data-action="return"]').inner_text()
    handler.shot("11-handler-return-error")
    handler.act("return", {"text": "施工噪音属生态环境部门职责，请改派。"})
    assert handler.status() == "已退回"
    handler.shot("12-handler-returned")

    dispatcher = Clerk(browser, base, "dispatcher")
    results = dispatcher.page.locator("#results")
    assert case.code in results.inner_text()
    assert "已退回" in results.inner_text()
    dispatcher.page.fill("#id_q", "打桩不存在")
    dispatcher.page.wait_for_selector("text=没有符合条件的诉求")  # htmx filtered the table in place
    dispatcher.page.fill("#id_q", case.code)
    dispatcher.page.wait_for_selector(f"#results >> text={case.code}")
    assert f"q={case.code}" in dispatcher.page.url  # hx-push-url
    dispatcher.shot("13-dispatcher-sees-returned")
    dispatcher.goto(f"/cases/{case.code}/")
    dispatcher.act("dispatch", select={"lead_unit_id": "市生态环境局"})
    assert dispatcher.status() == "待签收"

    services.accept(city.users["handler2"], case.code)
    services.reply(city.users["handler2"], case.code, text="已责令施工单位夜间停工，并安排执法巡查。")
    operator = Clerk(browser, base, "operator")
    operator.goto(f"/cases/{case.code}/")
    operator.act("evaluate", {"text": "昨晚仍在施工"}, check=["不满意"])
    assert operator.status() == "重办"
    operator.shot("14-operator-reopened")
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.lead_unit) == (State.REOPENED, 1, None)
    for clerk in (handler, dispatcher, operator):
        clerk.close()

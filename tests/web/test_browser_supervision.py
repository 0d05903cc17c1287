"""In the browser: the bell counts a 督办 notification, the inbox shows it, and the case page shows the
level; a leader lists the case (挂牌督办) from the case page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fengqiao.cases import overdue, services, supervision_sweep
from fengqiao.cases.models import Case
from fengqiao.kit import clock
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.web.browser_kit import SHOTS, Clerk

pytestmark = pytest.mark.browser


def test_bell_inbox_and_a_case_under_supervision(browser: Any, live_server: Any, live_city: City) -> None:
    city = live_city
    case = dispatch(city, register(city, title="小区夜间施工噪声扰民"))
    services.accept(city.users["handler"], case.code)
    # the deadline passed three working days ago: the sweep takes the case to 督办
    Case.objects.filter(pk=case.pk).update(deadline=clock.now() - dt.timedelta(days=6))
    overdue.sweep()
    result = supervision_sweep.sweep()
    assert result.escalated == {2: 1}
    other = dispatch(city, register(city, title="楼道堆放杂物"))
    Case.objects.filter(pk=other.pk).update(deadline=clock.now() + dt.timedelta(hours=3))
    assert supervision_sweep.sweep().reminded == 1

    handler = Clerk(browser, live_server.url, "handler")
    assert handler.page.locator(".bell-count").inner_text() == "2"
    handler.page.click("a.bell")
    handler.page.wait_for_url(f"{live_server.url}/notifications/")
    assert handler.page.locator("li.notice.unread").count() == 2
    handler.shot("11-handler-notifications")
    handler.page.locator("li.notice", has_text="【督办】").get_by_role("button", name="查看案件").click()
    handler.page.wait_for_url(f"{live_server.url}/cases/{case.code}/")
    assert handler.page.locator(".bell-count").inner_text() == "1"
    handler.shot("12-handler-case-under-supervision")

    leader = Clerk(browser, live_server.url, "leader")
    leader.goto(f"/cases/{case.code}/")
    leader.page.fill("#id_list_supervision-text", "群众反映强烈，限三个工作日内办结并书面报告")
    leader.page.get_by_role("button", name="挂牌督办").click()
    leader.page.wait_for_url(f"{live_server.url}/cases/{case.code}/")
    assert "挂牌督办" in leader.page.locator("main").inner_text()
    leader.shot("13-leader-listed-supervision")
    assert (SHOTS / "13-leader-listed-supervision.png").exists()

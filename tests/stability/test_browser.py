"""A consultation and a conclusion in a real browser (desktop): the officer opens a public consultation,
records a forum's opinions, a citizen gives hers on the public page without an account, the officer closes
the consultation (the chart shows the stances), records a risk in the matrix, grades it as suggested, adds a
measure, is refused 准予实施 at its field for a medium risk, concludes 附条件实施 and issues the report, whose
PDF opens.  Screenshots in /tmp/stability-shots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fengqiao.kit import clock
from fengqiao.stability.models import Decision, Opinion
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/stability-shots")


def test_consultation_to_conclusion(browser: Any, live_server: Any, live_city: City) -> None:
    decision = advance(live_city, created(live_city), DState.PLANNED)
    code = decision.code
    officer = Clerk(browser, live_server.url, "risk_officer", shots=SHOTS)
    page = officer.page
    officer.goto(f"/stability/{code}/")
    assert officer.status() == "方案已定"
    closes = (clock.today() + dt.timedelta(days=10)).isoformat()
    officer.act("open_consultation", {"closes_on": closes}, check=["同时开放网上征询（群众无需登录即可提交意见）"])
    assert officer.status() == "意见征询中"
    officer.act("record_opinion", {"held_on": clock.today().isoformat(), "participants": "30", "support": "12",
                                   "oppose": "8", "neutral": "6", "concerns": "担心臭味和运输车辆噪声"},
                select={"channel": "座谈会"})
    assert page.locator("[data-testid=stance-totals]").inner_text().split() == [
        "支持", "12", "46.2%", "反对", "8", "30.8%", "中立", "6", "23.1%"]
    public_url = page.locator("[data-testid=public-link]").get_attribute("href")
    assert public_url == f"/stability/public/{code}/"

    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    citizen.goto(f"{live_server.url}{public_url}")
    citizen.get_by_label("反对", exact=True).check()
    citizen.fill("[name=text]", "焚烧厂离东风小学只有一公里，坚决反对")
    citizen.fill("[name=phone]", "1381234")
    citizen.click("form button.primary")
    assert citizen.locator("#id_phone_error").inner_text() == "手机号码格式不正确"
    citizen.fill("[name=phone]", "13812345678")
    citizen.click("form button.primary")
    assert citizen.locator("[data-testid=sent]").count() == 1
    citizen.screenshot(path=str(SHOTS / "stability-public.png"), full_page=True)
    assert Opinion.objects.filter(decision__code=code, public=True).count() == 1

    officer.goto(f"/stability/{code}/")
    assert "138****5678" in page.locator("#consultation").inner_text()
    page.wait_for_function("document.querySelector('#chart-consultation canvas') !== null")
    officer.act("close_consultation", {"summary": "多数群众理解，部分担心臭味和噪声"})
    assert officer.status() == "风险识别中"
    officer.act("add_item", {"description": "周边居民可能聚集反对"},
                select={"likelihood": "3 可能", "impact": "4 较重"})
    assert page.locator("[data-testid=matrix] td.lv-medium.has").count() == 1
    # 9 of 27 opinions oppose (33 %): the suggestion is raised to 高风险; the officer keeps 中风险 with her reason
    assert "上调一级" in (page.locator("details[data-action=grade] .s-suggest").text_content() or "")
    officer.act("grade", {"reason": "反对意见主要来自单一小区，已有针对性措施"}, check=["中风险"])
    assert page.locator("[data-testid=grade]").inner_text() == "中风险"
    officer.act("add_measure", {"description": "运输车辆全密闭并避开上下学时段",
                                "deadline": (clock.today() + dt.timedelta(days=30)).isoformat()},
                select={"responsible_unit_id": "市生态环境局"})
    officer.act("conclude", {"reason": "效益明显"}, check=["准予实施"])
    assert page.locator("#id_conclude-conclusion_error").inner_text() == "与风险等级不符"
    officer.shot("stability-conclude-refused")
    officer.act("conclude", {"reason": "落实运输管控等措施后风险可控"}, check=["附条件实施"])
    assert page.locator("[data-testid=conclusion]").inner_text() == "附条件实施"
    officer.act("issue_report")
    assert officer.status() == "报告已出具"
    officer.shot("stability-reported")
    response = page.request.get(f"{live_server.url}/stability/{code}/report.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    assert Decision.objects.get(code=code).report_sha256
    officer.close()

"""Reply quality in a real browser: live scores under the reply box while the handler types, the weak
reply held in the unit leader's 答复待审 queue, approval sends it.  Screenshots in tests/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.intelligence import reply_quality
from tests.cases.builders import case_in
from tests.factories import PASSWORD, City
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser

WEAK = "您的留言已收悉，已转相关部门处理。"
GOOD = ("您好！您反映的小区3号楼电梯停运一周无人维修的问题已收悉。经现场调查核实，该电梯因主板故障停运。"
        "根据《特种设备安全法》和《物业管理条例》的规定，我局已责令物业公司限期维修，电梯已于6月3日修复并恢复运行。"
        "如有疑问，请联系区住建局物业科，电话0523-86000000。")


def test_live_scores_then_the_review_queue(browser: Any, live_server: Any, live_city: City,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reply_quality, "load", lambda: None)
    city, base = live_city, live_server.url
    leader = User.objects.create_user(username="leader_zjj", password=PASSWORD, display_name="王科长", is_staff=True)
    Membership.objects.create(user=leader, role=Role.LEADER, unit=city.departments[0])
    case = case_in(city, State.ACCEPTED)

    handler = Clerk(browser, base, "handler")
    handler.goto(f"/cases/{case.code}/")
    page = handler.page
    panel = page.locator('details[data-action="reply"]')
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    page.locator("#id_reply-text").fill(WEAK)
    page.wait_for_selector("#reply-quality .rq-warn")
    box = page.locator("#reply-quality")
    assert "缺少法律政策依据或原因说明" in box.inner_text()
    panel.scroll_into_view_if_needed()
    handler.shot("rq-01-handler-weak-reply-scores")
    page.locator("#id_reply-text").fill(GOOD)
    page.wait_for_selector("#reply-quality .rq-ok")
    handler.shot("rq-02-handler-good-reply-scores")
    page.locator("#id_reply-text").fill(WEAK)
    page.wait_for_selector("#reply-quality .rq-warn")
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "已提交本单位审核人审核" in page.content()
    assert handler.status() == "办理中"
    assert "答复质量偏低，已提交本单位审核" in page.locator(".timeline, main").first.inner_text()
    handler.shot("rq-03-handler-reply-held")

    reviewer = Clerk(browser, base, "leader_zjj")
    reviewer.goto("/reply-reviews/")
    assert case.code in reviewer.page.content()
    reviewer.shot("rq-04-reviewer-queue")
    reviewer.page.locator("button[value=approve]").click()
    reviewer.page.wait_for_load_state("load")
    assert "已审核通过" in reviewer.page.content()
    assert Case.objects.get(pk=case.pk).state == State.REPLIED

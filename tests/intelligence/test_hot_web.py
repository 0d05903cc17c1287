"""/hot-issues/ in a browser: a leader sees the ranking with its bar chart drawn, opens the hottest issue and
finds its cases with masked names; a street dispatcher sees only her street's issues.  Screenshots go to
/tmp/fengqiao-shots/hot (not the repository)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fengqiao.intelligence import hot_issues
from fengqiao.intelligence.models import HotIssue
from tests.factories import City
from tests.intelligence.test_hot_issues import later, reg
from tests.web.browser_kit import Clerk

SHOTS = Path("/tmp/fengqiao-shots/hot")

PLANT = [  # (grid, title, description) × n: grids 0, 1 in 东风社区 (城东街道); 2, 3 in 西园社区 (城西街道)
    (0, "小区旁搅拌站夜间噪音扰民", "小区旁边新建的搅拌站每天夜里施工，噪音和粉尘让居民无法休息"),
    (1, "搅拌站噪音粉尘严重扰民", "搅拌站离小区不到百米，夜间施工噪音大，粉尘满天飞"),
    (0, "投诉搅拌站夜间施工噪音", "附近搅拌站夜间施工噪音扰民，粉尘污染严重，请尽快处理"),
    (1, "搅拌站粉尘噪音影响孩子休息", "搅拌站整夜施工，噪音粉尘严重，孩子晚上睡不着"),
    (2, "小区停车位收费过高", "物业把地面停车位收费从每月一百元涨到三百元，业主无法接受"),
    (3, "物业停车位收费上涨", "物业突然上调停车位收费，每月三百元，业主强烈反对"),
    (2, "停车位收费上涨不合理", "物业擅自上涨停车位收费，没有经过业主大会"),
    (3, "临街餐馆油烟直排扰民", "楼下临街餐馆没有油烟管道，油烟直排进居民家中"),
    (2, "餐馆油烟直排影响居民", "临街餐馆油烟直排，居民不敢开窗"),
    (0, "电梯经常困人", "3号楼电梯一个月困人三次，物业不维修"),
    (1, "电梯故障困人无人维修", "电梯经常故障困人，物业推诿不修"),
    (3, "路灯不亮", "学校门口的路灯坏了一个月"),
]


def test_a_leader_reads_the_ranking_and_an_issue(browser: Any, live_server: Any, live_city: City) -> None:
    for k, (grid, title, text) in enumerate(PLANT):
        reg(live_city, grid, (title, text), name=f"居民{k}", phone=f"139000000{k:02d}")
    hot_issues.refresh_city(live_city.city.pk, later())
    hottest = HotIssue.objects.order_by("-heat").first()
    assert hottest is not None
    assert HotIssue.objects.count() == 4

    leader = Clerk(browser, live_server.url, "leader", shots=SHOTS)
    leader.goto("/hot-issues/")
    page = leader.page
    page.wait_for_selector("#hot-chart canvas")
    rows = page.locator("[data-testid=hot-table] tbody tr")
    assert rows.count() == 4
    assert rows.first.get_attribute("data-issue") == str(hottest.pk)
    page.wait_for_timeout(1500)  # the bars' grow-in animation, for the screenshot
    leader.shot("hot-list")
    rows.first.locator("td.title a").click()
    page.wait_for_url(f"**/hot-issues/{hottest.pk}/")
    assert page.locator("[data-testid=hot-cases] tbody tr").count() == hottest.size
    assert "居*" in page.locator("[data-testid=hot-cases]").inner_text()
    leader.shot("hot-detail")
    leader.close()

    street = Clerk(browser, live_server.url, "street_dispatcher", shots=SHOTS)
    street.goto("/hot-issues/")
    titles = street.page.locator("[data-testid=hot-table] tbody td.title a").all_inner_texts()
    visible = set(hot_issues.visible(live_city.users["street_dispatcher"]).values_list("title", flat=True))
    assert set(titles) == visible
    assert len(titles) == 2  # 城东街道: the mixing plant and the lift
    street.page.wait_for_timeout(1500)
    street.shot("hot-list-street")
    street.close()

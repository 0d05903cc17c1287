"""In Debian's chromium: a leader opens /warning/, switches the grade tab (重点 → 一般), opens a 一般 case from
the list, sees its panel and the alert on the case's history; after the thresholds change she re-scores it
(重新评估): the page says so, the grade is 重点, the history gains 激化预警：重点, and 列入风险清单 opens the
register's form for the case.  Screenshots in /tmp/warning-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from fengqiao.cases import services as case_services
from fengqiao.cases.models import Case
from fengqiao.warning import data, services
from fengqiao.warning import model as escalation
from fengqiao.warning.features import History
from fengqiao.warning.models import Threshold
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.warning.planted import NOW, plant
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/warning-shots")


def case_at(city: City, grid: int, title: str, phone: str) -> Case:
    with time_machine.travel(NOW, tick=False):
        case = register(city, grid=grid, title=title, parties=[case_services.PartyInput(name="李四光", phone=phone)])
        return dispatch(city, case, lead=0, assisting=())


def grade_thresholds(key: float, general: float) -> None:
    Threshold.objects.filter(grade="key").update(min_probability=key)
    Threshold.objects.filter(grade="general").update(min_probability=general)


def test_from_the_list_to_a_rescored_case(browser: Any, live_server: Any, live_city: City, data_dir: Path) -> None:
    plant(live_city, people=200)
    escalation.save(escalation.train_all(History(data.everything()), NOW.timestamp(), "test"))
    threat = case_at(live_city, 0, "邻里纠纷，对方扬言要报复", "13700000001")
    noise = case_at(live_city, 1, "楼上装修噪声扰民", "13700000002")
    grade_thresholds(key=0.0, general=0.0)
    assert services.score_case(threat).grade == "key"  # type: ignore[union-attr]
    grade_thresholds(key=0.999, general=0.0)
    assert services.score_case(noise).grade == "general"  # type: ignore[union-attr]

    leader = Clerk(browser, live_server.url, "leader", shots=SHOTS)
    leader.goto("/warning/")
    page = leader.page
    assert page.locator("a[data-tab=key]").get_attribute("aria-current") == "page"
    assert page.locator(f"tr[data-code={threat.code}]").count() == 1
    assert page.locator(f"tr[data-code={noise.code}]").count() == 0
    assert page.locator(f"tr[data-code={threat.code}] [data-testid=to-risk]").count() == 1
    leader.shot("list-key")

    page.locator("a[data-tab=general]").click()
    page.wait_for_load_state("load")
    assert "grade=general" in page.url
    assert page.locator(f"tr[data-code={threat.code}]").count() == 0
    row = page.locator(f"tr[data-code={noise.code}]")
    assert row.count() == 1
    assert "一般" in row.inner_text()
    leader.shot("list-general")

    row.locator("a.w-title").click()
    page.wait_for_selector("[data-testid=warning-panel]")
    assert f"/cases/{noise.code}/" in page.url
    assert page.locator("[data-testid=warning-grade]").inner_text().strip() == "一般"
    assert "激化预警：一般" in page.locator("ol.timeline").inner_text()
    assert page.locator("[data-testid=warning-to-risk]").count() == 0  # 列入风险清单 is for 重点
    leader.shot("case-general")

    grade_thresholds(key=0.0, general=0.0)  # an administrator lowers the thresholds
    page.locator("[data-testid=warning-panel] form button").click()
    page.wait_for_load_state("load")
    assert "已重新评估" in page.content()
    assert page.locator("[data-testid=warning-grade]").inner_text().strip() == "重点"
    timeline = page.locator("ol.timeline").inner_text()
    assert "激化预警：一般" in timeline
    assert "激化预警：重点" in timeline
    leader.shot("case-key")

    page.locator("[data-testid=warning-to-risk]").click()
    page.wait_for_load_state("load")
    assert f"/risk/open/{noise.code}/" in page.url
    assert noise.title in page.content()
    leader.shot("risk-open")

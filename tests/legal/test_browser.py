"""In Debian's chromium: a dispatcher runs the detector from a case's page; the legal office finds the
matter at the top of its list, records an intervention (a refused empty note first, shown at its field) and
an outcome; the figures draw and a table row drills down to the list.  Screenshots in /tmp/legal-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fengqiao.legal.models import Dispute
from tests.factories import City
from tests.legal.helpers import QUIET, case_about, legal_office
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/legal-shots")


def test_from_the_case_page_to_an_outcome(browser: Any, live_server: Any, live_city: City) -> None:
    legal_office(live_city)
    case = case_about(live_city)
    case_about(live_city, QUIET, title="低保被取消", phone="13900000009")
    clerk = Clerk(browser, live_server.url, "dispatcher", shots=SHOTS)
    clerk.goto(f"/cases/{case.code}/")
    clerk.page.locator("[data-testid=legal-scan] button").click()
    clerk.page.wait_for_load_state("load")
    assert "已识别为行政争议" in clerk.page.content()
    assert clerk.page.locator("[data-testid=legal-badge]").count() == 1
    clerk.shot("case-flagged")

    office = Clerk(browser, live_server.url, "legal", shots=SHOTS)
    office.goto("/legal/")
    assert office.page.locator("nav a[href='/legal/']").count() >= 1
    first = office.page.locator("table.l-table tbody tr").first
    assert first.get_attribute("data-code") == case.code
    office.shot("list")
    first.locator("a.l-title").click()
    office.page.wait_for_selector("[data-testid=reconsider-window]")
    office.act("intervene", {"note": ""}, check=["法律意见"])
    assert office.page.locator(".field-error, .errorlist").count() >= 1
    office.act("intervene", {"note": "向区城管局出具法律意见：强制拆除未履行法定程序。"}, check=["法律意见"])
    assert office.status() == "介入中"
    office.act("conclude", {"note": "补偿到位，当事人不再申请复议。"}, check=["化解"])
    assert office.status() == "已办结"
    office.shot("detail")
    assert Dispute.objects.get(case=case).outcome == "resolved"

    office.goto("/legal/figures/")
    office.page.wait_for_selector("#chart-act canvas")
    office.shot("figures")
    office.page.locator("[data-testid=act-table] a").first.click()
    office.page.wait_for_load_state("load")
    assert "/legal/?" in office.page.url
    assert "act=" in office.page.url

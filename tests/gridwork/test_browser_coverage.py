"""The coverage pages in Debian's chromium: a street's leader and her blind spots (desktop and phone), the city
seen street by street and a street opened from it, a campaign.  Screenshots in tests/screenshots/coverage-*."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.gridwork import coverage_maps
from tests.factories import City
from tests.gridwork.coverage_showcase import build_showcase, previous_month, street_leader
from tests.web.browser_kit import PHONE, Clerk

pytestmark = pytest.mark.browser


def _drawn(clerk: Clerk, errors: list[str]) -> None:
    clerk.page.wait_for_selector("#coverage-map-chart canvas")
    clerk.page.wait_for_selector("#coverage-bars-chart canvas")
    clerk.page.wait_for_timeout(500)
    assert errors == []


def test_coverage_pages_in_the_browser(browser: Any, live_server: Any, live_city: City,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    month = f"{previous_month():%Y-%m}"
    campaign = build_showcase(live_city, previous_month())
    street_leader(live_city)
    errors: list[str] = []

    leader = Clerk(browser, live_server.url, "leader_chengdong")
    leader.page.on("pageerror", lambda error: errors.append(str(error)))
    assert leader.page.locator("nav.mainnav a", has_text="巡查覆盖").count() == 1
    leader.goto(f"/coverage/?month={month}")
    _drawn(leader, errors)
    page = leader.page
    assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "巡查覆盖"
    blind = page.locator(".blind-item")
    assert blind.count() >= 1
    assert "网格员" in blind.first.inner_text()
    assert "城西街道" not in page.inner_text("main")
    leader.shot("coverage-01-street-leader")

    phone = Clerk(browser, live_server.url, "leader_chengdong", viewport=PHONE)
    phone.page.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"/coverage/?month={month}")
    _drawn(phone, errors)
    phone.shot("coverage-02-street-leader-phone")

    monkeypatch.setattr(coverage_maps, "MAP_GRID_LIMIT", 40)  # the district's grids: drawn as its streets
    dispatcher = Clerk(browser, live_server.url, "dispatcher")
    dispatcher.page.on("pageerror", lambda error: errors.append(str(error)))
    dispatcher.goto(f"/coverage/?month={month}")
    _drawn(dispatcher, errors)
    assert dispatcher.page.locator(".blind-item").count() == 0
    dispatcher.shot("coverage-03-city-by-street")
    dispatcher.page.click("table.cov-table a:text('红旗街道')")
    dispatcher.page.wait_for_url("**area=*")
    _drawn(dispatcher, errors)
    assert "红旗街道" in dispatcher.page.inner_text(".crumbs")
    dispatcher.shot("coverage-04-city-opens-a-street")

    dispatcher.goto("/coverage/campaigns/")
    dispatcher.page.wait_for_selector("#coverage-bars-chart canvas")
    dispatcher.page.wait_for_timeout(400)
    dispatcher.shot("coverage-05-campaigns")
    dispatcher.page.click(f"a[href='/coverage/campaigns/{campaign.pk}/']")
    _drawn(dispatcher, errors)
    dispatcher.shot("coverage-06-campaign")

    worker = Clerk(browser, live_server.url, "grid_worker")
    worker.goto("/coverage/")
    assert "无权操作" in worker.page.inner_text("main")
    assert worker.page.locator("nav.mainnav a", has_text="巡查覆盖").count() == 0

"""The public board and the reports page in Debian's chromium: the board on a desktop and a phone (charts
drawn, no sideways scrolling, the click into a district), and a leader downloading a report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fengqiao.cockpit.models import CITY_SCOPE, Dim, Fact, FactMonth, Grain
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from tests.factories import City
from tests.web.browser_kit import DESKTOP, PHONE, SHOTS, Clerk

COUNTS = dict(received=40, valid=38, resolved=30, on_time=25, due=32, evaluated=20, satisfied=18)


def rows(city: City) -> None:
    month = clock.today().replace(day=1)
    other = Area.objects.create(code="321203", name="高港区", level=Level.DISTRICT, parent=city.city)
    for scope, dim, key, n in [(CITY_SCOPE, Dim.ALL, "", 2), (CITY_SCOPE, Dim.DISTRICT, str(city.district.pk), 1),
                               (CITY_SCOPE, Dim.DISTRICT, str(other.pk), 1), (city.district.pk, Dim.ALL, "", 1),
                               (city.district.pk, Dim.STREET, str(city.street.pk), 0.5),
                               (city.district.pk, Dim.STREET, str(city.other_street.pk), 0.5)]:
        Fact.objects.create(scope=scope, grain=Grain.MONTH, period=month, dim=dim, key=key,
                            **{k: int(v * n) for k, v in COUNTS.items()})
    FactMonth.objects.create(month=month, computed_at=clock.now() - dt.timedelta(minutes=3))


def test_the_board_on_a_desktop_and_a_phone(browser: Any, live_server: Any, live_city: City) -> None:
    rows(live_city)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{live_server.url}/board/")
        page.wait_for_selector("#bd-counts canvas")
        assert page.locator("[data-testid=board-table] tbody tr").count() == 2
        assert page.locator("#bd-satisfaction canvas").count() == 1
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        assert wide <= viewport["width"], f"{name}: the page scrolls sideways ({wide}px)"
        page.screenshot(path=str(SHOTS / f"board-{name}.png"), full_page=True)
        page.click("text=海陵区")
        page.wait_for_selector("text=城东街道")
        assert page.locator(".bd-crumbs strong").inner_text() == "海陵区"
        context.close()


def test_a_leader_downloads_a_monthly_report(browser: Any, live_server: Any, live_city: City) -> None:
    rows(live_city)
    leader = Clerk(browser, live_server.url, "leader")
    leader.goto("/cockpit/reports/")
    month = clock.today().replace(day=1)
    row = leader.page.locator(f"[data-testid=months] tr[data-period='{month:%Y-%m}']")
    assert "本月，截至目前" in row.inner_text()
    leader.page.screenshot(path=str(SHOTS / "reports-list.png"), full_page=True)
    with leader.page.expect_download() as got:
        row.locator("text=Excel").click()
    download = got.value
    assert download.suggested_filename == f"泰州市{month:%Y-%m}月报.xlsx"
    with leader.page.expect_download() as got:
        row.locator("text=PDF").click()
    assert got.value.path().read_bytes().startswith(b"%PDF")

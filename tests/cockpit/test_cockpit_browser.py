"""The cockpit in Debian's chromium: every chart draws from the one data request, the scope selector
opens a street, a KPI opens the cases it counts (the same number), a hexagon of the heat map opens its
cases.  Screenshots in tests/screenshots/cockpit-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cockpit import rollup
from tests.cockpit.conftest import spread
from tests.factories import City
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser

CHARTS = ("trend", "channels", "heat", "categories", "ontime", "rankings", "mediation", "riskmap")


def test_the_cockpit_draws_and_drills_down(browser: Any, live_server: Any, live_city: City) -> None:
    cases = spread(live_city)
    rollup.ensure(force=True)
    leader = Clerk(browser, live_server.url, "leader")
    leader.goto("/cockpit/?period=12m")
    page = leader.page
    page.wait_for_function("document.getElementById('cockpit').dataset.ready")
    assert page.locator("#cockpit").get_attribute("data-ready") == "1", page.locator("#ck-status").inner_text()
    for chart in CHARTS:
        page.wait_for_selector(f"#ck-{chart} canvas, #ck-{chart} .ck-empty")
    assert page.locator("#ck-trend canvas").count() == 1
    assert page.locator("#ck-heat canvas").count() == 1
    assert page.locator("[data-kpi=received] b").inner_text().strip() == str(len(cases))
    assert "海陵区" in page.locator("#ck-areas").inner_text()
    page.wait_for_timeout(600)  # ECharts' entry animation
    leader.shot("cockpit-city")
    # the scope selector: a street's cockpit, whose areas are its grids
    page.select_option("#ck-scope", str(live_city.street.pk))
    page.wait_for_selector("#cockpit[data-ready='1']")
    assert "城东街道" in page.locator("h1").inner_text()
    assert "第1网格" in page.locator("#ck-areas").inner_text()
    # a KPI opens the cases it counts
    page.click("[data-kpi=overdue]")
    page.wait_for_url("**/cockpit/cases/**")
    total = page.locator("[data-testid=drill-total] b").inner_text().strip()
    rows = page.locator("table.table tbody tr").count()
    assert int(total) == rows
    assert int(total) >= 1
    leader.shot("cockpit-drill")


def test_a_grid_worker_is_told_why_not(browser: Any, live_server: Any, live_city: City) -> None:
    worker = Clerk(browser, live_server.url, "grid_worker")
    worker.goto("/cockpit/")
    assert "领导驾驶舱" in worker.page.locator("main").inner_text()
    assert worker.page.locator("#cockpit").count() == 0

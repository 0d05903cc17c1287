"""A grid worker screens her grid on a phone in Debian's chromium: from the campaigns in her navigation to
the form, a refused submission (a checklist item not confirmed) shown at its field, then the risk found is
recorded and the campaign page shows her grid screened.  Screenshots in /tmp/risk-shots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fengqiao.kit import clock
from fengqiao.risk import screening
from fengqiao.risk.models import RiskEntry, Screening
from tests.factories import City
from tests.web.browser_kit import PHONE, Clerk

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/risk-shots")


def test_a_grid_worker_screens_on_her_phone(browser: Any, live_server: Any, live_city: City) -> None:
    today = clock.today()
    c = screening.create_campaign(live_city.users["risk_officer"], title="矛盾纠纷风险大排查",
                                  area_id=live_city.street.pk, starts_on=today - dt.timedelta(days=2),
                                  ends_on=today + dt.timedelta(days=10), item_codes=["dispute", "rental", "wages"])
    worker = Clerk(browser, live_server.url, "grid_worker", viewport=PHONE, shots=SHOTS)
    page = worker.page
    worker.goto("/risk/campaigns/")
    page.get_by_role("link", name=f"排查 {live_city.grids[0].name}").first.click()
    page.wait_for_selector("[data-testid=screen-form]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # no sideways scrolling on a phone
    page.check("input[name=items_checked][value=dispute]")
    page.check("input[name=items_checked][value=rental]")
    page.check("input[name=result][value=found]")
    page.fill("#id_finding_0_title", "3 号楼群租，租客与房东因押金争执")
    page.select_option("#id_finding_0_item", "rental")
    page.select_option("#id_finding_0_grade", "general")
    worker.shot("risk-screen-phone-filled")
    page.click("[data-testid=screen-form] button[type=submit]")
    error = page.locator("#id_items_checked_error, .r-checklist .field-error").first
    assert "劳资欠薪" in error.inner_text()
    assert Screening.objects.count() == 0
    page.check("input[name=items_checked][value=wages]")  # the other boxes stay ticked after the refusal
    assert page.is_checked("input[name=items_checked][value=dispute]")
    page.click("[data-testid=screen-form] button[type=submit]")
    page.wait_for_selector("[data-testid=campaign-progress]")
    assert page.url.endswith(f"/risk/campaigns/{c.code}/")
    assert "排查已登记" in page.inner_text(".messages")
    assert "1 / 2" in page.inner_text("[data-testid=campaign-progress]")
    worker.shot("risk-campaign-phone")
    entry = RiskEntry.objects.get()
    assert (entry.title, entry.grade, entry.grid, entry.checklist_item) == (
        "3 号楼群租，租客与房东因押金争执", "general", live_city.grids[0], "rental")
    assert Screening.objects.get().screened_by == live_city.users["grid_worker"]

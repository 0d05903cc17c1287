"""A grid's page in a real browser: a grid worker opens her grid from the inbox — the map with the plan's
places, the team with masked phones, the plan with overdue places, recent visits —, reveals the phones
(audited); a dispatcher opens the grid from a case's 位置 card and sends a dispute to the grid team's
mediator with one click; a leader reads which grids lack which officer.

Screenshots go to tests/screenshots/grid-*.png (gitignored)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import services
from fengqiao.cases.models import Case, Category, Channel
from fengqiao.gridwork.models import Finding, Place, PlaceKind, Visit
from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.team_kit import Units, full_team, officer_units
from tests.web.browser_kit import PHONE, SHOTS, Clerk

pytestmark = pytest.mark.browser

PLACES = [  # name, kind, every (days), last visit (days ago; None: never), offset in the grid
    ("王秀英家（独居老人）", PlaceKind.HOUSEHOLD, 7, 2, (0.002, 0.002)),
    ("东风路 18 号 便利店", PlaceKind.SHOP, 30, 12, (0.006, 0.003)),
    ("东风路 26 号 3 幢 402 室 出租房", PlaceKind.RENTAL, 14, 20, (0.004, 0.007)),
    ("东风小学", PlaceKind.SCHOOL, 30, None, (0.008, 0.008)),
    ("泰州东风机械有限公司", PlaceKind.COMPANY, 90, 40, (0.002, 0.008)),
    ("东风农贸市场", PlaceKind.KEY_PLACE, 7, 9, (0.007, 0.005)),
]


def _plan(city: City) -> None:
    grid, (lng, lat) = city.grids[0], city.grids[0].geometry["coordinates"][0][0]  # type: ignore[index]
    worker = city.users["grid_worker"]
    now = clock.now()
    for name, kind, every, last, (dx, dy) in PLACES:
        place = Place.objects.create(grid=grid, kind=kind, name=name, address=f"海陵区{name}", lng=lng + dx,
                                     lat=lat + dy, every_days=every, created_at=now - dt.timedelta(days=120))
        if last is None:
            continue
        at = now - dt.timedelta(days=last, hours=2)
        late = kind == PlaceKind.SHOP  # uploaded hours later: the phone was offline
        Visit.objects.create(client_id=uuid.uuid4(), grid=grid, place=place, worker=worker, observed_at=at,
                             received_at=at + dt.timedelta(hours=4 if late else 0, seconds=3), lng=place.lng,
                             lat=place.lat, note="店主不在，已电话联系" if late else "")


def _dispute(city: City) -> Case:
    top = Category.objects.create(code="03", name="政法", level=1)
    mid = Category.objects.create(code="0301", name="仲裁与调解", level=2, parent=top)
    leaf = Category.objects.create(code="030101", name="邻里纠纷", level=3, parent=mid)
    lng, lat = city.point_in(0)
    return services.register(city.users["operator"], services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="楼上漏水，邻里多次争吵", description="3 号楼 502 漏水至 402，协商无果",
        category_id=leaf.pk, lng=lng, lat=lat, address="海陵区东风路 26 号")).case


def test_a_grid_workers_page_the_reveal_and_a_dispute_sent_to_the_team(browser: Any, live_server: Any,
                                                                     live_city: City) -> None:
    city, base = live_city, live_server.url
    units: Units = officer_units(city)
    full_team(city, units)
    _plan(city)
    case = _dispute(city)
    issue_place = Place.objects.get(kind=PlaceKind.KEY_PLACE)
    Visit.objects.create(client_id=uuid.uuid4(), grid=city.grids[0], place=issue_place,
                         worker=city.users["grid_worker"], observed_at=clock.now() - dt.timedelta(hours=3),
                         received_at=clock.now() - dt.timedelta(hours=3), lng=issue_place.lng, lat=issue_place.lat,
                         finding=Finding.ISSUE, case=case, note="市场东门积水严重")

    worker = Clerk(browser, base, "grid_worker")
    worker.page.click(f"a[href='/grids/{city.grids[0].code}/']")  # 我的网格, in her inbox
    worker.page.wait_for_selector("#grid-map canvas")
    page = worker.page
    assert page.locator("h1").inner_text() == "东风社区第1网格"
    team = page.locator("#grid-team")
    assert "138****0002" in team.inner_text()
    assert "13800000002" not in team.inner_text()
    assert page.locator("[data-testid=overdue-count]").inner_text() == "2"  # 东风小学 and the rental
    rows = page.locator(".plan-table tbody tr")
    assert rows.first.inner_text().startswith("东风小学")  # never visited: the most overdue first
    assert "离线保存" in page.locator("#visits").inner_text()
    assert case.code in page.locator("#visits").inner_text()
    worker.shot("grid-01-grid-worker-page")

    page.click("text=显示完整电话")
    page.wait_for_selector("#grid-team .revealed")
    assert "13800000002" in page.locator("#grid-team").inner_text()
    assert PersonalDataView.objects.filter(user=city.users["grid_worker"], subject=f"grid:{city.grids[0].code}",
                                           fields="team.phone").count() == 1
    worker.shot("grid-02-team-phones-revealed")

    phone = Clerk(browser, base, "grid_worker", viewport=PHONE)
    phone.goto(f"/grids/{city.grids[0].code}/")
    phone.page.wait_for_selector("#grid-map canvas")
    phone.shot("grid-03-grid-page-phone")
    phone.page.screenshot(path=str(SHOTS / "grid-03a-phone-first-screen.png"))  # what she sees first
    phone.page.locator("#plan").screenshot(path=str(SHOTS / "grid-03b-phone-plan.png"))

    dispatcher = Clerk(browser, base, "dispatcher")
    dispatcher.goto(f"/cases/{case.code}/")
    form = dispatcher.page.locator('details[data-action="dispatch"]')
    options = form.locator("[data-team-unit]")
    assert options.all_inner_texts() == ["网格团队：调解员 周调解（海陵区人民调解委员会）",
                                         "网格团队：律师 孙律师（江苏海陵律师事务所）"]
    options.first.click()
    assert form.locator('select[name="dispatch-lead_unit_id"]').input_value() == str(units.mediation.pk)
    assert form.locator(".routing-reason").inner_text() == (
        "分拨依据：网格团队：东风社区第1网格的调解员 周调解（海陵区人民调解委员会）")
    dispatcher.shot("grid-04-dispatch-form-team-mediator")
    dispatcher.act("dispatch", {"text": "邻里纠纷，交网格团队调解员先行调解"})
    assert dispatcher.status() == "待签收"
    assert Case.objects.get(pk=case.pk).lead_unit_id == units.mediation.pk
    dispatcher.page.click("a.grid-link")  # the grid's name on the 位置 card
    dispatcher.page.wait_for_selector("#grid-map canvas")
    assert dispatcher.page.url.endswith(f"/grids/{city.grids[0].code}/")

    leader = Clerk(browser, base, "leader")
    leader.page.click("nav.mainnav >> text=网格团队")
    body = leader.page.locator("main").inner_text()
    assert "东风社区第1网格" not in leader.page.locator("table.gaps").inner_text()  # complete
    assert "西园社区第3网格" in body
    leader.shot("grid-05-teams-completeness")

"""The grid worker's patrol app on a phone (390×844) in Debian's chromium against the live server: the network
drops mid-patrol, she records two visits and a report with a photo, they wait on the phone as 待上传 (even
across a reload with no network), and when the network returns each reaches the server exactly once — also
when the server's answer is lost on the way back.  Screenshots: tests/screenshots/patrol-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.cases.models import Attachment, Case, Channel
from fengqiao.gridwork.models import Finding, LocatedBy, Place, PlaceKind, Visit, VisitPhoto
from tests.factories import PASSWORD, City
from tests.gridwork.patrol_kit import place, png
from tests.web.browser_kit import PHONE, Clerk

pytestmark = pytest.mark.browser


def wait_for_service_worker(page: Any) -> None:
    """The worker controls the page and has kept the shell and the plan."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    for _ in range(150):
        if page.evaluate("caches.match('/api/patrol/plan').then(r => !!r)"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker did not keep the plan")


def open_visit(page: Any, name: str) -> Any:
    page.locator("[data-testid=place]", has_text=name).locator("[data-action=visit]").click()
    form = page.locator("[data-testid=visit-form]")
    form.wait_for(state="visible")
    return form


def save(page: Any, form: Any) -> None:
    form.locator("[data-action=save]").click()
    form.wait_for(state="hidden")


def queue_states(page: Any) -> list[str]:
    rows = page.locator("[data-testid=queue-item]")
    return [str(s) for s in rows.evaluate_all("rows => rows.map(r => r.dataset.state)")]


def test_an_offline_patrol_reaches_the_server_exactly_once(live_city: City, live_server: Any, browser: Any) -> None:
    city = live_city
    rental = place(city, name="东风路 18 号出租房", kind=PlaceKind.RENTAL, every_days=7, created_days_ago=20)
    shop = place(city, name="幸福便利店", kind=PlaceKind.SHOP, every_days=14, offset=(0.002, 0.001),
                 created_days_ago=9)
    home = place(city, name="王某某家（独居老人）", kind=PlaceKind.HOUSEHOLD, every_days=30,
                 offset=(-0.002, 0.002), created_days_ago=2)
    place(city, grid=2, name="西园社区的店")  # another worker's grid: not on her plan
    clerk = Clerk(browser, live_server.url, "grid_worker", viewport=PHONE)
    context, page = clerk.context, clerk.page
    lng, lat = city.point_in(0)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": lng + 0.0002, "latitude": lat + 0.0001, "accuracy": 15})

    clerk.goto("/patrol/")
    places = page.locator("[data-testid=place]")
    places.first.wait_for()
    assert places.count() == 3
    assert "东风社区第1网格" in page.locator("[data-testid=grids]").inner_text()
    assert "逾期 20 天" in places.nth(0).inner_text()  # the rental: planned 20 days ago, never visited
    wait_for_service_worker(page)
    clerk.shot("patrol-01-plan")

    # the network drops in the middle of the patrol
    context.set_offline(True)
    page.locator("[data-testid=network]", has_text="离线").wait_for()

    form = open_visit(page, rental.name)
    page.locator("[data-testid=gps]", has_text="已定位").wait_for()
    form.locator("textarea[name=note]").fill("出租房登记信息无变化，租户 2 人")
    save(page, form)

    context.clear_permissions()  # she refuses the location prompt at the next place
    form = open_visit(page, shop.name)
    gps = page.locator("[data-testid=gps]", has_text="未获得定位")
    gps.wait_for()
    assert "将以走访点位置记录" in gps.inner_text()
    form.locator("label:has(input[value=absent])").click()
    clerk.shot("patrol-02-no-gps")
    save(page, form)

    context.grant_permissions(["geolocation"], origin=live_server.url)
    form = open_visit(page, home.shown_name(True))  # her own household: named in full on her phone
    form.locator("label:has(input[value=issue])").click()
    form.locator("input[name=title]").fill("独居老人家中燃气灶老化")
    form.locator("textarea[name=description]").fill("燃气灶软管开裂，老人独居，存在安全隐患，需燃气公司上门更换")
    form.locator("select[name=category]").select_option(label="物业管理")
    form.locator("input[name=photos]").set_input_files(
        {"name": "scene.png", "mimeType": "image/png", "buffer": png(96, 64, (180, 120, 40))})
    form.locator("[data-testid=thumb]").wait_for()
    page.locator("[data-testid=gps]", has_text="已定位").wait_for()
    form.locator("[data-testid=thumb]").scroll_into_view_if_needed()
    page.screenshot(path=str(clerk.shots / "patrol-03-report-form.png"))
    save(page, form)

    assert queue_states(page) == ["pending", "pending", "pending"]
    assert "3 条待上传" in page.locator("[data-testid=outbox-banner]").inner_text()
    assert Visit.objects.count() == 0
    clerk.shot("patrol-04-offline-queued")

    # a reload with no network: the service worker's shell, the kept plan, the phone's outbox
    page.reload()
    page.locator("[data-testid=queue-item]").first.wait_for()
    assert queue_states(page) == ["pending", "pending", "pending"]
    assert page.locator("[data-testid=place]").count() == 3
    assert "离线" in page.locator("[data-testid=plan-time]").inner_text()
    clerk.shot("patrol-05-offline-reloaded")

    context.set_offline(False)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=queue-item]')].every(r => r.dataset.state === 'sent')"
        " && document.querySelectorAll('[data-testid=queue-item]').length === 3", timeout=20_000)
    page.locator("[data-testid=outbox-banner]").wait_for(state="hidden")
    page.locator("[data-testid=queue-item] .pt-case").first.wait_for()
    clerk.shot("patrol-06-uploaded")

    visits = {v.place_id: v for v in Visit.objects.all()}
    assert sorted(visits) == sorted([rental.pk, shop.pk, home.pk])
    assert (visits[rental.pk].finding, visits[rental.pk].located_by, visits[rental.pk].accuracy_m) == (
        Finding.NORMAL, LocatedBy.GPS, 15.0)
    assert visits[rental.pk].note == "出租房登记信息无变化，租户 2 人"
    assert (visits[shop.pk].finding, visits[shop.pk].located_by, visits[shop.pk].lng, visits[shop.pk].lat) == (
        Finding.ABSENT, LocatedBy.PLACE, shop.lng, shop.lat)
    for visit in visits.values():
        assert visit.observed_at < visit.received_at  # the phone's clock at saving, the server's at upload
    case = Case.objects.get()
    assert (case.channel, case.title, visits[home.pk].case_id) == (Channel.GRID_PATROL, "独居老人家中燃气灶老化",
                                                                    case.pk)
    assert case.category == city.categories["mid"]
    assert [p.content_type for p in VisitPhoto.objects.all()] == ["image/jpeg"]  # shrunk on the phone
    assert Attachment.objects.filter(case=case).count() == 1
    assert case.code in page.locator("[data-testid=queue]").inner_text()

    # online again, the server records a visit but its answer is lost: the phone sends it again, once more
    statuses: list[int] = []

    def lose_the_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()
        statuses.append(response.status)
        if len(statuses) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/api/patrol/visits", lose_the_first_answer)
    form = open_visit(page, rental.name)
    page.locator("[data-testid=gps]", has_text="已定位").wait_for()
    save(page, form)
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-item][data-state=sent]').length === 4",
                           timeout=20_000)
    assert statuses == [201, 200]
    assert Visit.objects.filter(place=rental).count() == 2
    assert (Visit.objects.count(), Case.objects.count(), VisitPhoto.objects.count()) == (4, 1, 1)
    assert Place.objects.count() == 4
    clerk.close()


def test_an_expired_session_and_a_refused_visit_keep_the_records_on_the_phone(
        live_city: City, live_server: Any, browser: Any) -> None:
    city = live_city
    kept = place(city, name="东风小学", kind=PlaceKind.SCHOOL, every_days=7)
    moved = place(city, name="临街烧烤店", kind=PlaceKind.SHOP, every_days=7)
    clerk = Clerk(browser, live_server.url, "grid_worker", viewport=PHONE)
    context, page = clerk.context, clerk.page
    context.grant_permissions(["geolocation"], origin=live_server.url)
    lng, lat = city.point_in(0)
    context.set_geolocation({"longitude": lng, "latitude": lat, "accuracy": 30})
    clerk.goto("/patrol/")
    page.locator("[data-testid=place]").nth(1).wait_for()
    wait_for_service_worker(page)

    context.set_offline(True)
    for name in (kept.name, moved.name):
        form = open_visit(page, name)
        page.locator("[data-testid=gps]", has_text="已定位").wait_for()
        save(page, form)
    # while she was out of reach the shop was moved to the neighbouring community's grid, and her session ended
    Place.objects.filter(pk=moved.pk).update(grid=city.grids[2])
    context.clear_cookies()
    context.set_offline(False)
    login_note = page.locator("[data-testid=login-needed]")
    login_note.wait_for()
    assert "登录已过期" in login_note.inner_text()
    assert "2 条待上传，登录后自动上传" in page.locator("[data-testid=outbox-banner]").inner_text()
    assert queue_states(page) == ["pending", "pending"]
    assert Visit.objects.count() == 0
    clerk.shot("patrol-07-login-expired")

    login_note.locator("a").click()
    page.fill("#id_username", "grid_worker")
    page.fill("#id_password", PASSWORD)
    page.click("form button.primary")
    page.wait_for_url(f"{live_server.url}/patrol/")
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-item][data-state=rejected]').length === 1"
                           " && document.querySelectorAll('[data-testid=queue-item][data-state=sent]').length === 1",
                           timeout=20_000)
    refused = page.locator("[data-testid=queue-item][data-state=rejected]")
    assert "临街烧烤店" in refused.inner_text()
    assert "不在您负责的网格内" in refused.inner_text()
    assert "1 条被退回" in page.locator("[data-testid=outbox-banner]").inner_text()
    assert list(Visit.objects.values_list("place_id", flat=True)) == [kept.pk]
    clerk.shot("patrol-08-refused")

    page.once("dialog", lambda dialog: dialog.accept())
    refused.locator("button").click()
    page.locator("[data-testid=queue-item][data-state=rejected]").wait_for(state="detached")
    page.locator("[data-testid=outbox-banner]").wait_for(state="hidden")
    assert page.evaluate("idbKeyval.keys(idbKeyval.createStore('fengqiao-patrol-outbox', 'outbox'))") == []
    clerk.close()


def test_an_officer_visits_her_campaigns_places_exactly_once(live_city: City, live_server: Any, browser: Any) -> None:
    """A prosecutor on the grid's team: her plan is 检察官进校园's schools in her grid, not the grid worker's
    round; no report on the go and no case form (her account cannot register cases); a visit sent for the
    campaign, and when the server's answer is lost, sent again and answered 200 — one visit."""
    from tests.gridwork.officer_kit import officers

    city = live_city
    team = officers(city)
    place(city, name="幸福便利店", kind=PlaceKind.SHOP)  # the grid worker's round: not on her plan
    clerk = Clerk(browser, live_server.url, team.prosecutor.username, viewport=PHONE)
    context, page = clerk.context, clerk.page
    context.grant_permissions(["geolocation"], origin=live_server.url)
    lng, lat = city.point_in(0)
    context.set_geolocation({"longitude": lng, "latitude": lat, "accuracy": 20})
    assert page.locator("nav.mainnav a", has_text="网格巡查").count() == 1
    clerk.goto("/patrol/")
    places = page.locator("[data-testid=place]")
    places.first.wait_for()
    assert places.count() == 1
    assert "东风小学" in places.first.inner_text()
    assert f"检察官进校园 · {team.schools.ends_on:%m-%d} 截止" in places.first.inner_text()
    assert page.locator("[data-action=ad-hoc]").is_hidden()

    statuses: list[int] = []

    def lose_the_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()
        statuses.append(response.status)
        if len(statuses) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/api/patrol/visits", lose_the_first_answer)
    form = open_visit(page, "东风小学")
    assert "检察官进校园" in form.locator(".pt-sheet-kind").inner_text()
    page.locator("[data-testid=gps]", has_text="已定位").wait_for()
    form.locator("label:has(input[value=issue])").click()
    assert form.locator(".pt-report").is_hidden()
    assert "不能直接登记事件" in form.locator("[data-testid=no-report]").inner_text()
    form.locator("[data-action=save]").click()
    assert form.locator("[data-testid=form-error]").inner_text() == "请在情况记录中写明发现的问题"
    form.locator("textarea[name=note]").fill("校门口有商贩向学生兜售电子烟")
    clerk.shot("patrol-09-officer-form")
    save(page, form)
    page.wait_for_function("document.querySelectorAll('[data-testid=queue-item][data-state=sent]').length === 1",
                           timeout=20_000)
    page.locator("[data-testid=place]", has_text="本次行动已走访").wait_for()
    clerk.shot("patrol-10-officer-done")
    assert statuses == [201, 200]
    visit = Visit.objects.get()
    assert (visit.place, visit.campaign, visit.team_role, visit.worker, visit.finding, visit.case) == (
        team.school, team.schools, "prosecutor", team.prosecutor, Finding.ISSUE, None)
    assert Case.objects.count() == 0
    clerk.close()

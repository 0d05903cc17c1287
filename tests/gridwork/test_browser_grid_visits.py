"""The grid's page in Debian's chromium with its visits' photos: the grid worker sees thumbnails (served by the
scoped view, never /media/), opens one full size, opens a visit's page with its map; the street's dispatcher
sees the households masked and their photos withheld.  Screenshots: tests/screenshots/grid-visits-*.png."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.gridwork import services
from fengqiao.gridwork.models import Finding, PlaceKind
from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.officer_kit import officers
from tests.gridwork.patrol_kit import place, report, visit_input
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser


def scene(top: tuple[int, int, int], bottom: tuple[int, int, int], width: int = 320, height: int = 240) -> bytes:
    """A PNG with a vertical gradient and a darker block in it: something that looks like a photo's colours."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(height):
        t = y / (height - 1)
        colour = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        block = bytes(max(0, c - 70) for c in colour)
        inside = height // 3 <= y < height * 5 // 6
        rows.append(b"\x00" + (colour * (width // 4) + (block if inside else colour) * (width // 3)
                              + colour * (width - width // 4 - width // 3)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _patrol(city: City) -> dict[str, Any]:
    worker = city.users["grid_worker"]
    home = place(city, name="王秀英家（独居老人）", kind=PlaceKind.HOUSEHOLD, every_days=7, offset=(-0.002, 0.002))
    shop = place(city, name="幸福便利店", kind=PlaceKind.SHOP, every_days=14, offset=(0.002, 0.001))
    rental = place(city, name="东风路 18 号 3 幢 201 室 出租房", every_days=30, offset=(0.001, -0.002))
    team = officers(city)
    now = clock.now()
    services.record_visit(worker, visit_input(rental, observed_at=now - dt.timedelta(days=2), note="租户登记无变化",
                                              photos=[upload("r.png", scene((196, 214, 230), (120, 140, 160)))]))
    issue = services.record_visit(worker, visit_input(
        shop, observed_at=now - dt.timedelta(hours=5), lng=shop.lng + 0.0004, finding=Finding.ISSUE,
        note="店门口堆放 6 个液化气罐",
        report=report(title="商铺门口堆放液化气罐", description="幸福便利店门口堆放液化气罐，存在安全隐患"),
        photos=[upload("a.png", scene((235, 200, 150), (150, 90, 40))),
                upload("b.png", scene((200, 220, 190), (90, 120, 70)))])).visit
    services.record_visit(team.prosecutor, visit_input(team.school, campaign_id=team.schools.pk,
                                                       observed_at=now - dt.timedelta(hours=2), note="法治副校长到校"))
    services.record_visit(worker, visit_input(home, observed_at=now - dt.timedelta(minutes=40), note="老人身体尚好",
                                              photos=[upload("h.png", scene((230, 210, 200), (170, 120, 110)))]))
    return {"issue": issue, "home": home}


def _loaded(page: Any, selector: str, count: int) -> None:
    page.wait_for_function(
        "([s, n]) => { const i = [...document.querySelectorAll(s)];"
        " return i.length === n && i.every(x => x.complete && x.naturalWidth > 0); }", arg=[selector, count])


def test_the_grid_page_shows_visit_photos_and_a_visit(browser: Any, live_server: Any,
                                                      live_city: City) -> None:
    city = live_city
    made = _patrol(city)
    errors: list[str] = []
    photo_answers: list[tuple[str, int]] = []

    worker = Clerk(browser, live_server.url, "grid_worker")
    page = worker.page
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: photo_answers.append((r.url, r.status)) if "/photos/" in r.url else None)
    worker.goto(f"/grids/{city.grids[0].code}/")
    _loaded(page, "#visits .visit-photo img", 4)
    assert page.locator("[data-testid=visit]").count() == 4
    assert "王秀英家（独居老人）" in page.locator("#visits").inner_text()
    assert "检察官 · 检察官进校园" in page.locator("#visits").inner_text()
    assert all(f"/grids/{city.grids[0].code}/visits/" in url and status == 200 for url, status in photo_answers)
    assert "/media/" not in page.content()
    page.locator("#visits").scroll_into_view_if_needed()
    worker.shot("grid-visits-01-photos")

    page.locator(f"[data-visit-id='{made['issue'].pk}'] [data-testid=visit-photo]").first.click()
    viewer = page.locator("[data-photo-viewer]")
    viewer.wait_for(state="visible")
    page.wait_for_function("document.querySelector('[data-photo-viewer] img').naturalWidth === 320")
    page.screenshot(path=str(worker.shots / "grid-visits-02-viewer.png"))
    viewer.locator("[data-close]").click()
    viewer.wait_for(state="hidden")

    page.locator(f"[data-visit-id='{made['issue'].pk}'] a.visit-more").click()
    page.wait_for_url(f"**/visits/{made['issue'].pk}/")
    page.wait_for_selector("#visit-map canvas")
    _loaded(page, "#visit-photos .visit-photo img", 2)
    facts = page.locator("[data-testid=visit-facts]").inner_text()
    assert "GPS 定位" in facts
    assert "米" in facts
    assert made["issue"].case.code in page.locator("[data-testid=visit-case]").inner_text()
    page.wait_for_timeout(300)
    worker.shot("grid-visits-03-visit")
    assert errors == []
    worker.close()

    dispatcher = Clerk(browser, live_server.url, "street_dispatcher")
    dispatcher.goto(f"/grids/{city.grids[0].code}/")
    page = dispatcher.page
    _loaded(page, "#visits .visit-photo img", 3)  # the household's photo is withheld
    text = page.locator("main").inner_text()
    assert "王秀英" not in text
    assert "王**" in text
    assert "仅网格员和网格团队可见" in page.locator("#visits").inner_text()
    page.locator("[data-testid=households-masked]").scroll_into_view_if_needed()
    dispatcher.shot("grid-visits-04-masked")
    dispatcher.close()

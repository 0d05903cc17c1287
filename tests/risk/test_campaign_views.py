"""The screening and indicator pages over HTTP: starting a campaign, a grid worker's screening form (refusals
on their fields with 400 and nothing saved, then saved), the campaign page's progress and unscreened grids,
scope (404 / 403), the indicators table with its drill-downs, bad selectors (400), the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from fengqiao.risk import screening, services
from fengqiao.risk.models import Campaign, RiskEntry, Screening
from tests.cases.builders import dispatch, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
ITEMS = ["dispute", "rental"]


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def campaign(city: City) -> Campaign:
    return screening.create_campaign(city.users["risk_officer"], title="三月矛盾纠纷大排查", area_id=city.district.pk,
                                     starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31), item_codes=ITEMS)


def test_a_risk_officer_starts_a_campaign(city: City, frozen: Any) -> None:
    officer = client_for(city.users["risk_officer"])
    page = officer.get("/risk/campaigns/new/")
    assert page.status_code == 200
    assert "矛盾纠纷" in page.content.decode()
    bad = officer.post("/risk/campaigns/new/", {"title": "排查", "area_id": city.district.pk, "starts_on": "2026-03-10",
                                                "ends_on": "2026-03-01", "item_codes": ITEMS})
    assert bad.status_code == 400
    assert "结束日期不能早于开始日期" in bad.content.decode()
    assert Campaign.objects.count() == 0
    done = officer.post("/risk/campaigns/new/", {"title": "三月排查", "area_id": city.district.pk,
                                                 "starts_on": "2026-03-01", "ends_on": "2026-03-31",
                                                 "item_codes": ITEMS})
    c = Campaign.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/risk/campaigns/{c.code}/"
    assert client_for(city.users["grid_worker"]).get("/risk/campaigns/new/").status_code == 403


def test_a_grid_worker_screens_her_grid(city: City, frozen: Any) -> None:
    c = campaign(city)
    worker = client_for(city.users["grid_worker"])
    assert 'href="/risk/campaigns/"' in worker.get("/").content.decode()  # 风险排查 in her navigation
    listing = worker.get("/risk/campaigns/").content.decode()
    url = f"/risk/campaigns/{c.code}/grid/{city.grids[0].pk}/"
    assert url in listing
    assert worker.get(url).status_code == 200
    base = {"result": "found", "items_checked": ITEMS, "note": "走访 40 户"}
    missing = worker.post(url, {**base, "items_checked": ["dispute"], "finding_0_title": "群租",
                                "finding_0_item": "rental"})
    assert missing.status_code == 400
    assert "还有排查事项未确认：租赁房屋" in missing.content.decode()
    wrong = worker.post(url, {**base, "finding_1_title": "欠薪", "finding_1_item": ""})  # slot 2, slot 1 left empty
    assert wrong.status_code == 400
    assert 'id="id_finding_1_item_error"' in wrong.content.decode()
    assert (Screening.objects.count(), RiskEntry.objects.count()) == (0, 0)
    saved = worker.post(url, {**base, "finding_1_title": "装修公司拖欠工资", "finding_1_item": "dispute",
                              "finding_1_grade": "general"})
    assert saved.status_code == 302
    entry = RiskEntry.objects.get()
    assert (entry.title, entry.grade, entry.grid, entry.campaign) == ("装修公司拖欠工资", "general", city.grids[0], c)
    again = worker.get(url).content.decode()
    assert 'data-testid="already"' in again
    assert worker.post(url, {**base, "result": "clear"}).status_code == 409
    assert worker.get(f"/risk/campaigns/{c.code}/grid/{city.grids[2].pk}/").status_code == 404


def test_the_campaign_page(city: City, frozen: Any) -> None:
    c = campaign(city)
    screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS)
    page = client_for(city.users["risk_officer"]).get(f"/risk/campaigns/{c.code}/?street={city.street.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<b>1</b> / 4" in html
    assert "东风社区第2网格" in html  # unscreened, listed
    assert "城东街道各社区进度" in html
    assert client_for(city.users["handler"]).get(f"/risk/campaigns/{c.code}/").status_code == 404


def test_indicators_page_drill_down_and_export(city: City, frozen: Any) -> None:
    c = campaign(city)
    screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS)
    case = dispatch(city, register(city, title="拆迁补偿分歧"))
    entry = services.open_from_case(city.users["risk_officer"], case.code, "key", "扬言聚集",
                                    city.departments[2].pk)
    officer = client_for(city.users["risk_officer"])
    page = officer.get("/risk/indicators/", {"period": "month:2026-03-01", "area": str(city.district.pk)})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="drill-control"' in html  # listed without a measure
    assert "1 / 4" in html  # screening
    drill = officer.get("/risk/indicators/control/", {"period": "month:2026-03-01", "area": str(city.district.pk)})
    assert entry.code in drill.content.decode()
    grids = officer.get("/risk/indicators/screening/", {"period": "month:2026-03-01"}).content.decode()
    assert "西园社区第4网格" in grids
    assert "东风社区第1网格" not in grids
    assert officer.get("/risk/indicators/", {"period": "month:1999-01-01"}).status_code == 400
    assert officer.get("/risk/indicators/", {"area": "abc"}).status_code == 400
    assert officer.get("/risk/indicators/nope/").status_code == 404
    assert client_for(city.users["grid_worker"]).get("/risk/indicators/").status_code == 403
    export = officer.get("/risk/indicators/export.xlsx", {"period": "month:2026-03-01"})
    assert export.status_code == 200
    ws = load_workbook(io.BytesIO(export.content)).active
    assert ws is not None
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    office = rows["城东街道办事处"]
    assert office[1] == 0.5  # screening: 1 of its 2 grids
    assert office[4] == 0.0  # control: its entry has no measure yet
    assert office[-2] == 1  # one entry opened


def test_the_admin_edits_cadences_and_the_checklist(city: City) -> None:
    admin = client_for(city.users["admin"])
    for path in ("/admin/risk/reviewcadence/", "/admin/risk/checklistitem/", "/admin/risk/campaign/",
                 "/admin/risk/riskentry/"):
        assert admin.get(path).status_code == 200, path
    assert admin.get("/admin/risk/campaign/add/").status_code == 403  # written by the services only
    assert admin.get("/admin/risk/checklistitem/add/").status_code == 200

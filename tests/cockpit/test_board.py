"""The public board: figures from the Fact rows, the small-number rule (with secondary suppression), periods,
the drill into a district's streets, bad input, no personal data, the cache and the per-client limit."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fengqiao.cockpit import board, board_views, rollup
from fengqiao.cockpit import selectors as sel
from fengqiao.cockpit.models import CITY_SCOPE, Dim, Fact, FactMonth, Grain
from fengqiao.jurisdictions.models import Area, Level
from tests.cockpit.conftest import spread
from tests.factories import City

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
NOV, OCT = dt.date(2026, 11, 1), dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


def put(scope: int, month: dt.date, dim: str, key: str, **counts: int) -> None:
    Fact.objects.create(scope=scope, grain=Grain.MONTH, period=month, dim=dim, key=key, **counts)


@pytest.fixture
def districts(city: City) -> dict[str, Area]:
    """Three districts with hand-written November rows (and one October row): 海陵 40, 高港 12, 姜堰 3."""
    gaogang = Area.objects.create(code="321203", name="高港区", level=Level.DISTRICT, parent=city.city)
    jiangyan = Area.objects.create(code="321204", name="姜堰区", level=Level.DISTRICT, parent=city.city)
    rows = {
        city.district: dict(received=40, valid=38, resolved=30, on_time=25, due=32, evaluated=20, satisfied=18),
        gaogang: dict(received=12, valid=12, resolved=9, on_time=9, due=9, evaluated=4, satisfied=4),
        jiangyan: dict(received=3, valid=3, resolved=3, on_time=3, due=3, evaluated=3, satisfied=0),
    }
    for area, counts in rows.items():
        put(CITY_SCOPE, NOV, Dim.DISTRICT, str(area.pk), **counts)
    put(CITY_SCOPE, NOV, Dim.ALL, "", **{k: sum(c[k] for c in rows.values()) for k in rows[city.district]})
    put(city.district.pk, NOV, Dim.STREET, str(city.street.pk), received=31, valid=30, resolved=25, due=26,
        on_time=20, evaluated=15, satisfied=12)
    put(city.district.pk, NOV, Dim.STREET, str(city.other_street.pk), received=9, valid=8, resolved=5, due=6,
        on_time=5, evaluated=5, satisfied=5)
    put(city.district.pk, NOV, Dim.ALL, "", received=40, valid=38, resolved=30, on_time=25, due=32, evaluated=20,
        satisfied=18)
    put(CITY_SCOPE, OCT, Dim.DISTRICT, str(city.district.pk), received=20, valid=20, resolved=20, on_time=20, due=20,
        evaluated=10, satisfied=10)
    put(CITY_SCOPE, OCT, Dim.ALL, "", received=20, valid=20, resolved=20, on_time=20, due=20, evaluated=10,
        satisfied=10)
    FactMonth.objects.create(month=NOV, computed_at=NOW - dt.timedelta(minutes=7))
    FactMonth.objects.create(month=OCT, computed_at=NOW - dt.timedelta(days=20))
    return {"海陵区": city.district, "高港区": gaogang, "姜堰区": jiangyan}


def table(body: str) -> dict[str, list[str]]:
    """The board table as {area: [received, resolved, resolution, on time, satisfaction]}."""
    part = body.split('data-testid="board-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", part, flags=re.S)[1:]:
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]
        rows[cells[0]] = cells[1:]
    return rows


def page(client: Client, **params: str) -> Any:
    return client.get(reverse("board"), params)


def test_the_board_is_public_and_reads_the_fact_rows(districts: dict[str, Area], client: Client) -> None:
    response = page(client)
    assert response.status_code == 200
    body = response.content.decode()
    rows = table(body)
    assert rows["海陵区"] == ["40", "30", "78.9%", "78.1%", "90.0%"]  # 30/38, 25/32, 18/20
    # 姜堰区 has 3 matters: hidden; as the only one, 高港区 (the next smallest) is hidden with it
    assert rows["姜堰区"] == ["<10", "<10", "—", "—", "—"]
    assert rows["高港区"] == ["<10", "<10", "—", "—", "—"]
    assert "数据更新于 2026-11-25 09:53" in body
    assert "2026年11月（截至今日）" in body
    total = body.split('data-testid="board-total"', 1)[1].split("</section>", 1)[0]
    assert "<b>55</b>" in total
    assert "<b>42</b>" in total
    chart = json.loads(re.search(r'id="board-data"[^>]*>(.*?)</script>', body, flags=re.S)[1])  # type: ignore[index]
    assert chart["names"] == ["海陵区", "高港区", "姜堰区"]
    assert chart["received"] == [40, None, None]
    assert chart["satisfaction"] == [90.0, None, None]


def test_a_rate_needs_its_own_base(districts: dict[str, Area]) -> None:
    """Twelve matters are published, but an on-time rate over 9 due and a satisfaction rate over 4
    evaluations are not."""
    published = board.publish(sel.Totals(received=12, valid=12, resolved=9, on_time=9, due=9, evaluated=4,
                                         satisfied=4))
    assert (published.received, published.resolved, published.resolution_rate) == (12, 9, 0.75)
    assert (published.on_time_rate, published.satisfaction_rate) == (None, None)
    assert published.texts == {"received": "12", "resolved": "9", "resolution": "75.0%", "on_time": "—",
                               "satisfaction": "—"}
    assert board.publish(sel.Totals(received=9, valid=9, resolved=9)).texts["received"] == "<10"


def test_two_small_areas_need_no_secondary_suppression(city: City, districts: dict[str, Area],
                                                       client: Client) -> None:
    Fact.objects.filter(scope=CITY_SCOPE, dim=Dim.DISTRICT, key=str(districts["高港区"].pk)).update(received=8,
                                                                                                   valid=8)
    rows = table(page(client).content.decode())
    assert rows["海陵区"][0] == "40"
    assert rows["高港区"][0] == rows["姜堰区"][0] == "<10"


def test_the_unplaced_row_alone_hides_no_district(city: City, districts: dict[str, Area], client: Client) -> None:
    """Three matters without a district are the only row below ten: they are no area to protect."""
    Fact.objects.filter(scope=CITY_SCOPE, dim=Dim.DISTRICT, key=str(districts["姜堰区"].pk)).update(key="")
    districts["姜堰区"].delete()
    rows = table(page(client).content.decode())
    assert rows == {"海陵区": ["40", "30", "78.9%", "78.1%", "90.0%"], "高港区": ["12", "9", "75.0%", "—", "—"],
                    "未明确区域": ["<10", "<10", "—", "—", "—"]}


def test_a_district_shows_its_streets(city: City, districts: dict[str, Area], client: Client) -> None:
    body = page(client, district=city.district.code).content.decode()
    rows = table(body)
    # 城西街道 has 9 matters and is alone below ten: 城东街道 is hidden with it (the district total is exact)
    assert rows == {"城东街道": ["<10", "<10", "—", "—", "—"], "城西街道": ["<10", "<10", "—", "—", "—"]}
    assert "<strong>海陵区</strong>" in body
    first = table(page(client).content.decode())
    assert f'district={city.district.code}' in page(client).content.decode()
    assert first["海陵区"][0] == "40"


def test_a_hidden_district_stays_hidden_on_its_own_page(districts: dict[str, Area], client: Client) -> None:
    """高港区 (12) is hidden beside 姜堰区 (3) in the city's table: its page must not give its 12 back."""
    gaogang = districts["高港区"]
    put(gaogang.pk, NOV, Dim.ALL, "", received=12, valid=12, resolved=9, on_time=9, due=9, evaluated=4, satisfied=4)
    street = Area.objects.create(code="321203001", name="口岸街道", level=Level.STREET, parent=gaogang)
    put(gaogang.pk, NOV, Dim.STREET, str(street.pk), received=12, valid=12, resolved=9)
    body = page(client, district=gaogang.code).content.decode()
    assert table(body) == {"口岸街道": ["<10", "<10", "—", "—", "—"]}
    total = body.split('data-testid="board-total"', 1)[1].split("</section>", 1)[0]
    assert "12" not in total
    assert "<b>&lt;10</b>" in total


def test_in_february_what_one_view_hides_all_three_hide(city: City, client: Client) -> None:
    """February = this year less January: 海陵区's 5 matters in February must not come back as 25 − 20."""
    other = Area.objects.create(code="321203", name="高港区", level=Level.DISTRICT, parent=city.city)
    jan, feb = dt.date(2027, 1, 1), dt.date(2027, 2, 1)
    for month, hailing, gaogang in ((jan, 20, 30), (feb, 5, 30)):
        put(CITY_SCOPE, month, Dim.DISTRICT, str(city.district.pk), received=hailing, valid=hailing)
        put(CITY_SCOPE, month, Dim.DISTRICT, str(other.pk), received=gaogang, valid=gaogang)
        put(CITY_SCOPE, month, Dim.ALL, "", received=hailing + gaogang, valid=hailing + gaogang)
        FactMonth.objects.create(month=month, computed_at=NOW)
    with time_machine.travel(dt.datetime(2027, 2, 10, 10, 0, tzinfo=SH), tick=False):
        views = {key: table(page(client, period=key).content.decode()) for key in board.PERIODS}
    assert {key: rows["海陵区"][0] for key, rows in views.items()} == {"month": "<10", "last-month": "<10",
                                                                     "year": "<10"}
    assert {key: rows["高港区"][0] for key, rows in views.items()} == {"month": "<10", "last-month": "<10",
                                                                     "year": "<10"}


def test_last_month_and_this_year(city: City, districts: dict[str, Area], client: Client) -> None:
    assert table(page(client, period="last-month").content.decode())["海陵区"] == ["20", "20", "100.0%", "100.0%",
                                                                                   "100.0%"]
    year = page(client, period="year").content.decode()
    assert table(year)["海陵区"] == ["60", "50", "86.2%", "86.5%", "93.3%"]  # 50/58, 45/52, 28/30
    assert "数据更新于 2026-11-25 09:53" in year  # the latest of the months


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"period": "decade"}, 400, "没有“decade”这个统计期"),
    ({"district": "999999"}, 404, "没有编码为“999999”的区县"),
    ({"district": "321202001"}, 404, "的区县"),  # a street's code: the public drills into districts only
])
def test_bad_input(districts: dict[str, Area], client: Client, params: dict[str, str], status: int,
                   message: str) -> None:
    response = page(client, **params)
    assert response.status_code == status
    assert message in response.content.decode()


def test_no_personal_data_and_small_areas_hidden_with_real_cases(city: City, client: Client) -> None:
    cases = spread(city)
    rollup.ensure(force=True)
    body = page(client).content.decode()
    rows = table(body)
    assert rows["海陵区"] == ["<10", "<10", "—", "—", "—"]  # seven matters in November
    for secret in ("张三", "13812345678", "小区电梯故障", "邻居深夜装修噪声扰民", "路灯损坏", "市住房和城乡建设局",
                   "12345 热线中心", *(c.code for c in cases)):
        assert secret not in body
    assert "<b>&lt;10</b>" in body.split('data-testid="board-total"', 1)[1].split("</section>", 1)[0]


def test_figures_are_cached_for_a_few_minutes(districts: dict[str, Area], client: Client) -> None:
    assert table(page(client).content.decode())["海陵区"][0] == "40"
    Fact.objects.filter(scope=CITY_SCOPE, dim=Dim.DISTRICT, key=str(districts["海陵区"].pk)).update(received=41)
    assert table(page(client).content.decode())["海陵区"][0] == "40"  # from the cache
    with time_machine.travel(NOW + dt.timedelta(seconds=board.CACHE_SECONDS + 1), tick=False):
        assert table(page(client).content.decode())["海陵区"][0] == "41"


def test_each_client_is_rate_limited(districts: dict[str, Area], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_views, "RATE", "3/m")
    one, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    assert [page(one).status_code for _i in range(3)] == [200, 200, 200]
    refused = page(one)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "访问过于频繁" in refused.content.decode()
    assert page(other).status_code == 200


def test_english(districts: dict[str, Area], client: Client) -> None:
    response = client.get(reverse("board"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert table(response.content.decode())["海陵区"][0] == "40"


def test_the_portal_front_page_links_to_the_board(city: City, client: Client) -> None:
    body = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("board")}" data-testid="board-link"' in body

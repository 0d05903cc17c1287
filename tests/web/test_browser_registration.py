"""What a hotline operator sees while registering, in Debian's chromium against the live server:
routing suggestions under the description, address → grid on the map, and the duplicate panel with
one-click merge.  Screenshots of the key moments go to /tmp/shots/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fengqiao.cases import services
from fengqiao.cases.models import Case, Category, Channel
from fengqiao.intake import gazetteer
from fengqiao.intelligence import dedup, router, training
from tests.factories import City
from tests.web.browser_kit import Clerk

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
CASE_URL = re.compile(r"/cases/FQ[0-9A-Z-]+/$")

# a few dozen labelled rows: three topics, each with its category code and its lead unit (by name)
TOPICS = {
    ("010101", "市住房和城乡建设局"): (["小区电梯", "楼道电梯", "物业服务", "小区物业", "电梯维修"],
                                       ["停运一周无人维修", "物业不管不问", "物业收费却不维修", "故障多次投诉无果"]),
    ("0201", "市生态环境局"): (["夜间施工", "工地打桩", "广场舞音响", "KTV噪音"],
                               ["噪音扰民影响休息", "深夜仍在施工噪音很大", "声音太吵无法入睡"]),
    ("0202", "城东街道办事处"): (["烧烤油烟", "饭店油烟", "露天烧烤", "餐馆排烟"],
                                 ["油烟直排呛人", "烟雾熏黑墙面", "油烟味道刺鼻无法开窗"]),
}


def _training_rows() -> tuple[training.Dataset, training.Dataset]:
    categories = training.Dataset([], [], [], ["text"], "category", [])
    units = training.Dataset([], [], [], ["text"], "unit", [])
    for (category, unit), (subjects, complaints) in TOPICS.items():
        for subject in subjects:
            for complaint in complaints:
                text = f"{subject}{complaint}，请有关部门尽快处理"
                for data, label in ((categories, category), (units, unit)):
                    data.texts.append(text)
                    data.labels.append(label)
                    data.extras.append([])
    return categories, units


def _install(model: router.RouterModel, kind: str) -> None:
    """As docs/router.md says: DATA_DIR/models/<kind>.joblib, written to a temporary name and renamed."""
    target = router.models_dir() / f"{kind}.joblib"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    joblib.dump(model, temporary)
    os.replace(temporary, target)


@pytest.fixture
def installed_router(live_city: City, settings: Any, tmp_path: Path) -> Iterator[City]:
    settings.DATA_DIR = tmp_path
    Category.objects.create(code="0202", name="大气污染", level=2, parent=live_city.categories["env"])
    router.forget()
    categories, units = _training_rows()
    assert len(categories.texts) == 44
    _install(training.train(categories), "category")
    _install(training.train(units), "unit")
    yield live_city
    router.forget()


def _suggested(page: Any, head: str) -> list[str]:
    """The rows of one suggestion list as the operator reads them: "name NN%"."""
    items = page.locator(f"#route-suggest p.suggest-head:has-text('{head}') + ul.suggest-list > li")
    return [re.sub(r"\s+", " ", t).strip() for t in items.all_inner_texts()]


def _pct(p: float) -> str:
    return f"{round(p * 100)}%" if round(p * 100) else "<1%"


def test_suggestions_show_top_categories_and_lead_unit_and_a_click_selects(
        browser: Any, live_server: Any, installed_router: City) -> None:
    city = installed_router
    title, description = "小区电梯坏了", "3号楼电梯停运一周无人维修，物业不管不问，请有关部门尽快处理"
    expected = router.suggest(f"{title} {description}")
    assert expected is not None
    assert [name for _id, name, _p in expected.categories] == ["物业服务质量", "噪声污染", "大气污染"]
    assert expected.units[0][1] == "市住房和城乡建设局"

    operator = Clerk(browser, live_server.url, "operator", shots=SHOTS)
    operator.goto("/cases/new/")
    page = operator.page
    assert page.locator("#route-suggest").inner_text().strip() == ""
    page.fill("#id_title", title)
    page.fill("#id_description", description)
    page.wait_for_selector("#route-suggest .suggest-list")
    assert _suggested(page, "建议分类") == [f"{name} {_pct(p)}" for _id, name, p in expected.categories]
    assert _suggested(page, "建议主办单位") == [f"{name} {_pct(p)}" for _id, name, p in expected.units]
    unsure = page.locator("#route-suggest .warn")
    assert unsure.count() == (0 if expected.confident else 1)
    operator.shot("a-suggestions")

    assert page.locator("#id_category").input_value() == ""
    page.locator("#route-suggest button", has_text="物业服务质量").click()
    assert page.locator("#id_category").input_value() == str(city.categories["leaf"].pk)
    assert page.locator("#id_category option:checked").inner_text() == "物业管理 / 物业服务质量"
    page.locator("#route-suggest button", has_text="大气污染").click()
    assert page.locator("#id_category option:checked").inner_text() == "大气污染"
    operator.close()


def _chart_option(page: Any) -> dict[str, Any]:
    """What the map shows: the highlighted grids (maps.js gives them a fill) and the point."""
    option: dict[str, Any] = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('pick-map-chart')).getOption();"
        " return {regions: o.geo[0].regions.filter(r => r.itemStyle && r.itemStyle.areaColor === '#fde6d2')"
        ".map(r => r.name), point: o.series[0].data.map(d => d.value)}; }")
    return option


def _submit(clerk: Clerk, title: str) -> Case:
    clerk.page.fill("#id_title", title)
    clerk.page.fill("#id_description", f"{title}，请尽快处理。")
    clerk.page.click("form.register-form button[type=submit]")
    clerk.page.wait_for_url(CASE_URL)
    return Case.objects.get(code=clerk.page.url.rstrip("/").rsplit("/", 1)[-1])


def test_a_known_address_fills_the_point_and_highlights_the_grid(
        browser: Any, live_server: Any, live_city: City) -> None:
    city = live_city
    grid = city.grids[1]
    grid.aliases = ["光明路", "万达广场"]
    grid.save()  # the gazetteer picks the new aliases up at once (post_save → geo.invalidate)
    address = "海陵区光明路18号"
    found = gazetteer.locate(address)
    assert found is not None
    assert found.grid_id == grid.pk

    operator = Clerk(browser, live_server.url, "operator", shots=SHOTS)
    operator.goto("/cases/new/")
    page = operator.page
    assert _chart_option(page) == {"regions": [], "point": []}
    page.fill("#id_address", address)
    result = page.locator("#locate-result .locate-result")
    result.wait_for()
    assert re.sub(r"\s+", " ", result.inner_text()).strip() == (
        f"海陵区 › 城东街道 › 东风社区 › 东风社区第2网格 可信度 {round(found.score * 100)}%")
    assert (page.input_value("#id_lng"), page.input_value("#id_lat")) == ("119.915000", "32.455000")
    assert _chart_option(page) == {"regions": ["东风社区第2网格"], "point": [[119.915, 32.455]]}
    operator.shot("b-address-known")
    case = _submit(operator, "光明路井盖缺失")
    assert (case.grid_id, case.community_id, case.address) == (grid.pk, city.communities[0].pk, address)
    operator.close()


def test_an_unknown_address_asks_for_a_pick_and_a_click_on_the_map_sets_the_point(
        browser: Any, live_server: Any, live_city: City) -> None:
    city = live_city
    operator = Clerk(browser, live_server.url, "operator", shots=SHOTS)
    operator.goto("/cases/new/")
    page = operator.page
    page.fill("#id_address", "火星基地七号楼")
    page.wait_for_selector("#locate-result [data-located='0']")
    assert page.locator("#locate-result").inner_text().strip() == "未能识别，请在地图上点选"
    assert (page.input_value("#id_lng"), page.input_value("#id_lat")) == ("", "")

    lng, lat = city.point_in(2)  # the middle of 西园社区第3网格
    for _attempt in range(3):  # on a loaded machine the map may still be settling when first clicked
        x, y = page.evaluate(
            "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('pick-map-chart'))"
            ".convertToPixel({geoIndex: 0}, [lng, lat])", [lng, lat])
        page.locator("#pick-map-chart").click(position={"x": x, "y": y})
        try:
            page.wait_for_function("document.getElementById('id_lng').value !== ''", timeout=3000)
            break
        except PlaywrightTimeout:
            page.wait_for_timeout(500)
    picked = float(page.input_value("#id_lng")), float(page.input_value("#id_lat"))
    assert picked == (pytest.approx(lng, abs=0.001), pytest.approx(lat, abs=0.001))
    assert page.locator("#locate-status").inner_text() == (
        f"已设定位置：{page.input_value('#id_lng')}, {page.input_value('#id_lat')}")
    assert _chart_option(page)["point"] == [[pytest.approx(picked[0]), pytest.approx(picked[1])]]
    operator.shot("b-address-unknown-picked")
    case = _submit(operator, "路面塌陷")
    assert (case.grid_id, case.lng, case.lat) == (city.grids[2].pk, picked[0], picked[1])
    operator.close()


def _register_earlier(city: City) -> Case:
    lng, lat = city.point_in(0)
    data = services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="小区电梯故障长期无人维修",
        description="东风新村3号楼电梯停运一周，物业称无配件，老人上下楼困难。",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat, address="海陵区东风路18号东风新村3号楼",
        parties=[services.PartyInput(name="张三丰", phone="13812345678")],
    )
    return services.register(city.users["operator"], data).case


def _candidates(page: Any) -> list[list[str]]:
    rows = page.locator("[data-testid=duplicates] tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_a_duplicate_is_offered_merged_in_one_click_and_its_reporter_follows_the_primary(
        browser: Any, live_server: Any, live_city: City) -> None:
    city, base = live_city, live_server.url
    primary = _register_earlier(city)
    when = primary.registered_at.astimezone().strftime("%Y-%m-%d %H:%M")

    # the operator registers a call from the same phone about another matter: 同一来电号码
    operator = Clerk(browser, base, "operator", shots=SHOTS)
    operator.goto("/cases/new/")
    page = operator.page
    page.select_option("#id_channel", "police_110")
    page.fill("#id_reporter_name", "张三丰")
    page.fill("#id_reporter_phone", "13812345678")
    by_phone = _submit(operator, "东风路路灯不亮")
    assert _candidates(page) == [[primary.code, "小区电梯故障长期无人维修", "—", "同一来电号码", "12345 热线",
                                  when, "待分拨", "合并到此件"]]
    operator.shot("c-duplicates-panel")
    page.locator(f"tr[data-candidate='{primary.code}'] button").click()
    page.wait_for_load_state("load")
    assert operator.status() == "已合并"
    assert page.locator("[data-testid=merged-notice] h2").inner_text() == f"已合并到 {primary.code}"
    assert page.locator("[data-testid=primary-status]").inner_text() == "待分拨"
    by_phone.refresh_from_db()
    assert by_phone.duplicate_of_id == primary.pk

    # a citizen reports the same matter in her own words through the mini program: 文本相似
    citizen = Clerk(browser, base, "citizen", shots=SHOTS)
    citizen.goto("/cases/new/")
    citizen.page.fill("#id_address", "东风新村3号楼")
    citizen.page.fill("#id_title", "小区电梯故障长期没人维修")
    citizen.page.fill("#id_description", "东风新村3号楼电梯停运一周了，物业称没有配件，老人上下楼困难。")
    citizen.page.click("form.register-form button[type=submit]")
    citizen.page.wait_for_url(CASE_URL)
    own = Case.objects.get(code=citizen.page.url.rstrip("/").rsplit("/", 1)[-1])
    assert (own.channel, own.citizen_id) == (Channel.MINI_PROGRAM, city.users["citizen"].pk)
    assert citizen.page.locator("[data-testid=duplicates]").count() == 0  # citizens never see others' reports

    operator.goto(f"/cases/{own.code}/")
    similar = dedup.jaccard(dedup.shingles(dedup.case_text(primary.title, primary.description)),
                            dedup.shingles(dedup.case_text(own.title, own.description)))
    assert similar >= dedup.threshold()
    assert _candidates(page) == [[primary.code, "小区电梯故障长期无人维修", f"{round(similar * 100)}%", "文本相似",
                                  "12345 热线", when, "待分拨", "合并到此件"]]
    page.locator(f"tr[data-candidate='{primary.code}'] button").click()
    page.wait_for_load_state("load")
    assert operator.status() == "已合并"

    operator.goto(f"/cases/{primary.code}/")
    family = page.locator("[data-testid=family] p").inner_text()
    assert family == "本件共被反映 3 次，渠道：110 非警务警情 ×1、12345 热线 ×1、小程序 ×1"
    members = page.locator("[data-testid=family] li").all_inner_texts()
    assert [m.split()[0] for m in members] == [primary.code, by_phone.code, own.code]
    assert page.locator("[data-testid=duplicates]").count() == 0  # nothing left to merge
    operator.shot("c-family-on-primary")

    # the merged reporter follows the primary: her case points to it, and she can open it
    citizen.goto(f"/cases/{own.code}/")
    assert citizen.page.locator("[data-testid=merged-notice] h2").inner_text() == f"已合并到 {primary.code}"
    assert citizen.page.locator("[data-testid=primary-status]").inner_text() == "待分拨"
    citizen.page.click(f"[data-testid=merged-notice] a:has-text('{primary.code}')")
    citizen.page.wait_for_url(f"{base}/cases/{primary.code}/")
    assert citizen.status() == "待分拨"
    assert citizen.page.locator("h1").inner_text() == "小区电梯故障长期无人维修"
    assert "138****5678" not in citizen.page.content()  # not her case: no one else's details
    assert citizen.page.locator("#parties").inner_text().strip() == "本件由他人反映，当事人信息不向您显示。"
    citizen.shot("c-citizen-follows-primary")
    for clerk in (operator, citizen):
        clerk.close()

"""The ranking page in Debian's chromium: a leader at desktop and phone size, a handler, the Excel download.

Besides the two departments of the hand-computed month, twelve more units get ready-made rollup rows so
the charts look like a city's (their rows are written directly; the arithmetic is tested elsewhere).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import time_machine

from fengqiao.analytics import rollup
from fengqiao.analytics.formula import Counts, rates
from fengqiao.analytics.models import UnitMonth
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from tests.analytics.month import COMPUTED_AT, NOV, build_month
from tests.factories import City
from tests.web.browser_kit import PHONE, Clerk

pytestmark = pytest.mark.browser

NAMES = ["市公安局", "市交通运输局", "市市场监管局", "市城管局", "市水利局", "市人社局", "市卫健委", "市教育局",
         "海陵区住建局", "城东街道", "城西街道", "市自然资源局"]


def _more_units(city: City) -> None:
    rng = random.Random(11)
    state = rollup.compute_month(NOV)
    weights = rollup.weights_of(state.formula)
    for i, name in enumerate(NAMES):
        unit = Unit.objects.create(code=f"X{i:02d}", name=name, kind=UnitKind.DEPARTMENT, level=Level.CITY,
                                   area=city.city)
        due = rng.randint(20, 300)
        c = Counts(cases=due, response_due=due, responded=int(due * rng.uniform(0.8, 1)), resolution_due=due - 5,
                   resolved=int((due - 5) * rng.uniform(0.6, 0.98)), satisfied=int(due * 0.5),
                   basically=int(due * 0.1), unsatisfied=int(due * rng.uniform(0.02, 0.2)))
        r = rates(c, weights)
        UnitMonth.objects.create(month=NOV, unit=unit, formula=state.formula, cases=c.cases,
                                 response_due=c.response_due, responded=c.responded,
                                 resolution_due=c.resolution_due, resolved=c.resolved, satisfied=c.satisfied,
                                 basically=c.basically, unsatisfied=c.unsatisfied, response_rate=r.response,
                                 resolution_rate=r.resolution, satisfaction_rate=r.satisfaction, score=r.score,
                                 computed_at=state.computed_at)
    ordered = sorted(UnitMonth.objects.filter(month=NOV), key=lambda row: -(row.score or 0))
    for rank, row in enumerate(ordered, start=1):
        UnitMonth.objects.filter(pk=row.pk).update(rank=rank)


def test_ranking_page_in_the_browser(browser: Any, live_server: Any, live_city: City) -> None:
    from fengqiao.analytics.models import AssessmentFormula

    AssessmentFormula.objects.create(name="泰州市12345考核办法（试行）", effective_from=NOV.replace(month=1),
                                     response_weight=0.1, resolution_weight=0.45, satisfaction_weight=0.45,
                                     min_cases=1)
    code = build_month(live_city).cases["B"].code
    with time_machine.travel(COMPUTED_AT, tick=False):
        _more_units(live_city)

    leader = Clerk(browser, live_server.url, "leader")
    leader.goto("/ranking/?month=2026-11")
    page = leader.page
    page.wait_for_selector("#chart-score canvas")
    page.wait_for_timeout(600)  # ECharts' entry animation
    assert page.locator("table.rank-table tbody tr").count() == 14
    assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "考核排名"
    leader.shot("ranking-01-leader")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename == "ranking-2026-11.xlsx"

    phone = Clerk(browser, live_server.url, "leader", viewport=PHONE)
    phone.goto("/ranking/?month=2026-11")
    phone.page.wait_for_selector("#chart-rates canvas")
    phone.page.wait_for_timeout(600)
    phone.shot("ranking-02-leader-phone")

    handler = Clerk(browser, live_server.url, "handler")
    handler.goto("/ranking/?month=2026-11")
    assert handler.page.locator("table.rank-table tbody tr").count() == 1
    handler.shot("ranking-03-handler")
    handler.goto("/ranking/appeals/")
    handler.page.fill("#case", code)
    handler.page.select_option("#kind", "outside_duty")
    handler.page.fill("#reason", "该楼盘电梯尚在开发商质保期内，维修责任在开发商，非本局职责")
    handler.shot("ranking-04-handler-appeal-form")
    handler.page.click("form.appeal-form button[type=submit]")
    handler.page.wait_for_selector(".alert.success")
    leader.goto("/ranking/appeals/")
    leader.page.fill("form.decide input[name=note]", "经核实属开发商质保责任，予以核减")
    leader.shot("ranking-05-leader-appeals")
    leader.page.click("form.decide button[value=approve]")
    leader.page.wait_for_selector(".alert.success")
    assert "已核减" in leader.page.inner_text("main")

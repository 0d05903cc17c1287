"""The pool, figures and subsidy pages in Debian's chromium: the charts draw, a mediator sets herself away
from her profile, the subsidy statement drills down and downloads.  Screenshots in
tests/screenshots/mediation-pool-*.png."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from fengqiao.analytics.formula import previous_month
from fengqiao.kit import clock
from fengqiao.mediation.models import Mediator, MediatorKind
from fengqiao.mediation.states import MState
from tests.factories import City
from tests.mediation.factories import World, build_world
from tests.mediation.pool_kit import mediation, mediator
from tests.web.browser_kit import PHONE, Clerk

pytestmark = pytest.mark.browser
NAMES = ["赵德明", "钱淑芬", "孙建华", "周玉兰", "吴国强"]



def history(world: World) -> list[Mediator]:
    """Seven mediators and about 60 mediations over the last six months, concluded or open."""
    rng = random.Random(5)
    city = world.city
    pool = list(world.mediators) + [
        mediator(world, name, kind=rng.choice([MediatorKind.PEOPLES, MediatorKind.GOLD_MEDAL]),
                 area=rng.choice([city.street, city.other_street]), specialties=("family", "neighbour"),
                 rating_sum=rng.randint(40, 48) * 3, rating_count=30, years=rng.randint(3, 25))
        for name in NAMES]
    now = clock.now()
    for i in range(60):
        who = pool[i % len(pool)]
        applied_at = now - dt.timedelta(days=rng.uniform(12, 170))
        if i % 15 == 0:
            mediation(world, state=MState.SCHEDULED, who=who, applied_at=now - dt.timedelta(days=3))
            continue
        ok = rng.random() < 0.86
        mediation(world, state=MState.PERFORMED if ok else MState.FAILED, who=who, applied_at=applied_at,
                  concluded_at=applied_at + dt.timedelta(days=rng.uniform(4, 11)),
                  rating=rng.choice([5, 5, 4, 3]) if ok else rng.choice([2, 3]),
                  difficulty=rng.choice(["simple", "normal", "normal", "complex"]),
                  subsidy="200.00" if ok else "60.00", street=who.area or city.street)
    return pool


def test_figures_pool_and_subsidies_in_the_browser(browser: Any, live_server: Any, live_city: City) -> None:
    world = build_world(live_city)
    pool = history(world)
    leader = Clerk(browser, live_server.url, "leader")
    leader.goto("/mediation/figures/")
    page = leader.page
    for chart in ("trend", "area", "kind", "mediator", "workload", "ratings"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    page.wait_for_timeout(700)  # ECharts' entry animation
    assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "调解统计"
    assert int(page.inner_text("[data-testid=total-concluded]")) == 56
    leader.shot("mediation-pool-01-figures")

    me = Clerk(browser, live_server.url, "mediator_a")
    me.goto("/mediation/mediators/")
    me.page.wait_for_selector(".m-card")
    assert me.page.locator(".m-card").count() == len(pool)
    me.shot("mediation-pool-02-pool")
    me.page.click(f".m-card[data-mediator='{world.mediators[0].pk}'] .m-card-title a")
    me.page.wait_for_selector("#mediator-year-chart canvas")
    away = (clock.today() + dt.timedelta(days=7)).isoformat()
    me.page.check("input[name=mode][value=away]")
    me.page.fill("#until", away)
    me.shot("mediation-pool-03-profile")
    me.page.click("form.avail-form button[type=submit]")
    me.page.wait_for_selector(".alert.success")
    assert "外出至" in me.page.inner_text("[data-testid=availability]")
    world.mediators[0].refresh_from_db()
    assert world.mediators[0].unavailable_until == dt.date.fromisoformat(away)

    admin = Clerk(browser, live_server.url, "admin")
    month = previous_month(clock.today().replace(day=1))
    admin.goto(f"/mediation/subsidies/?month={month:%Y-%m}")
    admin.page.wait_for_selector("[data-testid=statement]")
    admin.shot("mediation-pool-04-subsidies")
    with admin.page.expect_download() as download:
        admin.page.click("[data-testid=export]")
    assert download.value.suggested_filename == f"subsidies-{month:%Y-%m}.xlsx"
    first = admin.page.locator("[data-testid=statement] tbody tr").first
    first.locator("text=明细").click()
    admin.page.wait_for_selector("[data-testid=lines]")
    assert admin.page.inner_text("[data-testid=lines-total]") == first.locator("td.num b").inner_text()
    admin.shot("mediation-pool-05-subsidy-lines")

    phone = Clerk(browser, live_server.url, "leader", viewport=PHONE)
    phone.goto("/mediation/figures/")
    phone.page.wait_for_selector("#chart-area canvas")
    phone.page.wait_for_timeout(700)
    phone.shot("mediation-pool-06-figures-phone")

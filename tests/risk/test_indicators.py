"""The five-100% indicators and the resolution rate on a small March: exact numerators and denominators,
each shortfall's drill-down, the scope of the reader, an area and a unit, the per-unit score (the same
counts as ``compute(unit=…)``), overdue reviews and consolidation coming due as time passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.risk import indicators, screening, services
from fengqiao.risk.indicators import Indicators
from fengqiao.risk.models import RiskEntry
from fengqiao.risk.screening import Finding
from tests.cases.builders import dispatch, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
ITEMS = ["dispute", "rental"]


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def from_case(city: City, title: str, *, grid: int = 0) -> RiskEntry:
    case = dispatch(city, register(city, grid=grid, title=title))
    return services.open_from_case(city.users["risk_officer"], case.code, "key", "涉及群体诉求",
                                   city.departments[2].pk, city.users["leader"].pk)


def walk(city: City, entry: RiskEntry, *steps: str) -> RiskEntry:
    u = city.users["risk_officer"]
    for step in steps:
        if step == "tackle":
            entry = services.tackle(u, entry.code, measure="专人包案，每周走访")
        elif step == "write_off":
            entry = services.write_off(u, entry.code, evidence="双方达成和解并履行完毕")
        elif step == "stable":
            entry = services.consolidate(u, entry.code, note="回访双方，关系稳定")
        elif step == "relapse":
            entry = services.consolidate(u, entry.code, note="回访发现再次争吵", relapsed=True)
    return entry


@pytest.fixture
def march(city: City, frozen: Any) -> dict[str, RiskEntry]:
    c = screening.create_campaign(city.users["risk_officer"], title="三月排查", area_id=city.district.pk,
                                  starts_on=MARCH[0], ends_on=dt.date(2026, 3, 31), item_codes=ITEMS)
    screening.record(city.users["grid_worker"], c.code, city.grids[0].pk, result="clear", items_checked=ITEMS)
    screening.record(city.users["risk_officer"], c.code, city.grids[1].pk, result="found", items_checked=ITEMS,
                     findings=[Finding("群租房押金纠纷", "rental"), Finding("邻里漏水纠纷", "dispute")])
    a, b = RiskEntry.objects.filter(campaign=c).order_by("pk")
    a = services.identify(city.users["risk_officer"], a.code, grade="general", grade_reason="涉及 12 名租客")
    return {
        "A": a, "B": b,
        "C": walk(city, from_case(city, "电梯加装分歧"), "tackle"),
        "D": from_case(city, "厂房噪声扰民", grid=2),
        "E": walk(city, from_case(city, "土地承包纠纷"), "tackle", "write_off", "stable"),
        "F": walk(city, from_case(city, "物业费纠纷"), "tackle", "write_off"),
        "G": walk(city, from_case(city, "家庭赡养纠纷"), "tackle", "write_off", "relapse"),
    }


def figures(ind: Indicators) -> dict[str, tuple[int, int]]:
    return {r.key: (r.numerator, r.denominator) for r in ind.rates()}


def codes(qs: Any) -> list[str]:
    return [e.code for e in qs]


def test_the_district_in_march(city: City, march: dict[str, RiskEntry]) -> None:
    ind = indicators.compute(city.users["risk_officer"], *MARCH, area=city.district)
    assert figures(ind) == {"screening": (2, 4), "assessment": (6, 7), "listing": (5, 6), "control": (4, 5),
                            "consolidation": (1, 2), "resolution": (3, 5)}
    assert (ind.opened, ind.overdue_reviews) == (7, 0)
    assert ind.screening.percent == 50.0
    assert ind.resolution.short
    assert ind.screening.short

    def short(key: str) -> list[Any]:
        return list(indicators.shortfall(key, city.users["risk_officer"], *MARCH, area=city.district))

    district_grids = indicators.grids(city.users["risk_officer"], area=city.district)
    assert [g for _c, g in indicators.unscreened(district_grids, *MARCH)] == city.grids[2:]
    assert codes(short("assessment")) == [march["B"].code]
    assert codes(short("listing")) == [march["A"].code]
    assert codes(short("control")) == [march["D"].code]
    assert codes(short("consolidation")) == [march["G"].code]
    assert codes(short("resolution")) == [march["C"].code, march["D"].code]


def test_another_period_counts_nothing_and_shows_no_rate(city: City, march: dict[str, RiskEntry]) -> None:
    ind = indicators.compute(city.users["leader"], dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert figures(ind) == {"screening": (0, 0), "assessment": (0, 0), "listing": (0, 0), "control": (0, 0),
                            "consolidation": (0, 0), "resolution": (0, 0)}
    assert ind.assessment.rate is None
    assert not ind.assessment.short
    assert ind.score is None  # no rate applies: no campaign started in February


def test_time_brings_overdue_reviews_and_due_follow_ups(city: City, march: dict[str, RiskEntry], frozen: Any) -> None:
    frozen.move_to(MONDAY + dt.timedelta(days=10))  # key entries are reviewed every 7 days
    ind = indicators.compute(city.users["risk_officer"], *MARCH)
    assert ind.control.numerator == 3
    assert ind.overdue_reviews == 2
    assert codes(indicators.shortfall("control", city.users["risk_officer"], *MARCH)) == [
        march["C"].code, march["D"].code]
    frozen.move_to(MONDAY + dt.timedelta(days=31))  # F's follow-up is due now
    ind = indicators.compute(city.users["risk_officer"], *MARCH)
    assert (ind.consolidation.numerator, ind.consolidation.denominator) == (1, 3)
    assert codes(indicators.shortfall("consolidation", city.users["risk_officer"], *MARCH)) == [
        march["F"].code, march["G"].code]


def test_scope_and_area(city: City, march: dict[str, RiskEntry]) -> None:
    mine = indicators.compute(city.users["grid_worker"], *MARCH)  # her grid: C, E, F, G and grid 1 screened
    assert figures(mine) == {"screening": (1, 1), "assessment": (4, 4), "listing": (4, 4), "control": (4, 4),
                             "consolidation": (1, 2), "resolution": (3, 4)}
    street = indicators.compute(city.users["leader"], *MARCH, area=city.street)  # D is in the other street
    assert figures(street)["control"] == (4, 4)
    assert figures(street)["screening"] == (2, 2)
    assert indicators.compute(city.users["handler"], *MARCH).opened == 0  # D1 answers for none of them


def test_a_unit_and_its_score(city: City, march: dict[str, RiskEntry]) -> None:
    office = city.departments[2]  # 城东街道办事处: C–G, and the unassigned A and B found in its street
    ind = indicators.compute(city.users["leader"], *MARCH, unit=office)
    assert figures(ind) == {"screening": (2, 2), "assessment": (6, 7), "listing": (5, 6), "control": (4, 5),
                            "consolidation": (1, 2), "resolution": (3, 5)}
    assert ind.score == 76.5  # 100 × mean(1, 6/7, 5/6, 4/5, 1/2, 3/5)
    scores = indicators.unit_scores(city.users["leader"], *MARCH)
    row = next(s for s in scores if s.unit == office)
    assert figures(row.indicators) == figures(ind)
    assert row.indicators.score == 76.5
    department = indicators.compute(city.users["leader"], *MARCH, unit=city.departments[0])
    assert department.screening.denominator == 0  # a department screens no grids
    assert department.score is None


def test_overdue_reviews_cost_points(city: City, march: dict[str, RiskEntry], frozen: Any) -> None:
    frozen.move_to(MONDAY + dt.timedelta(days=10))
    ind = indicators.compute(city.users["leader"], *MARCH, unit=city.departments[2])
    mean = (1 + 6 / 7 + 5 / 6 + 3 / 5 + 1 / 2 + 3 / 5) / 6
    assert ind.overdue_reviews == 2
    assert ind.score == round(100 * mean - 2 * indicators.OVERDUE_PENALTY, 1)


def test_periods() -> None:
    months = indicators.periods("month", dt.date(2026, 1, 15))
    assert months[:2] == [(dt.date(2026, 1, 1), dt.date(2026, 2, 1), "2026-01"),
                          (dt.date(2025, 12, 1), dt.date(2026, 1, 1), "2025-12")]
    quarters = indicators.periods("quarter", dt.date(2026, 11, 30))
    assert quarters[:2] == [(dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026 Q4"),
                            (dt.date(2026, 7, 1), dt.date(2026, 10, 1), "2026 Q3")]
    assert indicators.periods("year", dt.date(2026, 5, 1))[0] == (dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026")

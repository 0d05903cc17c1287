"""Who reads which assessment: area roles the decisions affecting their area (inside it or containing it),
unit roles their unit's (proposing, assessing, holding a measure), admins all; the loader's 404."""

from __future__ import annotations

import pytest

from fengqiao.kit.errors import NotFound
from fengqiao.stability import prepare, selectors
from fengqiao.stability.states import DState
from tests.factories import City
from tests.stability.builders import advance, created

pytestmark = pytest.mark.django_db


def codes(city: City, who: str) -> set[str]:
    return set(selectors.visible(city.users[who]).values_list("code", flat=True))


def test_scope_by_area_and_by_unit(city: City) -> None:
    east = created(city)  # 城东街道, proposed by 市住建局 (handler), assessed by 城东街道办事处
    west = created(city, street=city.other_street, title="城西农贸市场搬迁", proposer=1)  # 市生态环境局 (handler2)
    district = prepare.create(city.users["leader"], title="全区出租车运价调整", kind="price", summary="起步价上调",
                              proposing_unit_id=city.departments[2].pk,
                              assessing_unit_id=city.departments[2].pk, area_ids=[city.district.pk])
    both = {east.code, west.code, district.code}
    assert codes(city, "admin") == both
    assert codes(city, "leader") == both
    assert codes(city, "risk_officer") == both
    # a grid inside 城东 is affected by the street's decision and by the district's, not by 城西's
    assert codes(city, "grid_worker") == {east.code, district.code}
    assert codes(city, "other_grid_worker") == {west.code, district.code}
    assert codes(city, "handler") == {east.code}
    assert codes(city, "handler2") == {west.code}
    assert codes(city, "mediator") == both  # 城东街道办事处 (departments[2]) assesses all three
    assert codes(city, "citizen") == set()
    with pytest.raises(NotFound):
        selectors.access_decision(city.users["other_grid_worker"], east.code)
    with pytest.raises(NotFound):
        selectors.access_decision(city.users["citizen"], east.code)


def test_a_measures_unit_comes_to_see_the_decision(city: City) -> None:
    decision = created(city)
    assert decision.code not in codes(city, "handler2")
    advance(city, decision, DState.MEASURES)  # the measure is 市生态环境局's
    assert decision.code in codes(city, "handler2")

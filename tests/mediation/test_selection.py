"""Suggesting mediators: ranked by specialty, area, load and smoothed rating; those who may not take the
mediation left out — and every one suggested is one choose() accepts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, pii
from fengqiao.mediation import selection
from fengqiao.mediation.models import Mediator, MediatorKind, MediatorTie
from fengqiao.mediation.services.apply import check_mediator, choose
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation.factories import RESPONDENT_PHONE, World, applied, build_world, citizen
from tests.mediation.pool_kit import mediation, mediator

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    built = build_world(build_city())
    # the factory's two committee mediators are family specialists serving the street: take them out
    Mediator.objects.filter(pk__in=[m.pk for m in built.mediators]).update(active=False)
    return built


def names(found: list[selection.Suggestion]) -> list[str]:
    return [s.mediator.name for s in found]


def test_specialty_then_area_then_load(world: World) -> None:
    city = world.city
    local_expert = mediator(world, "甲", area=city.street, specialties=("neighbour",))
    district_expert = mediator(world, "乙", area=city.district, specialties=("neighbour",))
    local_generalist = mediator(world, "丙", area=city.street, specialties=("family",))
    citywide = mediator(world, "丁", area=None)
    elsewhere = mediator(world, "戊", area=city.other_street, specialties=("neighbour",))
    busy_expert = mediator(world, "己", area=city.street, specialties=("neighbour",), max_load=4)
    for _i in range(2):
        mediation(world, state=MState.SCHEDULED, who=busy_expert)
    target = applied(world)  # a neighbour dispute in city.street
    found = selection.suggest(target)
    assert names(found) == ["甲", "乙", "己", "戊", "丙", "丁"]
    first = found[0]
    assert first.mediator == local_expert
    assert first.reasons == ["擅长社区邻里纠纷", "本镇街", "当前无在办"]
    # 40 (specialty) + 25 (street) + 20 (no load) + 15 × (4.0 − 1) / 4 (nobody rated: the 4.0 prior)
    assert first.score == pytest.approx(96.2, abs=0.06)
    assert found[1].reasons[:2] == ["擅长社区邻里纠纷", "本区县"]
    assert found[1].score == pytest.approx(40 + 18 + 20 + 11.25, abs=0.06)
    busy = found[2]
    assert (busy.load, busy.reasons[-1]) == (2, "当前 2 件在办")
    assert busy.score == pytest.approx(40 + 25 + 10 + 11.25, abs=0.06)
    assert found[3].reasons[:2] == ["擅长社区邻里纠纷", "同区其他镇街"]
    assert found[5].reasons[0] == "全市"
    assert {s.mediator for s in found} == {local_expert, district_expert, local_generalist, citywide, elsewhere,
                                           busy_expert}
    assert selection.suggest(target, limit=2) == found[:2]


def test_one_five_star_review_does_not_beat_two_hundred_of_four_point_eight(world: World) -> None:
    new = mediator(world, "新人", area=world.city.street, rating_sum=5, rating_count=1)
    seasoned = mediator(world, "老将", area=world.city.street, rating_sum=960, rating_count=200)
    mediator(world, "普通", area=world.city.other_street, rating_sum=400, rating_count=100)
    found = selection.suggest(applied(world))
    assert names(found)[:2] == ["老将", "新人"]
    mean = (5 + 960 + 400) / 301
    by_name = {s.mediator.name: s for s in found}
    assert by_name["新人"].smoothed_rating == pytest.approx((5 + 10 * mean) / 11, abs=0.005)
    assert by_name["老将"].smoothed_rating == pytest.approx((960 + 10 * mean) / 210, abs=0.005)
    assert "评分 4.8" in by_name["老将"].reasons
    assert "评分 5.0" in by_name["新人"].reasons
    assert seasoned.rating == 4.8
    assert new.rating == 5.0


def test_who_may_not_take_it_is_left_out(world: World) -> None:
    city = world.city
    today = clock.today()
    ok = mediator(world, "可选", area=city.street)
    mediator(world, "暂停", area=city.street, available=False)
    mediator(world, "外出", area=city.street, unavailable_until=today + dt.timedelta(days=3))
    back = mediator(world, "已回来", area=city.street, unavailable_until=today - dt.timedelta(days=1))
    full = mediator(world, "满额", area=city.street, max_load=1)
    mediation(world, state=MState.ACCEPTED, who=full)
    tied = mediator(world, "亲属", area=city.street)
    MediatorTie.objects.create(mediator=tied, relation="表兄", phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    party = mediator(world, "本人", area=city.street, phone_hash=pii.lookup_hash("phone", RESPONDENT_PHONE))
    mediator(world, "退出", area=city.street, active=False)
    target = applied(world)
    assert set(names(selection.suggest(target))) == {"可选", "已回来"}
    # a kind that admits lawyers only: the people's mediators all drop out
    lawyer = mediator(world, "律师", kind=MediatorKind.LAWYER, area=None)
    lawyered = applied(world, kind_code="lawyer")
    assert names(selection.suggest(lawyered)) == ["律师"]
    # every suggestion passes the service's own check, and choose() takes it
    for suggestion in selection.suggest(target):
        assert check_mediator(target, suggestion.mediator.pk) == suggestion.mediator
    chosen = choose(citizen(), target.code, back.pk)
    assert chosen.mediator == back
    assert {ok, lawyer, full, tied, party}  # built


def test_a_mediators_own_mediation_does_not_count_against_her_load(world: World) -> None:
    one = mediator(world, "甲", area=world.city.street, max_load=1)
    target = applied(world)
    choose(citizen(), target.code, one.pk)
    target.refresh_from_db()
    assert names(selection.suggest(target)) == ["甲"]
    assert selection.suggest(target)[0].load == 0
    assert names(selection.suggest(applied(world))) == []  # for anybody else's, she is full


def test_assign_options_list_colleagues_first_with_why_not(world: World) -> None:
    city = world.city
    colleague = mediator(world, "同事", area=city.street)
    away = mediator(world, "同事外出", area=city.street, available=False)
    other_unit = world.court  # any other unit
    stranger = mediator(world, "外单位", unit=other_unit, area=city.street, specialties=("neighbour",))
    target = applied(world)
    options = selection.assign_options(target)
    assert [(o.mediator.name, o.colleague, o.blocked) for o in options] == [
        ("同事", True, ""), ("同事外出", True, "暂停接案"), ("外单位", False, "")]
    assert {colleague, away, stranger}


def test_loads_ties_and_specialties_cost_the_same_queries_for_a_bigger_pool(world: World) -> None:
    for i in range(3):
        mediator(world, f"小{i}", area=world.city.street, specialties=("neighbour", "family"))
    target = applied(world)
    with CaptureQueriesContext(connection) as small:
        selection.suggest(target)
    for i in range(20):
        mediator(world, f"大{i}", area=world.city.street, specialties=("neighbour",))
    with CaptureQueriesContext(connection) as big:
        found = selection.suggest(target)
    assert len(found) == 10
    assert len(big.captured_queries) == len(small.captured_queries)


def test_browse_filters_and_annotations(world: World) -> None:
    city = world.city
    today = clock.today()
    a = mediator(world, "王调解", area=city.street, specialties=("neighbour", "family"), languages="普通话、泰州话",
                 max_load=2, rating_sum=45, rating_count=10)
    b = mediator(world, "李律师", kind=MediatorKind.LAWYER, area=city.district, specialties=("debt",),
                 languages="普通话、英语", rating_sum=6, rating_count=2)
    c = mediator(world, "赵外出", area=city.other_street, unavailable_until=today + dt.timedelta(days=5))
    for _i in range(2):
        mediation(world, state=MState.SCHEDULED, who=a)
    mediation(world, state=MState.AGREED, who=a)  # concluded: not a load

    def found(**kw: object) -> list[str]:
        return [m.name for m in selection.browse(selection.PoolFilters(**kw))]  # type: ignore[arg-type]

    assert found(sort="name") == sorted(["王调解", "李律师", "赵外出"])
    assert found(kind=MediatorKind.LAWYER) == ["李律师"]
    neighbour = selection.DisputeType.objects.get(code="neighbour")
    assert found(specialty=neighbour) == ["王调解"]
    assert found(area=city.district, sort="name") == sorted(["王调解", "李律师", "赵外出"])
    assert found(area=city.street) == ["王调解"]
    assert found(language="英语") == ["李律师"]
    assert found(q="律师") == ["李律师"]
    assert found(availability="away") == ["赵外出"]
    assert found(availability="full") == ["王调解"]
    assert found(availability="available") == ["李律师"]
    rows = {m.name: m for m in selection.browse(selection.PoolFilters(specialty=neighbour))}
    assert rows["王调解"].open_load == 2  # the specialty filter does not multiply the count
    # smoothed towards the pool's mean (51 / 12 = 4.25): 4.5 × 10 reviews → 4.375, unrated → 4.25, 3.0 × 2 → 4.04
    assert list(selection.browse(selection.PoolFilters())) == [a, c, b]
    assert list(selection.browse(selection.PoolFilters(sort="load"))) == [c, b, a]


def test_area_tiers_follow_the_tree(world: World) -> None:
    city = world.city
    community = Area.objects.get(level=Level.COMMUNITY, parent=city.street)
    assert selection._area_fit(community, city.street) == "street"
    assert selection._area_fit(city.street, city.street) == "street"
    assert selection._area_fit(city.district, city.street) == "district"
    assert selection._area_fit(city.city, city.street) == "city"
    assert selection._area_fit(None, city.street) == "city"
    assert selection._area_fit(city.other_street, city.street) == "near"
    assert selection._area_fit(city.street, None) == ""

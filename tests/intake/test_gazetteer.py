"""The gazetteer on the test city: exact values for full, short, noisy, ambiguous, misspelt and unknown
addresses; the point-in-city check."""

from __future__ import annotations

import pytest

from fengqiao.intake import gazetteer
from fengqiao.intake.gazetteer import Located
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Area, Level
from tests.factories import City, square


def with_roads(city: City) -> City:
    """东风社区: 东风路 and 万达广场 in its first grid, 人民路 and 第二中学 in its second; 西园社区: another 人民路."""
    for grid, aliases in zip(city.grids, (["东风路", "万达广场"], ["人民路", "第二中学"], [], ["人民路"]), strict=True):
        grid.aliases = aliases
        grid.save()
    return city


@pytest.fixture
def roads(city: City) -> City:
    return with_roads(city)


def at(city: City, grid: int, score: float, matched: str) -> Located:
    """What locate() says of an address in ``city.grids[grid]``."""
    g = city.grids[grid]
    community = city.communities[0 if grid < 2 else 1]
    street = city.street if grid < 2 else city.other_street
    lng, lat = round(g.centroid_lng or 0, 6), round(g.centroid_lat or 0, 6)  # as stored: 6 decimals
    return Located(city.district.pk, street.pk, community.pk, g.pk, lng, lat, score, matched)


def test_full_address_with_road_and_number(roads: City) -> None:
    assert gazetteer.locate("江苏省泰州市海陵区城东街道东风社区东风路18号") == at(
        roads, 0, 1.0, "海陵区 城东街道 东风社区 东风路")


def test_road_alone_landmark_and_noise_words(roads: City) -> None:
    assert gazetteer.locate("东风路18号") == at(roads, 0, 0.85, "东风路")
    assert gazetteer.locate("万达广场对面") == at(roads, 0, 0.85, "万达广场")
    assert gazetteer.locate("东风第二中学旁边") == at(roads, 1, 0.94, "东风 第二中学")


def test_short_forms_full_width_and_spaces(roads: City) -> None:
    assert gazetteer.locate("海陵 城东  东风路１８号") == at(roads, 0, 0.976, "海陵 城东 东风路")


def test_the_same_road_in_two_communities_is_settled_by_the_other_names(roads: City) -> None:
    assert gazetteer.locate("西园人民路88号") == at(roads, 3, 0.94, "西园 人民路")
    assert gazetteer.locate("城西街道人民路") == at(roads, 3, 0.985, "城西街道 人民路")
    assert gazetteer.locate("城东人民路") == at(roads, 1, 0.94, "城东 人民路")
    # nothing else to go by: only the district they share is known, and the score says so
    alone = gazetteer.locate("人民路88号")
    assert alone == Located(roads.district.pk, None, None, None, 119.86, 32.455, 0.149, "人民路")
    assert alone is not None
    assert alone.score < gazetteer.THRESHOLD


def test_the_same_community_name_in_two_streets(roads: City) -> None:
    twin = Area.objects.create(code="321202002009", name="东风社区", level=Level.COMMUNITY, parent=roads.other_street)
    twin_grid = Area.objects.create(code="32120200200901", name="东风社区第1网格", level=Level.GRID, parent=twin,
                                    geometry=square(119.82, 32.45), centroid_lng=119.825, centroid_lat=32.455)
    west = gazetteer.locate("城西东风社区")
    assert west == Located(roads.district.pk, roads.other_street.pk, twin.pk, twin_grid.pk, 119.825, 32.455,
                           0.96, "城西 东风社区")
    east = gazetteer.locate("城东街道东风社区")
    assert east == Located(roads.district.pk, roads.street.pk, roads.communities[0].pk, None, 119.91, 32.455,
                           0.842, "城东街道 东风社区")
    either = gazetteer.locate("东风社区")
    assert either is not None
    assert (either.district_id, either.street_id, either.community_id, either.grid_id) == (
        roads.district.pk, None, None, None)


def test_grid_named_by_its_number(roads: City) -> None:
    assert gazetteer.locate("东风社区第2网格") == at(roads, 1, 0.9, "东风社区第2网格")
    assert gazetteer.locate("东风二网格") == at(roads, 1, 0.94, "东风 二网格")


def test_typos_are_near_misses(roads: City) -> None:
    assert gazetteer.locate("海陵区东封路12号") == at(roads, 0, 0.951, "海陵区 东封路→东风路")
    located = gazetteer.locate("东峰社区")
    assert located == Located(roads.district.pk, roads.street.pk, roads.communities[0].pk, None, 119.91, 32.455,
                              0.516, "东峰社区→东风社区")


def test_unresolved(roads: City) -> None:
    assert gazetteer.locate("北京市朝阳区建国路") is None
    assert gazetteer.locate("  ，。 ") is None
    assert gazetteer.locate("") is None


def test_a_short_form_before_road_is_a_road_not_the_community(city: City) -> None:
    assert gazetteer.locate("东风路3号") is None  # no such road in the test city
    located = gazetteer.locate("东风3号")
    assert located is not None
    assert located.community_id == city.communities[0].pk


def test_index_follows_edits(city: City) -> None:
    assert gazetteer.locate("吾悦广场") is None
    city.grids[2].aliases = ["吾悦广场"]
    city.grids[2].save()  # post_save → geo.invalidate → the gazetteer's index too
    located = gazetteer.locate("吾悦广场")
    assert located is not None
    assert located.grid_id == city.grids[2].pk


def test_locate_many_matches_locate(roads: City) -> None:
    addresses = ["东风路18号", "西园人民路88号", "北京市朝阳区建国路", "东风路 18号", "人民路88号"]
    many = gazetteer.locate_many(addresses)
    assert many == [gazetteer.locate(a) for a in addresses]
    assert many[0] is many[3]  # the same normalised address is matched once


def test_chain_names(roads: City) -> None:
    located = gazetteer.locate("西园人民路88号")
    assert located is not None
    assert gazetteer.chain_names(located) == ["海陵区", "城西街道", "西园社区", "西园社区第4网格"]


def test_within_city_uses_the_grids_when_districts_have_no_boundary(city: City) -> None:
    lng, lat = city.point_in(0)
    assert geo.within_city(lng, lat) is True
    assert geo.within_city(119.90, 32.45) is True  # a corner counts as in
    assert geo.within_city(116.40, 39.90) is False  # Beijing
    assert geo.within_city(119.85, 32.455) is False  # between the two streets' grids


def test_within_city_uses_district_boundaries(city: City) -> None:
    city.district.geometry = square(119.0, 32.0, size=1.0)
    city.district.save()  # invalidates the cached outline
    assert geo.within_city(119.85, 32.455) is True
    assert geo.within_city(120.5, 32.5) is False

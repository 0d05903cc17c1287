"""Coverage arithmetic against the hand-computed June of tests/gridwork/coverage_month.py: exact numbers."""

from __future__ import annotations

import pytest

from fengqiao.gridwork import coverage
from fengqiao.jurisdictions.models import Area, Level
from tests.factories import City
from tests.gridwork.coverage_month import AFTER_JUNE, JUNE, Month, at, build_june, place, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(city: City) -> Month:
    return build_june(city)


def _grids() -> object:
    return Area.objects.filter(level=Level.GRID)


def test_a_past_month_grid_by_grid(june: Month) -> None:
    result = coverage.month_coverage(JUNE, Area.objects.filter(level=Level.GRID), now=AFTER_JUNE)
    g0, g1, g2, g3 = result.grids
    city = june.city
    assert [g.code for g in result.grids] == [g.code for g in city.grids]
    assert (g0.planned, g0.visited, g0.overdue, g0.visits) == (8, 5, 5, 9)
    assert g0.coverage == 0.625
    assert g0.blind is True
    assert (g0.street, g0.street_code, g0.community) == ("城东街道", city.street.code, "东风社区")
    assert (g1.planned, g1.visited, g1.overdue, g1.visits, g1.coverage, g1.blind) == (1, 1, 0, 1, 1.0, False)
    assert (g2.planned, g2.visited, g2.overdue, g2.visits, g2.coverage, g2.blind) == (0, 0, 0, 0, None, True)
    assert (g3.planned, g3.visited, g3.overdue, g3.visits, g3.coverage, g3.blind) == (1, 1, 0, 3, 1.0, False)
    assert g2.street == "城西街道"
    assert result.as_of == at(7, 1, 0)
    assert result.current is False


def test_the_month_in_total_and_by_street(june: Month) -> None:
    result = coverage.month_coverage(JUNE, Area.objects.filter(level=Level.GRID), now=AFTER_JUNE)
    total = result.total()
    assert (total.grids, total.planned, total.visited, total.overdue, total.visits) == (4, 10, 7, 5, 13)
    assert total.coverage == 0.7
    assert (total.blind, total.no_visit) == (2, 1)
    east, west = result.by(Level.STREET)
    assert (east.name, east.grids, east.planned, east.visited, east.blind) == ("城东街道", 2, 9, 6, 1)
    assert east.coverage == pytest.approx(6 / 9)
    assert (west.name, west.grids, west.planned, west.visited, west.blind, west.no_visit) == (
        "城西街道", 2, 1, 1, 1, 1)
    assert [b.code for b in result.blind_spots()] == [june.city.grids[2].code, june.city.grids[0].code]


def test_time_from_observation_to_report(june: Month) -> None:
    result = coverage.month_coverage(JUNE, Area.objects.filter(level=Level.GRID), now=AFTER_JUNE)
    g0 = result.grids[0]
    # grid 0, sorted: 30 45 60 90 120 180 300 600 432000 → median 120; p90 at rank 7.2 → 600 + 0.2 × 431400
    assert (g0.report.count, g0.report.p50_s, g0.report.p90_s) == (9, 120.0, pytest.approx(86880.0))
    # the city: 15 20 25 30 45 60 90 120 180 240 300 600 432000 → median 90; p90 at rank 10.8 → 300 + 0.8 × 300
    assert (result.report.count, result.report.p50_s) == (13, 90.0)
    assert result.report.p90_s == pytest.approx(540.0)
    assert (result.case_report.count, result.case_report.p50_s, result.case_report.p90_s) == (1, 300.0, 300.0)
    assert result.grids[2].report.p50_s is None


def test_the_overdue_places_listed(june: Month) -> None:
    result = coverage.month_coverage(JUNE, Area.objects.filter(level=Level.GRID), now=AFTER_JUNE)
    g0 = june.city.grids[0]
    found = coverage.overdue_places(result, [g0.pk, june.city.grids[2].pk])
    assert list(found) == [g0.pk]
    # whole days past due at 07-01 00:00: E (created Jan 1 + 60 = Mar 2 00:00) 121; J (May 1 10:00 + 30) 30.6;
    # B (May 20 + 30 = Jun 19 10:00) 11.6; G (Jun 16 10:00 + 7) 7.6; A (Jun 20 + 7) 3.6
    assert [(p.name, p.days_over) for p in found[g0.pk]] == [
        ("戊房", 121), ("癸户", 30), ("乙铺", 11), ("庚户", 7), ("甲户", 3)]
    by_name = {p.name: p for p in found[g0.pk]}
    assert by_name["戊房"].last_visit is None
    assert by_name["甲户"].last_visit == at(6, 20)


def test_the_current_month_counts_overdue_as_of_now(city: City) -> None:
    grid = city.grids[1]
    weekly = place(grid, "每周户", 7)
    visit(city, grid, weekly, at(6, 5))
    grids = Area.objects.filter(pk=grid.pk)
    mid_june = coverage.month_coverage(JUNE, grids, now=at(6, 10))
    assert (mid_june.grids[0].planned, mid_june.grids[0].visited, mid_june.grids[0].overdue) == (1, 1, 0)
    assert mid_june.as_of == at(6, 10)
    assert mid_june.current is True
    later = coverage.month_coverage(JUNE, grids, now=at(6, 13))  # Jun 5 + 7 = Jun 12 10:00 < Jun 13
    assert later.grids[0].overdue == 1
    assert coverage.month_coverage(JUNE, grids, now=AFTER_JUNE).grids[0].overdue == 1


def test_the_threshold_decides_the_blind_spots(june: Month, settings: object) -> None:
    grids = Area.objects.filter(level=Level.GRID)
    assert [g.blind for g in coverage.month_coverage(JUNE, grids, now=AFTER_JUNE, limit=0.6).grids] == [
        False, False, True, False]
    settings.COVERAGE_THRESHOLD = 0.7  # type: ignore[attr-defined]
    assert coverage.month_coverage(JUNE, grids, now=AFTER_JUNE).threshold == 0.7


def test_scoped_grids_count_only_their_places(june: Month) -> None:
    street = june.city.street
    grids = Area.objects.filter(level=Level.GRID, path__startswith=f"{street.path}/")
    result = coverage.month_coverage(JUNE, grids, now=AFTER_JUNE)
    total = result.total()
    assert [g.code for g in result.grids] == [g.code for g in june.city.grids[:2]]
    assert (total.planned, total.visited, total.visits, result.report.count) == (9, 6, 10, 10)


def test_a_place_created_on_the_first_at_midnight_is_due_once_a_month(city: City) -> None:
    grid = city.grids[1]
    place(grid, "月初新建", 30, created=at(6, 1, 0))  # exactly 30 days of June: due once (a)
    place(grid, "月初新建·31天", 31, created=at(6, 1, 0))  # due Jul 2: not June's
    result = coverage.month_coverage(JUNE, Area.objects.filter(pk=grid.pk), now=AFTER_JUNE)
    assert result.grids[0].planned == 1


def test_quantile() -> None:
    assert coverage.quantile([], 0.5) is None
    assert coverage.quantile([7.0], 0.9) == 7.0
    assert coverage.quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5


def test_the_queries_do_not_grow_with_the_grids(june: Month) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grids = Area.objects.filter(level=Level.GRID)
    with CaptureQueriesContext(connection) as before:
        coverage.month_coverage(JUNE, grids, now=AFTER_JUNE)
    community = june.city.communities[0]
    for i in range(10):
        grid = Area.objects.create(code=f"{community.code}9{i}", name=f"加密网格{i}", level=Level.GRID,
                                   parent=community, centroid_lng=119.9, centroid_lat=32.4)
        visit(june.city, grid, place(grid, f"新户{i}", 7), at(6, 9))
    with CaptureQueriesContext(connection) as after:
        result = coverage.month_coverage(JUNE, grids, now=AFTER_JUNE)
    assert len(result.grids) == 14
    assert len(after.captured_queries) == len(before.captured_queries) <= 4

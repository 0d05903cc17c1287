"""A campaign's coverage: its target places (kinds, area, active, existing by its end) visited *for it*, by its
team role, between its dates — per grid, by street and overall."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.gridwork import coverage_campaigns as campaigns
from fengqiao.gridwork.models import Campaign, PlaceKind, TeamRole
from fengqiao.jurisdictions.models import Area, Level
from tests.factories import City
from tests.gridwork.coverage_month import at, place, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def drive(city: City) -> Campaign:
    """检察官进校园 in 城东街道, June 1–15: schools, visited by prosecutors."""
    g0, g1, g2, _g3 = city.grids
    campaign = Campaign.objects.create(
        name="检察官进校园", area=city.street, place_kinds=[PlaceKind.SCHOOL], team_role=TeamRole.PROSECUTOR,
        starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 15), created_by=city.users["admin"],
        created_at=at(5, 20))
    other = Campaign.objects.create(name="律师进企业", area=city.city, place_kinds=[PlaceKind.COMPANY],
                                    team_role=TeamRole.LAWYER, starts_on=dt.date(2026, 6, 1),
                                    ends_on=dt.date(2026, 6, 30), created_by=city.users["admin"], created_at=at(5, 20))
    s1 = place(g0, "一小", 180, kind=PlaceKind.SCHOOL)  # prosecutor, for the drive, Jun 5: counts
    visit(city, g0, s1, at(6, 5), role=TeamRole.PROSECUTOR, campaign=campaign)
    visit(city, g0, s1, at(6, 6), role=TeamRole.PROSECUTOR, campaign=campaign)  # twice: still one place
    s2 = place(g0, "二小", 180, kind=PlaceKind.SCHOOL)  # for the drive but by the grid worker: not counted
    visit(city, g0, s2, at(6, 5), role=TeamRole.GRID_WORKER, campaign=campaign)
    s3 = place(g1, "三中", 180, kind=PlaceKind.SCHOOL)  # by a prosecutor, not for the drive: not counted
    visit(city, g1, s3, at(6, 7), role=TeamRole.PROSECUTOR)
    s4 = place(g1, "四中", 180, kind=PlaceKind.SCHOOL)  # for the drive, after it ended (Jun 16 00:30): not
    visit(city, g1, s4, at(6, 16, 0, 30), role=TeamRole.PROSECUTOR, campaign=campaign)
    s5 = place(g1, "五中", 180, kind=PlaceKind.SCHOOL)  # Jun 15 23:50, the last day: counts
    visit(city, g1, s5, at(6, 15, 23, 50), role=TeamRole.PROSECUTOR, campaign=campaign)
    place(g1, "旧校", 180, kind=PlaceKind.SCHOOL, active=False)  # inactive: not a target
    place(g1, "新校", 180, kind=PlaceKind.SCHOOL, created=at(6, 16, 9))  # after the drive: not a target
    place(g0, "东风厂", 30, kind=PlaceKind.COMPANY)  # another kind: not a target
    place(g2, "西园小学", 180, kind=PlaceKind.SCHOOL)  # another street: not a target
    s6 = place(g1, "六中", 180, kind=PlaceKind.SCHOOL)  # for the other campaign: not this one's
    visit(city, g1, s6, at(6, 8), role=TeamRole.PROSECUTOR, campaign=other)
    return campaign


def test_overall_and_per_grid(city: City, drive: Campaign) -> None:
    result = campaigns.campaign_coverage(drive, Area.objects.filter(level=Level.GRID))
    assert (result.targets, result.visited, result.coverage) == (6, 2, pytest.approx(2 / 6))
    assert [(g.code, g.planned, g.visited) for g in result.grids] == [
        (city.grids[0].code, 2, 1), (city.grids[1].code, 4, 1)]  # 一小, 二小 | 三中, 四中, 五中, 六中
    assert [(s.name, s.planned, s.visited, s.grids) for s in result.streets] == [("城东街道", 6, 2, 2)]
    assert result.visits == 4  # recorded for the drive in its window, any role: s1 ×2, s2, s5 (not s4)
    summary = campaigns.summary(drive, Area.objects.filter(level=Level.GRID))
    assert (summary.targets, summary.visited, summary.visits) == (6, 2, 4)


def test_scoped_to_the_readers_grids(city: City, drive: Campaign) -> None:
    result = campaigns.campaign_coverage(drive, Area.objects.filter(pk=city.grids[0].pk))
    assert (result.targets, result.visited) == (2, 1)
    assert [g.code for g in result.grids] == [city.grids[0].code]


def test_no_kinds_means_every_kind_and_status(city: City) -> None:
    g2 = city.grids[2]
    campaign = Campaign.objects.create(name="城西排查", area=city.other_street, starts_on=dt.date(2026, 6, 1),
                                       ends_on=dt.date(2026, 6, 30), created_by=city.users["admin"],
                                       created_at=at(5, 20))
    place(g2, "西园户", 30)
    hit = place(g2, "西园铺", 30, kind=PlaceKind.SHOP)
    visit(city, g2, hit, at(6, 9), campaign=campaign)
    summary = campaigns.summary(campaign, Area.objects.filter(level=Level.GRID))
    assert (summary.targets, summary.visited, summary.coverage, summary.visits) == (2, 1, 0.5, 1)
    assert campaigns.status(campaign, dt.date(2026, 5, 31)) == campaigns.Status.UPCOMING
    assert campaigns.status(campaign, dt.date(2026, 6, 30)) == campaigns.Status.RUNNING
    assert campaigns.status(campaign, dt.date(2026, 7, 1)) == campaigns.Status.ENDED

"""The demo's grid work (demo/gridwork.py) on a small city: every grid's team, patrol plans inside the
grids, a year of visits that follows the plans, the visits that raised grid-patrol cases, three campaigns
with their visits inside their dates; the same for a seed; ``--reset`` wipes it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from shapely.geometry import Point, shape

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, Channel
from fengqiao.gridwork import teams
from fengqiao.gridwork.models import Campaign, Finding, Place, PlaceKind, TeamMember, TeamRole, Visit, household_label
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import clock

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
YEAR_START = NOW - dt.timedelta(days=365)


def run_demo(*extra: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", "600", "--workers", "1", *extra, stdout=out)
    return out.getvalue()


def test_teams_plans_and_a_year_of_patrols(db: None) -> None:
    output = run_demo()
    assert "网格工作：团队成员" in output
    grids = {a.pk: a for a in Area.objects.filter(level=Level.GRID)}
    shapes = {pk: shape(a.geometry) for pk, a in grids.items()}

    # teams: each grid's grid worker is her account's card; officers from the district's units
    workers = dict(Membership.objects.filter(role=Role.GRID_WORKER).values_list("area_id", "user_id"))
    cards = TeamMember.objects.filter(role=TeamRole.GRID_WORKER)
    assert sorted(cards.values_list("grid_id", "user_id")) == sorted(workers.items())
    kinds = {TeamRole.POLICE: UnitKind.POLICE, TeamRole.JUDGE: UnitKind.COURT,
             TeamRole.PROSECUTOR: UnitKind.PROCURATORATE, TeamRole.LAWYER: UnitKind.LEGAL_OFFICE,
             TeamRole.MEDIATOR: UnitKind.MEDIATION_COMMITTEE}
    for member in TeamMember.objects.exclude(role=TeamRole.GRID_WORKER).select_related("unit", "grid"):
        assert member.unit is not None
        assert member.unit.kind == kinds[TeamRole(member.role)]
        assert member.grid.path.startswith(member.unit.area.path + "/")  # a unit of the grid's district
        assert member.phone.startswith("1")
    per_grid = Counter(TeamMember.objects.values_list("grid_id", flat=True))
    assert min(per_grid[g] for g in grids) >= 4  # a vacant post now and then, never a whole team
    report = teams.completeness(Membership.objects.get(user__username="leader", role=Role.LEADER).user)
    assert report.grids == len(grids)
    assert Unit.objects.filter(kind=UnitKind.LEGAL_OFFICE, name__endswith="律师事务所").count() == 12
    assert Membership.objects.filter(user__username="handler_hailing_ls1", role=Role.HANDLER).exists()

    # plans: 5–8 places a grid (a campaign's kind added where it runs), points inside the grid
    places = list(Place.objects.all())
    counts = Counter(p.grid_id for p in places)
    assert set(counts) == set(grids)
    assert all(5 <= n <= 9 for n in counts.values())
    assert {p.every_days for p in places} <= {7, 14, 30, 90}
    assert {p.kind for p in places} == set(PlaceKind.values)
    for p in places:
        assert shapes[p.grid_id].contains(Point(p.lng, p.lat)), p.name
        assert p.created_at < NOW
    # households (重点户) encrypted at rest: masks in the plain columns, the names and addresses in the sealed ones
    homes = [p for p in places if p.kind == PlaceKind.HOUSEHOLD]
    assert homes
    assert all(p.household_name and p.name == household_label(p.household_name) for p in homes)
    assert all(p.household_address and p.address.endswith("****") for p in homes)

    # a year of visits, each to a place of its own grid, near it, after it was planned
    visits = list(Visit.objects.select_related("place").order_by("observed_at"))
    plain = [v for v in visits if v.campaign_id is None and v.case_id is None]
    assert len(plain) > 10 * len(places)  # every place is due several times a year
    for v in visits:
        assert YEAR_START <= v.observed_at <= NOW
        assert v.observed_at <= v.received_at <= NOW
        assert shapes[v.grid_id].buffer(1e-3).contains(Point(v.lng, v.lat))
        if v.place is not None:
            assert v.place.grid_id == v.grid_id
            assert v.place.created_at < v.observed_at
            assert v.distance_m is not None
            assert v.distance_m <= 260
    visited = {v.place_id for v in plain}
    staffed = [p for p in places if p.grid_id in workers and p.created_at < YEAR_START]
    assert sum(p.pk not in visited for p in staffed) <= 0.02 * len(staffed)  # even a neglected grid's, now and then
    for v in plain:
        assert v.worker_id == workers[v.grid_id]
        assert v.team_role == TeamRole.GRID_WORKER
    delays = sorted((v.received_at - v.observed_at).total_seconds() for v in plain)
    assert delays[len(delays) // 2] < 30  # most reach the server within seconds
    late = sum(d > 1800 for d in delays) / len(delays)
    assert 0.01 < late < 0.2  # some hours later: the phone was offline
    days = Counter(clock.localtime(v.observed_at).weekday() for v in plain)
    assert days[5] + days[6] < 0.2 * len(plain)  # weekends lighter
    assert max(days[d] for d in range(5)) < 1.5 * min(days[d] for d in range(5))  # no Monday pile-up
    hours = Counter(clock.localtime(v.observed_at).hour for v in plain)
    assert sum(hours[h] for h in range(8, 20)) == len(plain)

    # the visits that raised grid-patrol cases
    raised = [v for v in visits if v.case_id is not None]
    assert raised
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[v.case_id for v in raised])}
    for v in raised:
        assert v.case_id is not None
        case = cases[v.case_id]
        assert (case.channel, case.grid_id, v.finding) == (Channel.GRID_PATROL, v.grid_id, Finding.ISSUE)
        assert v.received_at == case.registered_at
        assert (v.lng, v.lat) == (case.lng, case.lat)
    assert 0.005 < sum(v.finding == Finding.ISSUE for v in visits) / len(visits) < 0.08


def test_campaigns_and_their_visits_inside_their_dates(db: None) -> None:
    run_demo()
    campaigns = {c.team_role: c for c in Campaign.objects.select_related("area")}
    assert set(campaigns) == {TeamRole.GRID_WORKER, TeamRole.LAWYER, TeamRole.PROSECUTOR}
    festival = campaigns[TeamRole.GRID_WORKER]
    assert festival.name == "2026年春节前矛盾纠纷大排查"
    assert (festival.starts_on, festival.ends_on) == (dt.date(2026, 1, 25), dt.date(2026, 2, 14))
    assert festival.area.code == "3212"
    assert campaigns[TeamRole.LAWYER].area.name == "高港区"
    assert campaigns[TeamRole.PROSECUTOR].area.name == "姜堰区"
    officers = {(m.grid_id, m.role): m.user_id for m in TeamMember.objects.exclude(role=TeamRole.GRID_WORKER)}
    for campaign in campaigns.values():
        visits = list(Visit.objects.filter(campaign=campaign).select_related("place", "grid"))
        assert visits, campaign.name
        targets = Place.objects.filter(grid__path__startswith=campaign.area.path + "/", kind__in=campaign.place_kinds,
                                       created_at__lt=clock.at_local(campaign.starts_on, dt.time()))
        assert len({v.place_id for v in visits}) >= 0.5 * targets.count()
        for v in visits:
            assert campaign.starts_on <= clock.localtime(v.observed_at).date() <= campaign.ends_on
            assert v.place is not None
            assert v.place.kind in campaign.place_kinds
            assert v.grid.path.startswith(campaign.area.path + "/")
            assert v.team_role == campaign.team_role
            if campaign.team_role != TeamRole.GRID_WORKER:
                assert v.worker_id == officers[(v.grid_id, campaign.team_role)]  # the grid's own officer


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_grid_work_and_reset_wipes_it() -> None:
    def snapshot() -> list[tuple[object, ...]]:
        members = TeamMember.objects.order_by("grid__code", "role", "name").values_list(
            "grid__code", "role", "name", "phone", "unit__code", "user__username", "since")
        places = Place.objects.order_by("grid__code", "lng", "lat").values_list(
            "grid__code", "name", "kind", "every_days", "lng", "lat", "created_at")
        visits = Visit.objects.order_by("client_id").values_list(
            "client_id", "grid__code", "place__name", "campaign__name", "worker__username", "observed_at",
            "received_at", "lng", "lat", "finding", "note", "case__code")
        return [*members, *places, *visits]

    run_demo()
    first = snapshot()
    assert len(first) > 1000
    run_demo("--reset")
    assert snapshot() == first
    assert Campaign.objects.count() == 3

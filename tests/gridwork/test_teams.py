"""Grid teams (gridwork/teams.py): who is on a grid's team, masked phones and the audited reveal, who may
open a grid's page, which grids lack which officer, and the team's units offered for a dispute."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import services
from fengqiao.cases.models import Category, Channel
from fengqiao.gridwork import teams
from fengqiao.gridwork.models import TeamMember, TeamRole
from fengqiao.jurisdictions.models import UnitKind
from fengqiao.kit.errors import NotFound, PermissionDenied
from tests.factories import PASSWORD, City
from tests.gridwork.team_kit import PHONES, full_team, officer_units

ALL_ROLES = ["grid_worker", "police", "judge", "prosecutor", "lawyer", "mediator"]


def test_a_full_team_in_order_with_masked_phones(city: City) -> None:
    full_team(city, officer_units(city))
    team = teams.team(city.grids[0])
    assert [(m.role, m.name) for m in team.members] == [
        ("grid_worker", "李网格"), ("police", "王警官"), ("judge", "赵法官"), ("prosecutor", "钱检察"),
        ("lawyer", "孙律师"), ("mediator", "周调解")]
    assert [m.phone for m in team.members] == ["138****0001", "138****0002", "138****0003", "138****0004",
                                               "138****0005", "138****0006"]
    assert all(m.masked for m in team.members)
    assert team.members[1].unit_name == "海陵公安分局"
    assert team.missing == []
    assert not PersonalDataView.objects.exists()


def test_grid_workers_come_from_memberships_and_their_cards(city: City) -> None:
    grid = city.grids[0]
    # no card: the account holding the membership is the grid worker, with the account's phone
    city.users["grid_worker"].phone = "13912340000"
    city.users["grid_worker"].save()
    team = teams.team(grid)
    assert [(m.role, m.name, m.phone, m.member_id is None) for m in team.members] == [
        ("grid_worker", "grid_worker", "139****0000", True)]
    assert team.missing == ["police", "judge", "prosecutor", "lawyer", "mediator"]
    # her card replaces the bare account (listed once); a helper without an account is listed too
    TeamMember.objects.create(grid=grid, role=TeamRole.GRID_WORKER, name="李网格", phone="13800000001",
                              user=city.users["grid_worker"])
    TeamMember.objects.create(grid=grid, role=TeamRole.GRID_WORKER, name="网格助理小陈", phone="")
    team = teams.team(grid)
    assert [(m.name, m.user_id, m.no_access) for m in team.members] == [
        ("李网格", city.users["grid_worker"].pk, False), ("网格助理小陈", None, False)]


def test_a_card_naming_an_account_without_the_membership_is_flagged_and_does_not_count(city: City) -> None:
    grid = city.grids[1]  # nobody holds the grid-worker role here
    TeamMember.objects.create(grid=grid, role=TeamRole.GRID_WORKER, name="王某", user=city.users["other_grid_worker"])
    team = teams.team(grid)
    assert [(m.name, m.no_access) for m in team.members] == [("王某", True)]
    assert "grid_worker" in team.missing
    leader = city.users["leader"]
    gap = next(g for g in teams.completeness(leader).gaps if g.code == grid.code)
    assert gap.missing == ALL_ROLES


def test_a_worker_covering_a_whole_community_is_on_each_of_its_grids(city: City) -> None:
    worker = User.objects.create_user(username="cw", password=PASSWORD, display_name="社区网格长")
    Membership.objects.create(user=worker, role=Role.GRID_WORKER, area=city.communities[0])
    for grid in city.grids[:2]:
        assert "社区网格长" in [m.name for m in teams.team(grid).members]
    assert "社区网格长" not in [m.name for m in teams.team(city.grids[2]).members]
    report = teams.completeness(city.users["leader"])
    assert {g.code for g in report.gaps if "grid_worker" in g.missing} == {city.grids[3].code}


def test_inactive_members_are_not_on_the_team(city: City) -> None:
    members = full_team(city, officer_units(city))
    members["police"].active = False
    members["police"].save()
    team = teams.team(city.grids[0])
    assert "王警官" not in [m.name for m in team.members]
    assert team.missing == ["police"]


@pytest.mark.parametrize(("username", "grids"), [
    ("grid_worker", [0]),                 # her grid only
    ("other_grid_worker", [2]),
    ("street_dispatcher", [0, 1]),        # the street's grids
    ("risk_officer", [0, 1, 2, 3]),       # the district's
    ("leader", [0, 1, 2, 3]),             # the city's
    ("operator", [0, 1, 2, 3]),           # a city-wide operator reaches the city
    ("admin", [0, 1, 2, 3]),
    ("handler", []),                      # a unit's handler: not as such
    ("mediator", []),
    ("citizen", []),
])
def test_who_may_open_a_grids_page(city: City, username: str, grids: list[int]) -> None:
    user = city.users[username]
    assert [i for i, g in enumerate(city.grids) if teams.can_open(user, g)] == grids
    for i, grid in enumerate(city.grids):
        if i not in grids:
            with pytest.raises(NotFound):
                teams.access_grid(user, grid.code)


def test_a_team_member_with_an_account_opens_her_grid_only(city: City) -> None:
    units = officer_units(city)
    handler = city.users["handler"]
    TeamMember.objects.create(grid=city.grids[1], role=TeamRole.POLICE, name="社区民警", unit=units.police,
                              user=handler)
    assert [teams.can_open(handler, g) for g in city.grids] == [False, True, False, False]
    assert teams.may_reveal(handler, city.grids[1])
    assert not teams.may_reveal(handler, city.grids[0])


@pytest.mark.parametrize(("username", "allowed"), [
    ("grid_worker", True), ("street_dispatcher", True), ("risk_officer", True), ("leader", True), ("admin", True),
    ("operator", False),  # reaches the grid, but the hotline does not call grid teams
    ("other_grid_worker", False),  # another grid's worker
])
def test_who_may_see_the_phones_in_full_and_every_reveal_is_audited(city: City, username: str,
                                                                    allowed: bool) -> None:
    full_team(city, officer_units(city))
    user, grid = city.users[username], city.grids[0]
    assert teams.may_reveal(user, grid) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            teams.team(grid, viewer=user, reveal=True)
        assert not PersonalDataView.objects.exists()
        return
    team = teams.team(grid, viewer=user, reveal=True, ip_address="10.0.0.8")
    assert [m.phone for m in team.members] == [PHONES[r] for r in ALL_ROLES]
    assert team.revealed
    assert not any(m.masked for m in team.members)
    view = PersonalDataView.objects.get()
    assert (view.user_id, view.subject, view.fields, view.ip_address) == (user.pk, f"grid:{grid.code}",
                                                                          "team.phone", "10.0.0.8")
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True)) or {"admin"}
    assert view.role in roles


def test_completeness_counts_the_grids_lacking_each_role_in_the_readers_area(city: City) -> None:
    units = officer_units(city)
    full_team(city, units, grid=0)
    TeamMember.objects.create(grid=city.grids[1], role=TeamRole.POLICE, name="王警官", unit=units.police)
    report = teams.completeness(city.users["leader"])
    assert (report.grids, report.complete) == (4, 1)
    # grid 1: no worker account, only police; grid 2 has its worker; grid 3 nothing
    assert report.lacking == {"grid_worker": 2, "police": 2, "judge": 3, "prosecutor": 3, "lawyer": 3,
                              "mediator": 3}
    assert [(g.code, g.missing) for g in report.gaps] == [
        (city.grids[1].code, ["grid_worker", "judge", "prosecutor", "lawyer", "mediator"]),
        (city.grids[2].code, ["police", "judge", "prosecutor", "lawyer", "mediator"]),
        (city.grids[3].code, ALL_ROLES)]
    assert [g.code for g in teams.completeness(city.users["leader"], role="police").gaps] == [
        city.grids[2].code, city.grids[3].code]
    assert [(g.street, g.community) for g in report.gaps][:1] == [("城东街道", "东风社区")]
    street = teams.completeness(city.users["street_dispatcher"])
    assert (street.grids, [g.code for g in street.gaps]) == (2, [city.grids[1].code])
    assert teams.completeness(city.users["admin"]).grids == 4


@pytest.mark.parametrize("username", ["handler", "grid_worker", "operator", "citizen", "mediator"])
def test_completeness_is_for_leaders_dispatchers_and_administrators(city: City, username: str) -> None:
    assert not teams.can_view_gaps(city.users[username])
    with pytest.raises(PermissionDenied):
        teams.completeness(city.users[username])


def test_an_unknown_role_filter_is_refused(city: City) -> None:
    with pytest.raises(NotFound):
        teams.completeness(city.users["leader"], role="sheriff")


def _dispute_category(city: City) -> Category:
    top = Category.objects.create(code="03", name="政法", level=1)
    mid = Category.objects.create(code="0301", name="仲裁与调解", level=2, parent=top)
    return Category.objects.create(code="030101", name="邻里纠纷", level=3, parent=mid)


def _case(city: City, category: Category, grid: int = 0) -> object:
    lng, lat = city.point_in(grid)
    data = services.RegisterInput(channel=Channel.HOTLINE_12345, title="邻居装修噪音引发争吵", description="楼上装修",
                                  category_id=category.pk, lng=lng, lat=lat)
    return services.register(city.users["operator"], data).case


def test_a_dispute_in_a_grid_is_offered_its_teams_mediator_and_lawyer(city: City) -> None:
    full_team(city, officer_units(city))
    case = _case(city, _dispute_category(city))
    options = teams.dispatch_options(case)  # type: ignore[arg-type]
    assert [(o.role, o.label) for o in options] == [
        ("mediator", "网格团队：调解员 周调解（海陵区人民调解委员会）"),
        ("lawyer", "网格团队：律师 孙律师（江苏海陵律师事务所）")]
    assert options[0].reason == "网格团队：东风社区第1网格的调解员 周调解（海陵区人民调解委员会）"


def test_no_team_options_for_a_matter_that_is_not_a_dispute_or_a_grid_without_a_team(city: City) -> None:
    full_team(city, officer_units(city))
    assert teams.dispatch_options(_case(city, city.categories["leaf"])) == []  # type: ignore[arg-type]
    assert teams.dispatch_options(_case(city, _dispute_category(city), grid=2)) == []  # type: ignore[arg-type]


def test_a_category_a_mediation_committee_handles_is_a_dispute(city: City) -> None:
    units = officer_units(city)
    assert units.mediation.kind == UnitKind.MEDIATION_COMMITTEE
    assert not teams.is_dispute(city.categories["leaf"])
    units.mediation.categories.add(city.categories["mid"])  # 物业管理 → its leaf too
    assert teams.is_dispute(city.categories["leaf"])
    assert teams.is_dispute(_dispute_category(city))
    assert not teams.is_dispute(None)

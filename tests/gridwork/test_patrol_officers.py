"""Officers' campaign visits: a grid team's prosecutor (lawyer …) with an account visits the campaign's targets
in her grids through the same record_visit, API and app; refusals name the field and write nothing; coverage
counts her visits by team role; exactly once, also when two uploads race."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fengqiao.cases.models import Case
from fengqiao.gridwork import coverage_campaigns, services
from fengqiao.gridwork.models import Finding, PlaceKind, TeamMember, TeamRole, Visit, VisitPhoto
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied, ValidationFailed
from tests.factories import City, build_city
from tests.gridwork.officer_kit import Officers, campaign, officers
from tests.gridwork.patrol_kit import photo, place, report, visit_input
from tests.web.conftest import MODEL_BACKEND

PLAN, VISITS = "/api/patrol/plan", "/api/patrol/visits"


@pytest.fixture
def team(city: City) -> Officers:
    return officers(city)


def nothing_written() -> None:
    assert (Visit.objects.count(), VisitPhoto.objects.count(), Case.objects.count()) == (0, 0, 0)


def test_a_prosecutor_visits_a_school_for_the_campaign_and_coverage_counts_it(city: City, team: Officers) -> None:
    result = services.record_visit(team.prosecutor, visit_input(team.school, campaign_id=team.schools.pk,
                                                                note="法治讲座已安排", photos=[photo()]))
    visit = result.visit
    assert (result.created, result.photos_added) == (True, 1)
    assert (visit.grid, visit.place, visit.campaign, visit.worker, visit.team_role, visit.note) == (
        city.grids[0], team.school, team.schools, team.prosecutor, TeamRole.PROSECUTOR, "法治讲座已安排")
    grids = Area.objects.filter(level=Level.GRID)
    summary = coverage_campaigns.summary(team.schools, grids)
    assert (summary.targets, summary.visited, summary.visits) == (1, 1, 1)
    per_grid = coverage_campaigns.campaign_coverage(team.schools, grids).grids
    assert [(g.code, g.planned, g.visited) for g in per_grid] == [
        (city.grids[0].code, 1, 1), (city.grids[1].code, 0, 0)]


def test_a_replay_of_an_officers_upload_returns_the_first_visit(city: City, team: Officers) -> None:
    data = visit_input(team.school, campaign_id=team.schools.pk, photos=[photo()])
    first = services.record_visit(team.prosecutor, data)
    data.photos = [photo()]
    again = services.record_visit(team.prosecutor, data)
    assert (again.created, again.visit.pk, again.photos_added) == (False, first.visit.pk, 0)
    assert (Visit.objects.count(), VisitPhoto.objects.count()) == (1, 1)


def test_an_officer_not_on_the_grids_team_is_refused(city: City, team: Officers) -> None:
    school = place(city, grid=1, name="东风中学", kind=PlaceKind.SCHOOL)  # in the campaign's street, not her grid
    with pytest.raises(PermissionDenied) as refused:
        services.record_visit(team.prosecutor, visit_input(school, campaign_id=team.schools.pk))
    assert refused.value.fields == {"place_id": "您不在该网格的团队中"}
    assert refused.value.message == "您不在东风社区第2网格的网格团队中，不能走访「东风中学」。"
    nothing_written()


def test_the_wrong_role_for_the_campaign_is_refused(city: City, team: Officers) -> None:
    with pytest.raises(PermissionDenied) as refused:  # the lawyer on the same team, for the prosecutors' drive
        services.record_visit(team.lawyer, visit_input(team.school, campaign_id=team.schools.pk))
    assert refused.value.fields == {"campaign_id": "该专项行动由检察官走访"}
    assert refused.value.message == "「检察官进校园」由检察官走访，您在东风社区第1网格的网格团队中是律师。"
    with pytest.raises(PermissionDenied) as refused:  # the grid's own worker, without a team card
        services.record_visit(city.users["grid_worker"], visit_input(team.school, campaign_id=team.schools.pk))
    assert refused.value.message == "「检察官进校园」由检察官走访，您在东风社区第1网格的网格团队中是网格员。"
    nothing_written()


@pytest.mark.parametrize(("starts", "ends", "observed_days_ago"), [(-10, -1, 0), (1, 5, 0), (-3, 3, 4)])
def test_a_campaign_not_running_on_the_visits_day_is_refused(city: City, team: Officers, starts: int, ends: int,
                                                             observed_days_ago: int) -> None:
    drive = campaign(city, "检察官进校园（二）", TeamRole.PROSECUTOR, [PlaceKind.SCHOOL], starts=starts, ends=ends)
    observed = clock.now() - dt.timedelta(days=observed_days_ago, minutes=5)
    with pytest.raises(ValidationFailed) as refused:
        services.record_visit(team.prosecutor, visit_input(team.school, campaign_id=drive.pk, observed_at=observed))
    assert refused.value.fields == {"campaign_id": "走访日期不在专项行动期间"}
    nothing_written()


def test_a_place_that_is_not_a_target_is_refused(city: City, team: Officers) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.record_visit(team.prosecutor, visit_input(team.company, campaign_id=team.schools.pk))
    assert refused.value.fields == {"campaign_id": "该类走访点不在专项行动对象内"}
    TeamMember.objects.create(grid=city.grids[2], role=TeamRole.PROSECUTOR, name="钱检察", user=team.prosecutor)
    west = place(city, grid=2, name="西园小学", kind=PlaceKind.SCHOOL)  # her grid too, outside the drive's street
    with pytest.raises(ValidationFailed) as refused:
        services.record_visit(team.prosecutor, visit_input(west, campaign_id=team.schools.pk))
    assert refused.value.fields == {"campaign_id": "该网格不在专项行动范围内"}
    nothing_written()


def test_an_officer_visits_only_for_a_campaign_and_at_a_place(city: City, team: Officers) -> None:
    with pytest.raises(PermissionDenied) as refused:
        services.record_visit(team.prosecutor, visit_input(team.school))
    assert refused.value.fields == {"campaign_id": "请选择专项行动"}
    lng, lat = city.point_in(0)
    with pytest.raises(ValidationFailed) as refused:
        services.record_visit(team.prosecutor, visit_input(None, lng=lng, lat=lat, campaign_id=team.schools.pk))
    assert refused.value.fields == {"place_id": "专项行动的走访须选择走访点"}
    TeamMember.objects.filter(user=team.prosecutor).update(active=False)  # off the team: not a patroller at all
    with pytest.raises(PermissionDenied) as refused:
        services.record_visit(team.prosecutor, visit_input(team.school, campaign_id=team.schools.pk))
    assert refused.value.message == "只有网格员和网格团队成员可以记录巡查走访。"
    nothing_written()


def test_an_officers_finding_goes_on_the_note_not_into_a_case(city: City, team: Officers) -> None:
    data = visit_input(team.school, campaign_id=team.schools.pk, finding=Finding.ISSUE, report=report())
    with pytest.raises(ValidationFailed) as refused:  # her account (a handler's) may not register cases
        services.record_visit(team.prosecutor, data)
    assert refused.value.fields == {"report": "您的账号不能登记事件：请在情况记录中写明问题，由网格员上报"}
    with pytest.raises(ValidationFailed) as refused:
        services.record_visit(team.prosecutor, visit_input(team.school, campaign_id=team.schools.pk,
                                                           finding=Finding.ISSUE))
    assert refused.value.fields == {"note": "发现问题时请在情况记录中写明问题"}
    nothing_written()
    visit = services.record_visit(team.prosecutor, visit_input(
        team.school, campaign_id=team.schools.pk, finding=Finding.ISSUE, note="校门口有商贩向学生兜售电子烟")).visit
    assert (visit.finding, visit.case) == (Finding.ISSUE, None)
    assert Case.objects.count() == 0


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_the_officers_plan_is_the_running_campaigns_targets_in_her_grids(city: City, team: Officers) -> None:
    late = place(city, name="东风中学", kind=PlaceKind.SCHOOL, offset=(0.002, 0.0))
    place(city, grid=1, name="别的网格的学校", kind=PlaceKind.SCHOOL)  # not her grid
    campaign(city, "下月的检察官进校园", TeamRole.PROSECUTOR, [PlaceKind.SCHOOL], starts=20, ends=30)  # upcoming
    campaign(city, "律师进企业", TeamRole.LAWYER, [PlaceKind.COMPANY])  # another role's
    client = client_for(team.prosecutor)
    visited = client.post(VISITS, {"visit": json.dumps({
        "client_id": "0b6f3c0e-3f57-4f0e-9a57-5d1c2b1c9f11", "observed_at": clock.now().isoformat(),
        "place_id": late.pk, "lng": late.lng, "lat": late.lat, "campaign_id": team.schools.pk})})
    assert visited.status_code == 201
    assert (visited.json()["campaign_id"], visited.json()["campaign"], visited.json()["team_role"]) == (
        team.schools.pk, "检察官进校园", "prosecutor")
    body = client.get(PLAN).json()
    assert (body["team_roles"], body["ad_hoc"], body["can_report"]) == (["prosecutor"], False, False)
    assert [g["code"] for g in body["grids"]] == [city.grids[0].code]
    assert [c["name"] for c in body["campaigns"]] == ["检察官进校园"]
    rows = [(p["key"], p["name"], p["campaign"]["id"], p["due_on"], p["last_visited_at"] is not None)
            for p in body["places"]]
    ends = team.schools.ends_on.isoformat()
    assert rows == [(f"{team.school.pk}-{team.schools.pk}", "东风小学", team.schools.pk, ends, False),
                    (f"{late.pk}-{team.schools.pk}", "东风中学", team.schools.pk, ends, True)]  # done: last
    assert body["places"][0]["overdue_days"] == (clock.today() - team.schools.ends_on).days
    assert client_for(team.lawyer).get(PLAN).json()["places"][0]["name"] == "东风机械有限公司"


def test_a_grid_workers_plan_stays_her_round(city: City, team: Officers) -> None:
    body = client_for(city.users["grid_worker"]).get(PLAN).json()
    assert (body["team_roles"], body["ad_hoc"], body["can_report"], body["campaigns"]) == (
        ["grid_worker"], True, True, [])
    assert sorted((p["key"], p["campaign"]) for p in body["places"]) == sorted(
        [(str(team.school.pk), None), (str(team.company.pk), None)])


def test_the_app_and_its_nav_link_for_officers_with_accounts(city: City, team: Officers) -> None:
    client = client_for(team.prosecutor)
    page = client.get("/patrol/")
    assert page.status_code == 200
    assert 'href="/patrol/"' in client.get("/").content.decode()
    TeamMember.objects.filter(user=team.prosecutor).update(active=False)
    assert client.get("/patrol/").status_code == 403
    assert 'href="/patrol/"' not in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_an_officers_visit_at_once_make_one_visit() -> None:
    city = build_city()
    team = officers(city)
    data = visit_input(team.school, campaign_id=team.schools.pk)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def upload() -> None:
        try:
            barrier.wait()
            results.append(services.record_visit(team.prosecutor, data).created)
        except Exception as error:  # pragma: no cover - shown in the assertion
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [False, True]
    assert list(Visit.objects.values_list("team_role", "campaign_id")) == [(TeamRole.PROSECUTOR, team.schools.pk)]

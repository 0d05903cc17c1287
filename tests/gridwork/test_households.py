"""重点户: a household's name and address are encrypted at rest (masks in the plain columns), shown in full only
to the grid's worker, its team and administrators — every such view audited, once a day — and masked for
leaders, dispatchers and the coverage pages; a case raised at a household carries it as an encrypted party."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases.models import Party
from fengqiao.gridwork import households, services
from fengqiao.gridwork.models import Finding, Place, PlaceKind, Visit
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied
from tests.factories import PASSWORD, City
from tests.gridwork.officer_kit import officers
from tests.gridwork.patrol_kit import photo, place, report, visit_input
from tests.web.conftest import login

NAME, ADDRESS = "王秀英家（独居老人）", "海陵区东风路 18 号 3 幢 201 室"


def household(city: City, grid: int = 0, created_days_ago: int = 60) -> Place:
    lng, lat = city.point_in(grid)
    return Place.objects.create(grid=city.grids[grid], kind=PlaceKind.HOUSEHOLD, name=NAME, address=ADDRESS,
                                lng=lng, lat=lat, every_days=7,
                                created_at=clock.now() - dt.timedelta(days=created_days_ago))


def stored(place: Place) -> tuple[str, str, str, str]:
    """The row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, address, household_name, household_address FROM gridwork_place WHERE id = %s",
                       [place.pk])
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


def test_a_households_name_and_address_are_encrypted_at_rest(city: City) -> None:
    home = household(city)
    name, address, sealed_name, sealed_address = stored(home)
    assert (name, address) == ("王**", "海陵区****")
    assert NAME not in sealed_name
    assert ADDRESS not in sealed_address
    assert sealed_name.startswith("gAAAA")  # Fernet tokens
    assert sealed_address.startswith("gAAAA")
    again = Place.objects.get(pk=home.pk)
    assert (again.shown_name(True), again.shown_address(True)) == (NAME, ADDRESS)
    assert (again.shown_name(False), again.shown_address(False), str(again)) == ("王**", "海陵区****", "重点户 · 王**")
    again.every_days = 14
    again.save()  # saved again unchanged: still the same person
    assert Place.objects.get(pk=home.pk).shown_name(True) == NAME
    again.name = "李桂兰家（低保户）"  # a new name typed in (the admin's form): sealed again
    again.save()
    assert stored(again)[0] == "李**"
    assert Place.objects.get(pk=home.pk).shown_name(True) == "李桂兰家（低保户）"
    again.kind = PlaceKind.RENTAL  # no longer a household: its name is a place's again
    again.save()
    assert stored(again) == ("李桂兰家（低保户）", ADDRESS, "", "")


def test_bulk_created_and_raw_inserted_households_are_sealed(city: City) -> None:
    lng, lat = city.point_in(0)
    [bulk] = Place.objects.bulk_create([Place(grid=city.grids[0], kind=PlaceKind.HOUSEHOLD, name=NAME, address=ADDRESS,
                                              lng=lng, lat=lat, created_at=clock.now())])
    assert stored(bulk)[:2] == ("王**", "海陵区****")
    raw = household(city)
    Place.objects.filter(pk=raw.pk).update(name=NAME, address=ADDRESS, household_name="", household_address="")
    shop = place(city, name="幸福便利店", kind=PlaceKind.SHOP)
    assert stored(raw)[0] == NAME
    assert Place.objects.get(pk=raw.pk).shown_name(False) == "王**"  # masked on screen even before it is sealed
    assert households.seal_households() == 1
    assert stored(raw)[:2] == ("王**", "海陵区****")
    assert Place.objects.get(pk=raw.pk).shown_name(True) == NAME
    assert stored(shop)[0] == "幸福便利店"
    assert households.seal_households() == 0


def test_the_migration_seals_existing_households(city: City) -> None:
    home = household(city)
    Place.objects.filter(pk=home.pk).update(name=NAME, address=ADDRESS, household_name="", household_address="")
    migration = importlib.import_module("fengqiao.gridwork.migrations.0003_place_household_sealed")
    migration.seal(apps, None)
    assert stored(home)[:2] == ("王**", "海陵区****")
    assert Place.objects.get(pk=home.pk).shown_address(True) == ADDRESS
    migration.unseal(apps, None)
    assert stored(home)[:2] == (NAME, ADDRESS)


def _visit_with_photo(city: City, home: Place) -> Visit:
    return services.record_visit(city.users["grid_worker"], visit_input(home, photos=[photo()])).visit


@pytest.mark.parametrize(("who", "full"), [
    ("grid_worker", True), ("admin", True), ("street_dispatcher", False), ("leader", False), ("risk_officer", False),
])
def test_the_grid_page_names_households_for_those_who_visit_them(client: Client, city: City, who: str,
                                                                 full: bool) -> None:
    home = household(city)
    visit = _visit_with_photo(city, home)
    photo_id = visit.photos.get().pk
    body = login(client, city, who).get(f"/grids/{city.grids[0].code}/").content.decode()
    photo_url = f"/grids/{city.grids[0].code}/visits/{visit.pk}/photos/{photo_id}/"
    assert (NAME in body, ADDRESS in body, photo_url in body) == (full, full, full)
    assert ("王**" in body, "已脱敏" in body) == (not full, not full)
    assert client.get(photo_url).status_code == (200 if full else 404)
    views = PersonalDataView.objects.filter(user=city.users[who], subject=f"grid:{city.grids[0].code}")
    assert views.count() == (1 if full else 0)
    client.get(f"/grids/{city.grids[0].code}/")  # the same day again: still one row
    assert views.count() == (1 if full else 0)
    if full:
        assert (views.get().fields, views.get().purpose) == ("place.name,place.address", "网格页：重点户")


def test_a_grid_team_officer_sees_the_households_of_her_grid(client: Client, city: City) -> None:
    team = officers(city)
    household(city)
    body = login(client, city, "leader").get(f"/grids/{city.grids[0].code}/").content.decode()
    assert NAME not in body
    client.force_login(team.prosecutor, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get(f"/grids/{city.grids[0].code}/").content.decode()
    assert NAME in body
    assert PersonalDataView.objects.get(user=team.prosecutor).role == "team_prosecutor"


def test_the_coverage_page_lists_an_overdue_household_masked(client: Client, city: City) -> None:
    household(city, created_days_ago=90)  # never visited: overdue, the grid a blind spot
    leader = User.objects.create_user(username="leader_east", password=PASSWORD, is_staff=True)
    Membership.objects.create(user=leader, role=Role.LEADER, area=city.street)
    client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get(f"/coverage/?month={clock.today():%Y-%m}").content.decode()
    assert "王**" in body
    assert "王秀英" not in body


def test_the_patrol_plan_names_households_in_full_and_is_audited_once_a_day(city: City) -> None:
    household(city)
    client = Client()
    client.force_login(city.users["grid_worker"])
    for _ in range(3):
        places = client.get("/api/patrol/plan").json()["places"]
        assert [(p["name"], p["address"]) for p in places] == [(NAME, ADDRESS)]
    client.get("/api/patrol/visits")
    view = PersonalDataView.objects.get()
    assert (view.user, view.subject, view.role, view.purpose) == (
        city.users["grid_worker"], f"grid:{city.grids[0].code}", "grid_worker", "巡查计划（手机）")


def test_a_case_raised_at_a_household_carries_it_as_an_encrypted_party(city: City) -> None:
    home = household(city)
    data = visit_input(home, finding=Finding.ISSUE, report=report(title="燃气灶软管老化"))
    case = services.record_visit(city.users["grid_worker"], data).visit.case
    assert case is not None
    assert case.address == "海陵区****"
    party = Party.objects.get(case=case)
    assert (party.name, party.address, party.role) == (NAME, ADDRESS, "other")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, address FROM cases_party WHERE id = %s", [party.pk])
        raw = cursor.fetchone()
    assert raw is not None
    assert NAME not in raw[0]
    assert ADDRESS not in raw[1]


def test_a_refusal_does_not_name_a_household_to_a_worker_of_another_grid(city: City) -> None:
    home = household(city, grid=2)
    with pytest.raises(PermissionDenied) as refused:
        services.record_visit(city.users["grid_worker"], visit_input(home, client_id=str(uuid.uuid4())))
    assert "王**" in str(refused.value)
    assert NAME not in str(refused.value)

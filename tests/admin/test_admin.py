"""The administrator's screens: every page loads for an administrator, is refused to others, the
import/export buttons work, and case history cannot be changed from here."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import Membership, User
from fengqiao.audit.models import PersonalDataView
from fengqiao.cases import services
from fengqiao.cases.models import Case, CaseEvent, Channel, DeadlinePolicy
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Area, Unit
from fengqiao.kit.models import CalendarDay
from tests.factories import City

MODELS = ["jurisdictions_area", "jurisdictions_unit", "accounts_user", "accounts_membership", "cases_category",
          "cases_deadlinepolicy", "kit_calendarday", "audit_personaldataview", "audit_anchor", "cases_case",
          "cases_caseevent"]
EDITABLE = MODELS[:7]


def _client(city: City, name: str) -> Client:
    client = Client()
    client.force_login(city.users[name])
    return client


def _case(city: City) -> Case:
    lng, lat = city.point_in(0)
    data = services.RegisterInput(
        channel=Channel.HOTLINE_12345, title="噪声扰民", description="夜间施工噪声",
        category_id=city.categories["leaf"].pk, lng=lng, lat=lat,
        parties=[services.PartyInput(name="李四", phone="13900001111")],
    )
    return services.register(city.users["operator"], data).case


@pytest.mark.parametrize("model", MODELS)
def test_changelists_load_for_an_administrator(city: City, model: str) -> None:
    _case(city)
    response = _client(city, "admin").get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITABLE)
def test_add_pages_load_for_an_administrator(city: City, model: str) -> None:
    assert _client(city, "admin").get(reverse(f"admin:{model}_add")).status_code == 200


def test_change_pages_load_for_an_administrator(city: City) -> None:
    case = _case(city)
    CalendarDay.objects.create(day="2026-10-09", is_workday=False, name="地方假日")
    client = _client(city, "admin")
    objects = {
        "jurisdictions_area": city.grids[0].pk, "jurisdictions_unit": city.departments[0].pk,
        "accounts_user": city.users["handler"].pk, "accounts_membership": Membership.objects.first().pk,  # type: ignore[union-attr]
        "cases_category": city.categories["leaf"].pk,
        "cases_deadlinepolicy": DeadlinePolicy.objects.first().pk,  # type: ignore[union-attr]
        "kit_calendarday": CalendarDay.objects.get().pk, "cases_case": case.pk,
        "cases_caseevent": case.events.get().pk,
    }
    for model, pk in objects.items():
        response = client.get(reverse(f"admin:{model}_change", args=[pk]))
        assert response.status_code == 200, model


@pytest.mark.parametrize("model", ["jurisdictions_area", "accounts_user", "cases_caseevent"])
def test_non_staff_are_sent_to_the_login_page(city: City, model: str) -> None:
    response = _client(city, "citizen").get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_are_refused(city: City) -> None:
    client = _client(city, "operator")  # is_staff, no model permissions
    assert client.get(reverse("admin:jurisdictions_area_changelist")).status_code == 403
    assert client.get(reverse("admin:jurisdictions_area_import")).status_code == 403
    assert client.get(reverse("admin:jurisdictions_area_export", args=["csv"])).status_code == 403


def test_case_events_cannot_be_added_changed_or_deleted(city: City) -> None:
    case = _case(city)
    event = case.events.get()
    client = _client(city, "admin")
    change = reverse("admin:cases_caseevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only view
    assert client.post(change, {"note": "改写历史", "action": "register"}).status_code == 403
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:cases_caseevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:cases_caseevent_add")).status_code == 403
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.note != "改写历史"
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_area_changelist_has_import_and_export_buttons(city: City) -> None:
    response = _client(city, "admin").get(reverse("admin:jurisdictions_area_changelist") + "?level__exact=grid")
    content = response.content.decode()
    assert "导入" in content
    assert "导出 GeoJSON" in content
    assert "导出 CSV" in content
    assert reverse("admin:jurisdictions_area_export", args=["geojson"]) + "?level=grid" in content


def test_export_downloads(city: City) -> None:
    client = _client(city, "admin")
    geojson = client.get(reverse("admin:jurisdictions_area_export", args=["geojson"]) + "?level=grid")
    assert geojson.status_code == 200
    assert [f["properties"]["code"] for f in json.loads(geojson.content)["features"]] == [g.code for g in city.grids]
    csv = client.get(reverse("admin:jurisdictions_area_export", args=["csv"]))
    assert csv["Content-Disposition"].startswith('attachment; filename="areas-')
    assert csv.content.startswith(b"\xef\xbb\xbfcode,name,level,parent_code,population,aliases,geometry\n")
    units = client.get(reverse("admin:jurisdictions_unit_export", args=["csv"]))
    assert units.content.decode("utf-8-sig").count("\n") == 1 + Unit.objects.count()
    assert client.get(reverse("admin:jurisdictions_area_export", args=["xlsx"])).status_code == 404
    assert client.get(reverse("admin:jurisdictions_area_export", args=["csv"]) + "?level=xx").status_code == 400


def test_upload_imports_and_shows_counts_and_bad_rows(city: City) -> None:
    body = "code,name,level,parent_code,population,geometry\n321202001002,新社区,community,321202001,,\n" \
           "321202001003,,community,321202001,,\n"
    upload = SimpleUploadedFile("社区.csv", body.encode("gb18030"), content_type="text/csv")
    response = _client(city, "admin").post(reverse("admin:jurisdictions_area_import"), {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert '<td id="count-created">1</td>' in content
    assert '<td id="count-errors">1</td>' in content
    assert "<td>3</td><td>321202001003</td><td>名称为空</td>" in content
    assert Area.objects.get(code="321202001002").path == "3212/321202/321202001/321202001002"


@pytest.mark.parametrize("data", [b"\x00\xff\xfe garbage", b'{"type": "FeatureCollection"}', b"a,b\n1,2\n"])
def test_bad_files_are_a_400_with_the_reason_never_a_500(city: City, data: bytes) -> None:
    upload = SimpleUploadedFile("bad.geojson", data)
    response = _client(city, "admin").post(reverse("admin:jurisdictions_area_import"), {"file": upload})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_unit_upload_works(city: City) -> None:
    body = "code,name,kind,area_code\nD9,市水务局,department,3212\n"
    upload = SimpleUploadedFile("units.csv", body.encode())
    response = _client(city, "admin").post(reverse("admin:jurisdictions_unit_import"), {"file": upload})
    assert response.status_code == 200
    assert Unit.objects.get(code="D9").level == "city"


def test_editing_an_area_checks_the_boundary_and_moves_its_subtree(city: City) -> None:
    client = _client(city, "admin")
    community = city.communities[0]
    url = reverse("admin:jurisdictions_area_change", args=[community.pk])
    form = {"code": community.code, "name": community.name, "level": "community", "population": "",
            "geometry": json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})}
    bad = client.post(url, form | {"parent": city.street.pk})
    assert bad.status_code == 200
    assert "边界无效：Self-intersection" in bad.content.decode()
    wrong_level = client.post(url, form | {"parent": city.district.pk, "geometry": "null"})
    assert "社区·村的上级须为镇街" in wrong_level.content.decode()
    moved = client.post(url, form | {"parent": city.other_street.pk, "geometry": "null"})
    assert moved.status_code == 302
    grid = Area.objects.get(pk=city.grids[0].pk)
    assert grid.path == "3212/321202/321202002/321202001001/32120200100101"


def test_membership_form_requires_an_area_for_area_roles(city: City) -> None:
    response = _client(city, "admin").post(reverse("admin:accounts_membership_add"),
                                           {"user": city.users["citizen"].pk, "role": "grid_worker"})
    assert response.status_code == 200
    assert "该角色按区域授权，须选择区域" in response.content.decode()


def test_membership_form_takes_a_leader_of_an_area_or_of_a_unit(city: City) -> None:
    client = _client(city, "admin")
    url = reverse("admin:accounts_membership_add")
    neither = client.post(url, {"user": city.users["citizen"].pk, "role": "leader"})
    assert "领导须选择所领导的区域或单位" in neither.content.decode()
    unit_leader = client.post(url, {"user": city.users["citizen"].pk, "role": "leader",
                                    "unit": city.departments[0].pk})
    assert unit_leader.status_code == 302


def test_opening_a_user_with_a_phone_is_audited(city: City) -> None:
    handler = city.users["handler"]
    handler.phone = "13800001234"
    handler.save()
    client = _client(city, "admin")
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "138****1234" in listing
    assert "13800001234" not in listing
    page = client.get(reverse("admin:accounts_user_change", args=[handler.pk]))
    assert 'value="13800001234"' in page.content.decode()
    view = PersonalDataView.objects.get()
    assert (view.user, view.subject, view.fields) == (city.users["admin"], f"user:{handler.pk}", "phone")


def test_audit_records_are_read_only(city: City) -> None:
    client = _client(city, "admin")
    assert client.get(reverse("admin:audit_personaldataview_add")).status_code == 403
    assert client.get(reverse("admin:audit_anchor_add")).status_code == 403


def test_an_administrator_creates_a_user_with_an_encrypted_phone(city: City) -> None:
    response = _client(city, "admin").post(reverse("admin:accounts_user_add"), {
        "username": "wang", "display_name": "王网格员", "phone": "13712345678",
        "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-0-role": "grid_worker", "memberships-0-area": city.grids[1].pk,
    })
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert (user.display_name, user.phone) == ("王网格员", "13712345678")
    assert list(user.memberships.values_list("role", "area_id")) == [("grid_worker", city.grids[1].pk)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        assert "13712345678" not in cursor.fetchone()[0]


def test_a_boundary_edited_in_the_admin_is_used_at_once_to_locate_points(city: City) -> None:
    grid = city.grids[0]
    assert geo.grid_at(120.505, 32.505) is None
    moved = {"type": "Polygon", "coordinates": [[[120.5, 32.5], [120.51, 32.5], [120.51, 32.51], [120.5, 32.51],
                                                 [120.5, 32.5]]]}
    response = _client(city, "admin").post(reverse("admin:jurisdictions_area_change", args=[grid.pk]), {
        "code": grid.code, "name": grid.name, "level": "grid", "parent": city.communities[0].pk,
        "population": "", "geometry": json.dumps(moved)})
    assert response.status_code == 302
    assert geo.grid_at(120.505, 32.505) == grid.pk
    grid.refresh_from_db()
    assert (grid.centroid_lng, grid.centroid_lat) == (120.505, 32.505)

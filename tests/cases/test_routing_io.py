"""Routing rules as CSV: export → import round trip, idempotent re-runs, bad rows by number, the command,
and the administrator's screens (list, "test a rule", import, export)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fengqiao.cases import routing_io
from fengqiao.cases.routing_models import RoutingFallback, RoutingRule
from fengqiao.jurisdictions.io import FileFormatError
from tests.factories import City

HEADER = "category_code,area_code,lead_unit_code,assisting_unit_codes,auto_dispatch,active,note\n"


def _rules(city: City) -> None:
    d1, d2, d3 = city.departments
    top = RoutingRule.objects.create(category=city.categories["top"], area=city.district, lead_unit=d1,
                                     note="住建总则")
    top.assisting_units.set([d2, d3])
    RoutingRule.objects.create(category=city.categories["noise"], area=city.street, lead_unit=d3,
                               auto_dispatch=True)
    RoutingRule.objects.create(category=city.categories["leaf"], area=city.grids[1], lead_unit=d2, active=False)


def _state() -> list[tuple[object, ...]]:
    return [(r.category.code, r.area.code, r.lead_unit.code, sorted(u.code for u in r.assisting_units.all()),
             r.auto_dispatch, r.active, r.note)
            for r in RoutingRule.objects.order_by("category__code", "area__code")]


def test_export_then_import_into_an_empty_table_gives_the_same_rules(city: City) -> None:
    _rules(city)
    before = _state()
    out = io.StringIO()
    assert routing_io.export_rules(out) == 3
    text = out.getvalue()
    assert text.splitlines()[0] == ",".join(routing_io.EXPORT_COLUMNS)
    assert text.splitlines()[1] == "01,321202,D1,D2、D3,0,1,住建总则,城乡建设,海陵区,市住房和城乡建设局"
    RoutingRule.objects.all().delete()
    report = routing_io.import_rules(text.encode("utf-8-sig"))
    assert (report.total, report.created, report.updated, report.unchanged, report.errors) == (3, 3, 0, 0, [])
    assert _state() == before
    # a second run changes nothing
    again = routing_io.import_rules(text.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _state() == before


def test_an_import_updates_what_changed_and_keeps_what_is_not_in_the_file(city: City) -> None:
    _rules(city)
    data = HEADER + "01,321202,D2,,1,1,改由生态环境局\n"
    report = routing_io.import_rules(data.encode())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    changed = RoutingRule.objects.get(category__code="01", area__code="321202")
    assert (changed.lead_unit.code, list(changed.assisting_units.all()), changed.auto_dispatch, changed.note) == (
        "D2", [], True, "改由生态环境局")
    assert RoutingRule.objects.count() == 3


def test_bad_rows_are_reported_by_number_and_good_rows_are_kept(city: City) -> None:
    data = (HEADER
            + "01,321202,D1,,0,1,\n"  # row 2: good
            + "99,321202,D1,,0,1,\n"  # row 3: unknown category
            + "01,999,D1,,0,1,\n"  # row 4: unknown area
            + "0201,321202001,DX,,0,1,\n"  # row 5: unknown lead unit
            + "0201,321202001,D3,D9,0,1,\n"  # row 6: unknown assisting unit
            + "0201,321202001,D3,,maybe,1,\n"  # row 7: bad boolean
            + "01,321202,D2,,0,1,\n"  # row 8: the same key as row 2
            + ",321202,D1,,0,1,\n"  # row 9: no category
            + "0201,321202001,D3,D1;D3,是,否,夜间噪声\n")  # row 10: good (the lead is not also assisting)
    report = routing_io.import_rules(data.encode())
    assert [(e.number, e.code, e.message) for e in report.errors] == [
        (3, "99×321202", "分类 99 不存在"),
        (4, "01×999", "地区 999 不存在"),
        (5, "0201×321202001", "主办单位 DX 不存在或已停用"),
        (6, "0201×321202001", "协办单位 D9 不存在或已停用"),
        (7, "0201×321202001", "auto_dispatch“maybe”应为 1/0、是/否"),
        (8, "01×321202", "与第 2 行重复（同一分类和地区）"),
        (9, "×321202", "分类编码、地区编码和主办单位编码都不能为空"),
    ]
    assert (report.total, report.created) == (9, 2)
    assert _state() == [("01", "321202", "D1", [], False, True, ""),
                        ("0201", "321202001", "D3", ["D1"], True, False, "夜间噪声")]


def test_a_file_without_the_key_columns_is_refused(city: City) -> None:
    with pytest.raises(FileFormatError) as caught:
        routing_io.import_rules(b"category,area\n01,321202\n")
    assert str(caught.value) == "CSV 缺少列：category_code, area_code, lead_unit_code"


def test_a_dry_run_writes_nothing(city: City) -> None:
    report = routing_io.import_rules((HEADER + "01,321202,D1,,0,1,\n").encode(), dry_run=True)
    assert (report.created, report.dry_run) == (1, True)
    assert RoutingRule.objects.count() == 0


def test_the_command_round_trip(city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _rules(city)
    target = tmp_path / "rules.csv"
    call_command("routing", "export", "--out", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads the Chinese names
    RoutingRule.objects.filter(category__code="0201").delete()
    call_command("routing", "import", str(target), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"total": 3, "created": 1, "updated": 0, "unchanged": 2, "dry_run": False, "errors": []}


def _admin(city: City) -> Client:
    client = Client()
    client.force_login(city.users["admin"])
    return client


def test_the_admin_test_form_says_which_rule_applies_and_why(city: City) -> None:
    _rules(city)
    client = _admin(city)
    url = reverse("admin:cases_routingrule_test")
    page = client.get(url, {"category": "物业服务质量", "area": city.grids[0].code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "规则：城乡建设 × 海陵区 → 市住房和城乡建设局；协办：市生态环境局、城东街道办事处" in html
    considered = html.split('id="considered"')[1].split("</table>")[0]
    assert considered.count("<tr") == 2  # the header and the one active rule (the grid's rule is inactive)
    RoutingFallback.objects.create(district=city.district, unit=city.departments[2])
    page = client.get(url, {"category": "0201", "area": city.grids[2].code})
    assert "兜底：海陵区 城东街道办事处" in page.content.decode()
    bad = client.get(url, {"category": "不存在的分类", "area": city.grids[0].code})
    assert bad.status_code == 400
    assert "没有找到分类“不存在的分类”" in bad.content.decode()


def test_the_admin_lists_imports_and_exports(city: City) -> None:
    _rules(city)
    client = _admin(city)
    listing = client.get(reverse("admin:cases_routingrule_changelist"))
    assert listing.status_code == 200
    assert "测试规则" in listing.content.decode()
    exported = client.get(reverse("admin:cases_routingrule_export"))
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.decode("utf-8-sig").count("\n") == 4
    upload = SimpleUploadedFile("rules.csv", (HEADER + "0201,321202,D2,,0,1,\n99,321202,D2,,0,1,\n").encode())
    page = client.post(reverse("admin:cases_routingrule_import"), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200
    assert "共 2 行：新建 1，更新 0，未变 0，错误 1" in html
    assert "分类 99 不存在" in html
    assert RoutingRule.objects.count() == 4
    for name in ("flowrule", "routingfallback", "dispute"):
        assert client.get(reverse(f"admin:cases_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_flowrule_add")).status_code == 200


def test_handlers_cannot_reach_the_routing_admin(city: City) -> None:
    client = Client()
    client.force_login(city.users["handler"])
    response = client.get(reverse("admin:cases_routingrule_test"))
    assert response.status_code == 403  # staff, but without the routing rules' permissions

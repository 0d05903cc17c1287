"""Area aliases (roads, landmarks): one parser for every door, carried by both file formats, edited in the
admin, and picked up by the gazetteer as soon as they change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fengqiao.intake import gazetteer
from fengqiao.jurisdictions import aliases
from fengqiao.jurisdictions.imports import import_areas
from fengqiao.jurisdictions.models import Area
from tests.factories import City
from tests.jurisdictions.helpers import empty_tree, exported

HEADER = "code,name,level,parent_code,aliases\n"


@pytest.mark.parametrize(("raw", "expected"), [
    (None, []),
    ("", []),
    ("东风路、人民路\n万达广场", ["东风路", "人民路", "万达广场"]),
    (" 东风路 ,，东风路 ; ；\r\n", ["东风路"]),  # trimmed, empties dropped, the duplicate dropped
    ("ＡＢ广场\nab广场\n泰州  第二中学", ["ＡＢ广场", "泰州 第二中学"]),  # compared as the gazetteer folds names
    (["东风路", "  人民路  ", "", "东风路"], ["东风路", "人民路"]),
    ('["东风路", "人民路"]', ["东风路", "人民路"]),  # a CSV cell holding a JSON array
    ("东" * 50, ["东" * 50]),
])
def test_aliases_are_trimmed_deduplicated_and_kept_in_order(raw: Any, expected: list[str]) -> None:
    assert aliases.parse(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("东风路、东", "别名“东”太短：地址识别至少需要 2 个字"),
    ("--", "别名“--”太短：地址识别至少需要 2 个字"),
    ("东" * 51, f"别名“{'东' * 20}…”超过 50 个字符"),
    ([1], "别名须为文字：1"),
    (["东风路、人民路"], "别名“东风路、人民路”含分隔符（换行、“、”、逗号或分号），请拆成多个别名"),
    ('["东风路"', "别名须为 JSON 字符串数组，或以换行、“、”、逗号分隔的文字"),
    ({"name": "东风路"}, "别名须为文字列表或以“、”分隔的文字"),
    ([f"路名{i}" for i in range(51)], "别名不能多于 50 个（现有 51 个）"),
])
def test_bad_aliases_say_why(raw: Any, message: str) -> None:
    with pytest.raises(aliases.AliasError) as caught:
        aliases.parse(raw)
    assert str(caught.value) == message


def _with_aliases(city: City) -> None:
    Area.objects.filter(pk=city.grids[0].pk).update(aliases=["东风路", "万达广场"])
    Area.objects.filter(pk=city.communities[1].pk).update(aliases=["西园新村"])


def test_both_formats_carry_aliases(city: City) -> None:
    _with_aliases(city)
    features = {f["properties"]["code"]: f["properties"] for f in json.loads(exported("geojson"))["features"]}
    assert features[city.grids[0].code]["aliases"] == ["东风路", "万达广场"]
    assert features[city.grids[1].code]["aliases"] == []
    lines = exported("csv").splitlines()
    assert lines[0] == "code,name,level,parent_code,population,aliases,geometry"
    rows = {line.split(",", 1)[0]: line for line in lines[1:]}
    assert rows["321202002001"] == "321202002001,西园社区,community,321202002,,西园新村,"
    assert rows["32120200100101"].startswith("32120200100101,东风社区第1网格,grid,321202001001,,东风路、万达广场,")
    assert rows["321202001"] == "321202001,城东街道,street,321202,,,"


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_aliases_round_trip_through_an_empty_database(city: City, fmt: str) -> None:
    _with_aliases(city)
    first = exported(fmt)
    empty_tree()
    report = import_areas(first.encode(), fmt=fmt)
    assert (report.created, report.errors) == (10, [])
    assert exported(fmt) == first
    assert Area.objects.get(code=city.grids[0].code).aliases == ["东风路", "万达广场"]
    again = import_areas(first.encode(), fmt=fmt)  # idempotent
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)


def test_bad_aliases_are_reported_by_row_and_good_rows_kept(city: City) -> None:
    body = HEADER + "\n".join([
        f"{city.grids[0].code},东风社区第1网格,grid,{city.communities[0].code},东风路、 万达广场 、东风路",
        f"{city.grids[1].code},东风社区第2网格,grid,{city.communities[0].code},光明路、桥",
        f"{city.grids[2].code},西园社区第3网格,grid,{city.communities[1].code},{'长' * 51}",
    ]) + "\n"
    report = import_areas(body.encode(), fmt="csv")
    assert [str(e) for e in report.errors] == [
        f"第 3 行 [{city.grids[1].code}]：别名“桥”太短：地址识别至少需要 2 个字",
        f"第 4 行 [{city.grids[2].code}]：别名“{'长' * 20}…”超过 50 个字符",
    ]
    assert (report.updated, report.unchanged) == (1, 0)
    assert Area.objects.get(pk=city.grids[0].pk).aliases == ["东风路", "万达广场"]
    assert Area.objects.get(pk=city.grids[1].pk).aliases == []
    features = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None, "properties": {
        "code": city.grids[3].code, "name": "西园社区第4网格", "level": "grid",
        "parent_code": city.communities[1].code, "aliases": ["城西路", 7]}}]}
    report = import_areas(json.dumps(features).encode(), fmt="geojson")
    assert [str(e) for e in report.errors] == [f"第 1 行 [{city.grids[3].code}]：别名须为文字：7"]


def test_a_file_without_aliases_leaves_them_and_an_empty_cell_clears_them(city: City) -> None:
    Area.objects.filter(pk=city.communities[0].pk).update(aliases=["东风新村", "东风路"])
    area, street = city.communities[0], city.street  # no boundary: the file below leaves nothing else to change
    without = f"code,name,level,parent_code\n{area.code},{area.name},community,{street.code}\n"
    report = import_areas(without.encode(), fmt="csv")
    assert (report.updated, report.unchanged) == (0, 1)
    assert Area.objects.get(pk=area.pk).aliases == ["东风新村", "东风路"]
    same = HEADER + f"{area.code},{area.name},community,{street.code},东风路、东风新村\n"  # another order: a change
    assert import_areas(same.encode(), fmt="csv").updated == 1
    assert Area.objects.get(pk=area.pk).aliases == ["东风路", "东风新村"]
    cleared = HEADER + f"{area.code},{area.name},community,{street.code},\n"
    assert import_areas(cleared.encode(), fmt="csv").updated == 1
    assert Area.objects.get(pk=area.pk).aliases == []


def test_imported_aliases_are_used_by_the_gazetteer_at_once(city: City) -> None:
    assert gazetteer.locate("光明路18号") is None
    body = HEADER + f"{city.grids[3].code},西园社区第4网格,grid,{city.communities[1].code},光明路\n"
    import_areas(body.encode(), fmt="csv")
    found = gazetteer.locate("光明路18号")
    assert found is not None
    assert (found.grid_id, found.community_id) == (city.grids[3].pk, city.communities[1].pk)


def test_the_command_exports_and_imports_aliases(city: City, tmp_path: Path) -> None:
    _with_aliases(city)
    path = tmp_path / "areas.csv"
    call_command("jurisdictions", "export", "--out", str(path), "--encoding", "gb18030")
    assert "东风路、万达广场" in path.read_text(encoding="gb18030")
    Area.objects.update(aliases=[])
    call_command("jurisdictions", "import", str(path), "--json")
    assert Area.objects.get(pk=city.grids[0].pk).aliases == ["东风路", "万达广场"]


def _admin(city: City) -> Client:
    client = Client()
    client.force_login(city.users["admin"])
    return client


def _area_form(city: City, text: str) -> dict[str, Any]:
    grid = city.grids[2]
    return {"code": grid.code, "name": grid.name, "level": "grid", "parent": city.communities[1].pk,
            "population": "", "aliases": text, "geometry": json.dumps(grid.geometry)}


def test_an_administrator_edits_aliases_one_per_line_and_the_gazetteer_uses_them_at_once(city: City) -> None:
    grid = city.grids[2]
    client = _admin(city)
    url = reverse("admin:jurisdictions_area_change", args=[grid.pk])
    assert gazetteer.locate("万达广场北门") is None
    response = client.post(url, _area_form(city, " 万达广场 \n\n凤凰路、万达广场\r\n"))
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.aliases == ["万达广场", "凤凰路"]
    found = gazetteer.locate("万达广场北门")
    assert found is not None
    assert found.grid_id == grid.pk
    page = client.get(url).content.decode()
    assert '<textarea name="aliases" cols="40" rows="4"' in page
    assert ">\n万达广场\n凤凰路</textarea>" in page
    assert "每行一个，也可用“、”或逗号分隔" in page


def test_a_bad_alias_in_the_admin_is_a_field_error_and_nothing_changes(city: City) -> None:
    grid = city.grids[2]
    Area.objects.filter(pk=grid.pk).update(aliases=["凤凰路"])
    response = _admin(city).post(reverse("admin:jurisdictions_area_change", args=[grid.pk]),
                                 _area_form(city, "万达广场\n桥"))
    assert response.status_code == 200
    assert "别名“桥”太短：地址识别至少需要 2 个字" in response.content.decode()
    assert ">\n万达广场\n桥</textarea>" in response.content.decode()  # what was typed stays to be corrected
    assert Area.objects.get(pk=grid.pk).aliases == ["凤凰路"]

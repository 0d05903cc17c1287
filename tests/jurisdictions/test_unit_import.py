"""Importing and exporting units."""

from __future__ import annotations

import json

import pytest

from fengqiao.jurisdictions.models import Unit
from fengqiao.jurisdictions.unit_imports import import_units
from tests.factories import City
from tests.jurisdictions.helpers import empty_units, exported_units

HEADER = "code,name,short_name,kind,level,area_code,parent_code,phone,active\n"


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_units_round_trip(city: City, fmt: str) -> None:
    Unit.objects.create(code="D1-1", name="物业科", kind="department", level="city", area=city.city,
                        parent=city.departments[0], phone="0523-1234567", active=False)
    first = exported_units(fmt)
    empty_units()
    report = import_units(first.encode(), fmt=fmt, batch_size=1)
    assert (report.created, report.errors) == (6, [])
    assert exported_units(fmt) == first
    again = import_units(first.encode(), fmt=fmt)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_unit_geojson_has_no_geometry(city: City) -> None:
    feature = json.loads(exported_units("geojson"))["features"][0]
    assert feature == {"type": "Feature", "geometry": None, "properties": {
        "code": "CC", "name": "市社会治理指挥中心", "short_name": "", "kind": "command_centre", "level": "city",
        "area_code": "3212", "parent_code": None, "phone": "", "active": True}}


def test_bad_unit_rows_are_reported_by_number(city: City) -> None:
    rows = [
        "D9,市水务局,水务,department,,3212,,,1",            # 2 good: level from the area
        "D8,市教育局,,ministry,city,3212,,,",              # 3 unknown kind
        "D7,某局,,department,,9999,,,",                    # 4 unknown area
        "D6,某街道办,,street_office,city,321202001,,,",     # 5 level ≠ area's level
        "D9,重复,,department,,3212,,,",                     # 6 duplicate
        "A,甲,,department,,3212,B,,",                      # 7 cycle
        "B,乙,,department,,3212,A,,",                      # 8 cycle
        "C,丙,,department,,3212,ZZ,,",                     # 9 parent missing
        "E,戊,,department,,3212,D9,,maybe",                # 10 active
        "F,己,,department,,3212,D9,,否",                   # 11 good child of a new unit
    ]
    report = import_units((HEADER + "\n".join(rows) + "\n").encode(), fmt="csv")
    assert report.as_dict()["errors"] == [
        {"row": 3, "code": "D8", "message": "类型“ministry”未知（可用：command_centre, hotline_centre, department, "
                                           "street_office, community_committee, court, procuratorate, police, "
                                           "mediation_committee, legal_office）"},
        {"row": 4, "code": "D7", "message": "服务区域 9999 不存在"},
        {"row": 5, "code": "D6", "message": "层级为市，但服务区域 321202001 是镇街"},
        {"row": 6, "code": "D9", "message": "编码重复：与第 2 行相同"},
        {"row": 7, "code": "A", "message": "上级单位 B 构成循环或本身有错误"},
        {"row": 8, "code": "B", "message": "上级单位 A 构成循环或本身有错误"},
        {"row": 9, "code": "C", "message": "上级单位 ZZ 不存在"},
        {"row": 10, "code": "E", "message": "启用“maybe”须为 1/0、true/false 或 是/否"},
    ]
    assert report.created == 2
    child = Unit.objects.select_related("parent").get(code="F")
    assert (child.parent.code if child.parent else None, child.active, child.level) == ("D9", False, "city")
    assert Unit.objects.get(code="D9").short_name == "水务"

"""Importing and exporting the jurisdiction tree: round trips, bad rows, idempotency, encodings, crashes."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from fengqiao.jurisdictions import geo, imports
from fengqiao.jurisdictions.imports import import_areas
from fengqiao.jurisdictions.io import FileFormatError
from fengqiao.jurisdictions.models import Area
from tests.factories import City
from tests.jurisdictions.helpers import empty_tree, exported

HEADER = "code,name,level,parent_code,population,geometry\n"
SQUARE_WKT = "POLYGON((120 32, 120.01 32, 120.01 32.01, 120 32.01, 120 32))"
BOWTIE_WKT = "POLYGON((120 32, 120.01 32.01, 120.01 32, 120 32.01, 120 32))"


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_round_trip_through_an_empty_database_is_identical(city: City, fmt: str) -> None:
    first = exported(fmt)
    empty_tree()
    report = import_areas(first.encode(), fmt=fmt)
    assert report.as_dict() == {"total": 10, "created": 10, "updated": 0, "unchanged": 0, "dry_run": False,
                                "errors": []}
    assert exported(fmt) == first
    grid = Area.objects.get(code=city.grids[3].code)
    assert grid.path == "3212/321202/321202002/321202002001/32120200200104"
    assert (grid.centroid_lng, grid.centroid_lat) == (119.815, 32.455)


def test_geojson_is_a_feature_collection_of_the_documented_shape(city: City) -> None:
    doc = json.loads(exported("geojson"))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 10
    assert doc["features"][0] == {"type": "Feature", "geometry": None, "properties": {
        "code": "3212", "name": "泰州市", "level": "city", "parent_code": None, "population": None, "aliases": []}}
    grid = doc["features"][-1]
    assert grid["properties"] == {"code": "32120200200104", "name": "西园社区第4网格", "level": "grid",
                                  "parent_code": "321202002001", "population": None, "aliases": []}
    assert grid["geometry"] == city.grids[3].geometry


def test_export_filters_by_level_and_subtree(city: City) -> None:
    grids = json.loads(exported("geojson", level="grid"))["features"]
    assert [f["properties"]["code"] for f in grids] == [g.code for g in city.grids]
    under = exported("csv", under=city.other_street.code).splitlines()
    assert [line.split(",")[0] for line in under[1:]] == ["321202002", "321202002001", "32120200200103",
                                                         "32120200200104"]
    with pytest.raises(FileFormatError, match="没有编码为 9999 的区域"):
        exported("csv", under="9999")


def test_children_before_parents_in_the_file_still_load(city: City) -> None:
    doc = json.loads(exported("geojson"))
    doc["features"].reverse()
    empty_tree()
    report = import_areas(json.dumps(doc).encode(), fmt="geojson", batch_size=1)
    assert (report.created, report.errors) == (10, [])
    assert Area.objects.get(code="32120200100101").path == "3212/321202/321202001/321202001001/32120200100101"


def test_importing_twice_changes_nothing_the_second_time(city: City) -> None:
    data = exported("csv").encode()
    before = list(Area.objects.order_by("code").values_list("id", "code", "path", "geometry"))
    report = import_areas(data, fmt="csv")
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 10, [])
    assert list(Area.objects.order_by("code").values_list("id", "code", "path", "geometry")) == before
    changed = data.replace("东风社区第1网格".encode(), "东风社区一号网格".encode())
    report = import_areas(changed, fmt="csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 9)
    assert Area.objects.get(code="32120200100101").name == "东风社区一号网格"
    assert Area.objects.count() == 10


def test_bad_rows_are_reported_by_number_and_good_rows_kept(city: City) -> None:
    rows = [
        "3213,扬州市,city,,,",                                      # 2 good
        "321302,江都区,district,3213,abc,",                          # 3 population
        "321303,邗江区,county,3213,,",                               # 4 level
        "321304,,district,3213,,",                                   # 5 name
        "321305,广陵区,district,9999,,",                             # 6 parent missing
        "321306,仪征市,district,321202001,,",                        # 7 wrong parent level
        f'321307,高邮市,district,3213,,"{BOWTIE_WKT}"',              # 8 self-intersecting
        "3213,扬州市重复,city,,,",                                   # 9 duplicate
        "32130201,某街道,street,321302,,",                           # 10 parent row was bad
        '321308,宝应县,district,3213,,"{""type"":""Point"",""coordinates"":[1,2]}"',  # 11 not a polygon
        "321309,仪征区,district,3213,1200,",                         # 12 good
        "3212099,城南,street,,,",                                    # 13 no parent
    ]
    report = import_areas((HEADER + "\n".join(rows) + "\n").encode(), fmt="csv")
    assert report.as_dict()["errors"] == [
        {"row": 3, "code": "321302", "message": "人口“abc”不是非负整数"},
        {"row": 4, "code": "321303", "message": "层级“county”未知（可用：city, district, street, community, grid）"},
        {"row": 5, "code": "321304", "message": "名称为空"},
        {"row": 6, "code": "321305", "message": "上级 9999 不存在"},
        {"row": 7, "code": "321306", "message": "上级 321202001 是镇街，区县的上级须为市"},
        {"row": 8, "code": "321307", "message": "边界无效：Self-intersection[120.005 32.005]"},
        {"row": 9, "code": "3213", "message": "编码重复：与第 2 行相同"},
        {"row": 10, "code": "32130201", "message": "上级 321302（第 3 行）有错误"},
        {"row": 11, "code": "321308", "message": "边界须为 Polygon 或 MultiPolygon，而不是 Point"},
        {"row": 13, "code": "3212099", "message": "缺少上级编码"},
    ]
    assert (report.total, report.created) == (12, 2)
    assert Area.objects.get(code="321309").population == 1200
    assert not Area.objects.filter(code__in=["321302", "321307", "32130201"]).exists()


def test_repair_mends_a_self_intersecting_boundary(city: City) -> None:
    data = (HEADER + f'3213,扬州市,city,,,"{BOWTIE_WKT}"\n').encode()
    report = import_areas(data, fmt="csv", repair=True)
    assert (report.created, report.errors) == (1, [])
    geometry = Area.objects.get(code="3213").geometry
    assert geometry is not None
    assert geometry["type"] == "MultiPolygon"
    assert shape(geometry).is_valid


def test_wkt_boundaries_are_stored_as_geojson_and_found_by_point(city: City) -> None:
    data = (HEADER + f'321202001002,新社区,community,321202001,,\n'
                     f'32120200100201,新网格,grid,321202001002,300,"{SQUARE_WKT}"\n').encode()
    assert import_areas(data, fmt="csv").created == 2
    grid = Area.objects.get(code="32120200100201")
    assert grid.geometry == {"type": "Polygon", "coordinates": [
        [[120.0, 32.0], [120.01, 32.0], [120.01, 32.01], [120.0, 32.01], [120.0, 32.0]]]}
    assert geo.grid_at(120.005, 32.005) == grid.pk


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gb18030_and_utf8_with_or_without_bom(city: City, encoding: str) -> None:
    data = (HEADER + "321202001002,鑫苑社区,community,321202001,4500,\n").encode(encoding)
    report = import_areas(data, filename="社区.csv")
    assert (report.created, report.errors) == (1, [])
    assert Area.objects.get(code="321202001002").name == "鑫苑社区"


def test_moving_an_area_moves_the_paths_of_everything_under_it(city: City) -> None:
    data = (HEADER + "321202001001,东风社区,community,321202002,,\n").encode()
    assert import_areas(data, fmt="csv").updated == 1
    assert Area.objects.get(code="32120200100102").path == "3212/321202/321202002/321202001001/32120200100102"
    assert Area.objects.filter(path__startswith="3212/321202/321202001/").count() == 0


def test_a_crash_between_batches_loses_nothing_and_a_rerun_finishes(city: City,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = exported("geojson").encode()
    expected = exported("geojson")
    empty_tree()
    real = imports._write_batch
    calls = {"n": 0}

    def crashing(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("power cut")
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "_write_batch", crashing)
    with pytest.raises(RuntimeError, match="power cut"):
        import_areas(data, fmt="geojson", batch_size=2)
    # batches: city · district · 2 streets · [2 communities] ← crash; the first three are committed
    assert Area.objects.count() == 4
    monkeypatch.setattr(imports, "_write_batch", real)
    report = import_areas(data, fmt="geojson", batch_size=2)
    assert (report.created, report.unchanged, report.errors) == (6, 4, [])
    assert exported("geojson") == expected


def test_dry_run_counts_but_writes_nothing(city: City) -> None:
    data = (HEADER + "321202001002,新社区,community,321202001,,\n3212,泰州,city,,,\n").encode()
    report = import_areas(data, fmt="csv", dry_run=True)
    assert (report.created, report.updated, report.dry_run) == (1, 1, True)
    assert not Area.objects.filter(code="321202001002").exists()
    assert Area.objects.get(code="3212").name == "泰州市"


@pytest.mark.parametrize(("data", "fmt", "message"), [
    (b'{"type": "Feature"', "geojson", "GeoJSON 语法错误：第 1 行第 19 列"),
    (b'{"type": "Feature", "properties": {}}', "geojson", "GeoJSON 文件须为 FeatureCollection"),
    (b"code,name\n1,a\n", "csv", "CSV 缺少列：level"),
    (b"\xff\xfe\x00\x81\x30", "csv", "文件编码无法识别"),
])
def test_a_file_that_cannot_be_read_says_why(db: None, data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(FileFormatError, match=message):
        import_areas(data, fmt=fmt)


def test_a_level_change_of_an_area_with_children_is_refused(city: City) -> None:
    data = (HEADER + "321202001001,东风社区,street,321202,,\n").encode()
    report = import_areas(data, fmt="csv")
    assert [str(e) for e in report.errors] == ["第 2 行 [321202001001]：已有下级区域，不能改为镇街"]

"""The import pipeline: readers and encodings, bad rows by number, good rows kept, idempotent replay,
the register event chain, and register_one."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from django.db import connection

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.intake import mapping, pipeline, readers, services
from fengqiao.intake.models import ImportJob, ImportRowError, JobStatus
from fengqiao.kit.errors import PermissionDenied, ValidationFailed
from tests.factories import City

HEADER = "工单编号,标题,诉求内容,分类编码,紧急程度,事发地址,经度,纬度,来电时间,来电人,来电号码,身份证号"


def rows_csv(city: City, n: int, *, start: int = 1) -> list[str]:
    lng, lat = city.point_in(0)
    return [f"HL-{i},噪声扰民 {i},夜间施工噪声扰民 第{i}次,010101,紧急,东风路 {i} 号,{lng},{lat},"
            f"2024/03/0{1 + i % 5} 10:00:00,张三,1381234{i:04d}," for i in range(start, start + n)]


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(city: City, path: Path, name: str = "hotline_12345", channel: str = "hotline_12345",
        batch: int = 1000) -> ImportJob:
    raw, _ = mapping.load(name)
    job, _resumed = services.start_job(city.users["operator"], channel, path, raw)
    return pipeline.run_job(job.pk, batch_size=batch)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_load(city: City, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, [HEADER, *rows_csv(city, 3)], encoding)
    job = run(city, path)
    assert (job.status, job.created, job.failed) == (JobStatus.DONE, 3, 0)
    case = Case.objects.get(external_ref="HL-2")
    assert (case.title, case.description, case.urgency) == ("噪声扰民 2", "夜间施工噪声扰民 第2次", "urgent")
    assert case.grid_id == city.grids[0].pk
    assert case.district_id == city.district.pk
    assert case.category_id == city.categories["leaf"].pk
    assert case.registered_at.isoformat() == "2024-03-03T02:00:00+00:00"
    party = Party.objects.get(case=case)
    assert (party.name, party.phone) == ("张三", "13812340002")
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute(f"SELECT phone FROM {Party._meta.db_table} WHERE id = %s", [party.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAA")
    assert "13812340002" not in stored


def test_undecodable_file_names_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + b"\x81\x30" * 2 + b"\xff\xff")  # invalid in UTF-8 at byte 4, and in GB18030
    with pytest.raises(ValidationFailed) as e:
        readers.detect_encoding(path)
    assert "第 4 字节" in e.value.message


def test_register_event_chain_matches_single_register(city: City, tmp_path: Path) -> None:
    run(city, write(tmp_path, [HEADER, *rows_csv(city, 2)]))
    for case in Case.objects.filter(external_ref__startswith="HL-"):
        (event,) = CaseEvent.objects.filter(case=case)
        assert (event.seq, event.prev_hash, event.action, event.to_state) == (1, GENESIS, "register", "registered")
        assert event.hash == event_digest(GENESIS, event.chain_fields())
        assert (case.event_seq, case.event_head, case.status) == (1, event.hash, "registered")
        assert event.actor_id == city.users["operator"].pk
        assert event.actor_role == "operator"


def test_bad_rows_reported_by_number_good_rows_kept(city: City, tmp_path: Path) -> None:
    good = rows_csv(city, 2)
    lng, lat = city.point_in(0)
    bad = [
        f"B-1,标题,,010101,一般,,{lng},{lat},2024/03/01 10:00:00,,,",  # row 4: empty description
        f"B-2,标题,内容,010101,一般,,{lng},{lat},2024/13/45 10:00:00,,,",  # row 5: bad date
        "B-3,标题,内容,010101,一般,,100.0,20.0,2024/03/01 10:00:00,,,",  # row 6: outside the city
        f"B-4,标题,内容,010101,一般,,{lng},{lat},,李四,12345,",  # row 7: bad phone
        f"B-5,标题,内容,999999,一般,,{lng},{lat},,,,110105194912310021",  # row 8: bad category, bad ID check
        f"B-6,{'长' * 201},内容,010101,一般,,{lng},{lat},,,,",  # row 9: title too long
    ]
    job = run(city, write(tmp_path, [HEADER, *good, *bad]))
    assert (job.created, job.failed, job.duplicates) == (2, 6, 0)
    errors = list(ImportRowError.objects.filter(job=job).values_list("row", "field"))
    assert errors == [(4, "description"), (5, "reported_at"), (6, "lng"), (7, "reporter_phone"),
                      (8, "category"), (8, "reporter_id_number"), (9, "title")]
    message = ImportRowError.objects.get(job=job, row=5).message
    assert message == "第 5 行 reported_at（列「来电时间」）：无法识别的日期 '2024/13/45 10:00:00'"
    assert ImportRowError.objects.get(job=job, row=6).raw["经度"] == "100.0"
    assert not Case.objects.filter(external_ref__startswith="B-").exists()


def test_missing_columns_one_clear_error_before_any_row(city: City, tmp_path: Path) -> None:
    path = write(tmp_path, ["工单编号,诉求内容,多余列", "X-1,内容,1"])
    raw, _ = mapping.load("hotline_12345")
    with pytest.raises(ValidationFailed) as e:
        services.start_job(city.users["operator"], "hotline_12345", path, raw)
    assert e.value.message.startswith("文件缺少映射中的列：标题, 分类编码, 紧急程度")
    assert Case.objects.count() == 0
    assert ImportJob.objects.count() == 0


def test_extra_columns_ignored_and_listed(city: City, tmp_path: Path) -> None:
    lines = [HEADER + ",备注", *(r + ",x" for r in rows_csv(city, 1))]
    job = run(city, write(tmp_path, lines))
    assert job.created == 1
    assert job.message == "已忽略文件中未映射的列：备注"


def test_replay_registers_nothing_twice(city: City, tmp_path: Path) -> None:
    first = run(city, write(tmp_path, [HEADER, *rows_csv(city, 5)], name="a.csv"))
    again = run(city, write(tmp_path, [HEADER, *rows_csv(city, 7)], name="b.csv"), batch=3)
    assert (first.created, again.created, again.duplicates) == (5, 2, 5)
    assert Case.objects.filter(external_ref__startswith="HL-").count() == 7


def test_repeated_external_id_in_one_batch_counted_once(city: City, tmp_path: Path) -> None:
    rows = rows_csv(city, 2)
    job = run(city, write(tmp_path, [HEADER, rows[0], rows[1], rows[0]]))
    assert (job.created, job.duplicates) == (2, 1)


def test_same_file_same_channel_resumes_the_unfinished_job(city: City, tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *rows_csv(city, 5)])
    raw, _ = mapping.load("hotline_12345")
    job, resumed = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    assert not resumed
    again, resumed = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    assert resumed
    assert again.pk == job.pk
    pipeline.run_job(job.pk)
    third, resumed = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    assert not resumed
    assert third.pk != job.pk


def test_checkpoint_resumes_after_a_crash_between_batches(city: City, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, [HEADER, *rows_csv(city, 10)])
    raw, _ = mapping.load("hotline_12345")
    job, _ = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    real = pipeline.process_batch
    calls = []

    def crash_on_third(*args: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # dies mid-job: batch 3's transaction never commits
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process_batch", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_job(job.pk, batch_size=3)
    job.refresh_from_db()
    assert (job.next_row, job.created, Case.objects.count()) == (8, 6, 6)  # rows 2-7 done, next is row 8
    monkeypatch.setattr(pipeline, "process_batch", real)
    job = pipeline.run_job(job.pk, batch_size=3)
    assert (job.created, job.duplicates, Case.objects.count(), job.status) == (10, 0, 10, JobStatus.DONE)


def test_xlsx_named_sheet_and_jsonl(city: City, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "封面"
    sheet = book.create_sheet("工单")
    sheet.append(HEADER.split(","))
    for line in rows_csv(city, 3):
        sheet.append(line.split(","))
    path = tmp_path / "in.xlsx"
    book.save(path)
    raw, _ = mapping.load("hotline_12345")
    raw["sheet"] = "工单"
    job, _ = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    job = pipeline.run_job(job.pk)
    assert (job.created, job.failed) == (3, 0)

    lng, lat = city.point_in(1)
    lines = [json.dumps({"工单编号": "J-1", "标题": "路灯不亮", "诉求内容": "路灯坏了", "分类编码": "010101",
                         "紧急程度": "一般", "事发地址": "", "经度": lng, "纬度": lat, "来电时间": "2024-03-01 08:00",
                         "来电人": "", "来电号码": "", "身份证号": ""}, ensure_ascii=False), "{not json"]
    jpath = write(tmp_path, lines, name="in.jsonl")
    job = run(city, jpath)
    assert (job.created, job.failed) == (1, 1)
    assert ImportRowError.objects.get(job=job).row == 2
    assert Case.objects.get(external_ref="J-1").grid_id == city.grids[1].pk


@pytest.mark.parametrize(("raw", "message"), [
    ({}, "缺少 [columns] 表"),
    ({"columns": {"a": "nope"}}, "字段 'nope' 未知"),
    ({"columns": {"a": "description", "b": "description"}}, "多个列映射到字段 'description'"),
    ({"columns": {"a": "title"}}, "必须有一列映射到 description"),
    ({"columns": {"a": "description"}}, "title_from_description"),
    ({"columns": {"a": "description", "b": "title", "c": "lng"}}, "lng 和 lat 需同时映射"),
    ({"columns": {"a": "description", "b": "title"}, "urgency_map": {"x": "hot"}}, "紧急程度 'hot' 无效"),
    ({"columns": {"a": "description", "b": "title"}, "timezone": "Mars/Base"}, "未知的时区"),
    ({"columns": {"a": "description", "b": "title"}, "date_formats": ["YYYY"]}, "date_formats"),
    ({"columns": {"a": "description", "b": "title"}, "colums": {}}, "未知的设置 'colums'"),
    ({"columns": {"a": "description", "b": "title"}, "location": {"outside_city": "move"}}, "outside_city"),
])
def test_mapping_validation(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        mapping.parse(raw)
    assert message in e.value.message


def test_every_shipped_mapping_is_valid() -> None:
    names = mapping.shipped_names()
    assert {"hotline_12345", "police_110", "procuratorate_12309", "court_12368", "mini_program", "petition",
            "grid_patrol", "walk_in", "message_board", "baltimore311", "tipdm_message_board"} <= set(names)
    for name in names:
        mapping.load(name)


def test_toml_syntax_error_is_clear() -> None:
    with pytest.raises(ValidationFailed) as e:
        mapping.load_toml("[columns\n")
    assert e.value.message.startswith("映射文件有误：TOML 语法错误")


def test_only_import_roles_may_import(city: City, tmp_path: Path) -> None:
    raw, _ = mapping.load("hotline_12345")
    with pytest.raises(PermissionDenied):
        services.start_job(city.users["handler"], "hotline_12345", write(tmp_path, [HEADER]), raw)


def test_register_one_validates_and_is_idempotent(city: City) -> None:
    lng, lat = city.point_in(2)
    payload = {"external_id": "P-1", "description": "楼道堆放杂物", "lng": lng, "lat": lat,
               "reporter_phone": "13900001111", "urgency": "urgent"}
    first = pipeline.register_one("mini_program", payload, city.users["operator"])
    again = pipeline.register_one("mini_program", payload, city.users["operator"])
    assert first.created
    assert not again.created
    assert first.case.pk == again.case.pk
    assert (first.case.title, first.case.grid_id) == ("楼道堆放杂物", city.grids[2].pk)
    with pytest.raises(ValidationFailed) as e:
        pipeline.register_one("mini_program", {"description": "", "reporter_phone": "1"}, city.users["operator"])
    assert set(e.value.fields) == {"description", "reporter_phone"}


def test_raw_cells_of_a_bad_row_are_encrypted_at_rest(db: None) -> None:
    from django.db import connection

    from fengqiao.intake.models import ImportJob, ImportRowError
    from fengqiao.kit import clock
    from tests.factories import build_city

    city = build_city()
    job = ImportJob.objects.create(channel="hotline_12345", file_name="x.csv", file_path="/tmp/x.csv",
                                   file_sha256="0" * 64, mapping={}, created_by=city.users["operator"],
                                   created_at=clock.now())
    error = ImportRowError.objects.create(job=job, row=3, field="reporter_phone", message="bad",
                                          raw={"来电人": "王小明", "来电号码": "13800001111"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM intake_importrowerror WHERE id = %s", [error.pk])
        stored = cursor.fetchone()[0]
    assert "王小明" not in stored
    assert "13800001111" not in stored
    assert ImportRowError.objects.get(pk=error.pk).raw == {"来电人": "王小明", "来电号码": "13800001111"}


def test_bulk_insert_stores_any_offset_as_the_same_instant(db: None) -> None:
    import datetime as dt

    from fengqiao.cases.models import Case
    from fengqiao.kit import bulk

    odd = dt.datetime(2024, 2, 5, 17, 43, 24, tzinfo=dt.timezone(dt.timedelta(hours=14, minutes=34)))
    bulk.insert(Case, [Case(pk=910001, code="FQ240205-TEST01", channel="hotline_12345", title="t",
                            description="d", status="registered", registered_at=odd)])
    assert Case.objects.get(pk=910001).registered_at == odd


@pytest.mark.django_db(transaction=True)
def test_two_workers_write_every_row_once(tmp_path: Path) -> None:
    """Two worker processes over 23 rows in batches of 3, with a reference repeated across batches that
    different workers take and a bad row: exact counts, every row's batch recorded once."""
    from fengqiao.intake.models import ImportBatch
    from tests.factories import build_city

    city = build_city()
    lines = rows_csv(city, 20)
    lines[14] = lines[4].replace("噪声扰民 5", "噪声扰民 5（再次来电）")  # HL-5 again, in the other worker's batch
    lines.append(lines[0].replace("2024/03/02", "明天"))  # HL-1 again, with a bad date
    lines += rows_csv(city, 2, start=21)
    path = write(tmp_path, [HEADER, *lines])
    raw, _ = mapping.load("hotline_12345")
    job, _ = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    job = pipeline.run_job(job.pk, batch_size=3, workers=2)
    assert (job.status, job.total_rows, job.done_rows) == (JobStatus.DONE, 23, 23)
    assert (job.created, job.duplicates, job.failed) == (21, 1, 1)
    assert Case.objects.count() == 21 == CaseEvent.objects.count()
    assert sorted(Case.objects.values_list("external_ref", flat=True)) == sorted(
        f"HL-{i}" for i in range(1, 23) if i != 15)
    batches = list(ImportBatch.objects.filter(job=job).order_by("first_row").values_list("first_row", "last_row"))
    assert batches == [(n, n + 2) for n in range(2, 23, 3)] + [(23, 24)]
    assert ImportRowError.objects.get(job=job).row == 22


def test_plan_skips_recorded_batches(tmp_path: Path, city: City) -> None:
    path = write(tmp_path, [HEADER, *rows_csv(city, 10)])
    source = readers.Source(path, "csv")
    plan = pipeline.Plan(job_id=0, batch_size=3, done=((2, 4), (8, 9)))
    assert [n for n, _raw in plan.pending(source)] == [5, 6, 7, 10, 11]

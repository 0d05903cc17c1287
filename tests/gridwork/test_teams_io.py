"""Grid teams as CSV (gridwork/teams_io.py and ``fengqiao teams``): good rows written, bad rows reported by
number with the reason, a re-run changes nothing, phones kept when the file has no phone column."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from fengqiao.gridwork import teams_io
from fengqiao.gridwork.models import TeamMember
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import pii
from tests.factories import City
from tests.gridwork.team_kit import officer_units

HEADER = "grid_code,role,name,phone,unit_code,username,active,since\n"


def _csv(city: City, *lines: str) -> bytes:
    g0, g1 = city.grids[0].code, city.grids[1].code
    return (HEADER + "".join(line.format(g0=g0, g1=g1) + "\n" for line in lines)).encode()


GOOD = (
    "{g0},grid_worker,李网格,13800000001,,grid_worker,1,2025-03-01",
    "{g0},民警,王警官,13800000002,GA,,,",
    "{g0},judge,赵法官,0523-86001234,FY,,是,",
    "{g1},律师,孙律师,13800000005,LS,,1,",
)


def test_import_writes_the_good_rows_and_reports_the_bad_ones_by_number(city: City) -> None:
    officer_units(city)
    data = _csv(city, *GOOD,
                "9999,police,某某,,GA,,,",  # row 6
                "{g0},sheriff,某某,,GA,,,",  # row 7
                "{g0},police,某某,12345,GA,,,",  # row 8
                "{g0},police,无单位,,,,,",  # row 9
                "{g0},police,停用单位,,NOPE,,,",  # row 10
                "{g1},grid_worker,冒名,,,grid_worker,,",  # row 11: she is grid 0's worker, not grid 1's
                "{g0},police,王警官,,GA,,,",  # row 12: repeats row 3
                "{g0},police,日期错,,GA,,,2025-13-01",  # row 13
                "{g0},police,布尔错,,GA,,maybe,",  # row 14
                "{g0},police,,,GA,,,",  # row 15
                "{g0},mediator,无账号,,TJ,nobody,,",  # row 16
                "321202001001,police,社区不是网格,,GA,,,")  # row 17
    report = teams_io.import_teams(data)
    assert (report.total, report.created, report.updated, report.unchanged) == (16, 4, 0, 0)
    errors = {e.number: e.message for e in report.errors}
    assert sorted(errors) == list(range(6, 18))
    assert errors[6] == "网格 9999 不存在"
    assert errors[7].startswith("角色“sheriff”不认识")
    assert errors[8] == "电话号码格式不正确（手机 11 位，或带区号的固话）"
    assert errors[9] == "民警须填写所在单位编码（unit_code），分拨按单位交办"
    assert errors[10] == "单位 NOPE 不存在或已停用"
    assert errors[11].startswith("账号 grid_worker 不是网格")
    assert errors[12] == "与第 3 行重复（同一网格、角色和姓名）"
    assert errors[13] == "since“2025-13-01”应为日期 YYYY-MM-DD"
    assert errors[14] == "active“maybe”应为 1/0、是/否"
    assert errors[15] == "网格编码、角色和姓名都不能为空"
    assert errors[16] == "账号 nobody 不存在"
    assert errors[17] == "网格 321202001001 不存在"
    rows = {(m.grid.code, m.role, m.name): m for m in TeamMember.objects.select_related("grid", "unit", "user")}
    g0, g1 = city.grids[0].code, city.grids[1].code
    assert sorted(rows) == sorted([(g0, "grid_worker", "李网格"), (g0, "police", "王警官"), (g0, "judge", "赵法官"),
                                   (g1, "lawyer", "孙律师")])
    worker = rows[(city.grids[0].code, "grid_worker", "李网格")]
    assert (worker.user, str(worker.since), worker.phone) == (city.users["grid_worker"], "2025-03-01", "13800000001")
    assert rows[(g0, "police", "王警官")].unit == Unit.objects.get(code="GA")
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute(f"SELECT phone FROM {TeamMember._meta.db_table} WHERE name = %s", ["王警官"])
        (raw,) = cursor.fetchone()
    assert "1380000" not in raw
    assert pii.decrypt(raw) == "13800000002"


def test_a_rerun_changes_nothing_and_an_edit_updates_one_row(city: City) -> None:
    officer_units(city)
    assert teams_io.import_teams(_csv(city, *GOOD)).created == 4
    again = teams_io.import_teams(_csv(city, *GOOD))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    edited = (*GOOD[:1], "{g0},police,王警官,13900000009,GA,,0,", *GOOD[2:])
    third = teams_io.import_teams(_csv(city, *edited))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    police = TeamMember.objects.get(name="王警官")
    assert (police.phone, police.active) == ("13900000009", False)
    assert TeamMember.objects.count() == 4


def test_a_dry_run_writes_nothing(city: City) -> None:
    officer_units(city)
    report = teams_io.import_teams(_csv(city, *GOOD), dry_run=True)
    assert (report.created, report.dry_run) == (4, True)
    assert not TeamMember.objects.exists()


def test_export_then_import_round_trips_and_without_phones_leaves_them(city: City) -> None:
    officer_units(city)
    teams_io.import_teams(_csv(city, *GOOD))
    out = io.StringIO()
    assert teams_io.export_teams(out) == 4
    text = out.getvalue()
    assert text.splitlines()[0] == ",".join(teams_io.EXPORT_COLUMNS)
    assert f"{city.grids[0].code},grid_worker,李网格,13800000001,,grid_worker,1,2025-03-01" in text
    assert teams_io.import_teams(text.encode()).unchanged == 4
    bare = io.StringIO()
    teams_io.export_teams(bare, phones=False)
    assert "13800000001" not in bare.getvalue()
    report = teams_io.import_teams(bare.getvalue().encode())
    assert (report.unchanged, report.errors) == (4, [])
    assert TeamMember.objects.get(name="李网格").phone == "13800000001"


def test_the_command_prints_the_report_and_exits_non_zero_on_bad_rows(city: City, tmp_path: Path) -> None:
    officer_units(city)
    good = tmp_path / "teams.csv"
    good.write_bytes(_csv(city, *GOOD))
    out = io.StringIO()
    call_command("teams", "import", str(good), stdout=out)
    assert "新建 4" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(city, *GOOD, "9999,police,某某,,GA,,,"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("teams", "import", str(bad), "--json", stdout=out)
    assert exit_info.value.code == 1
    assert '"row": 6' in out.getvalue()
    assert '"unchanged": 4' in out.getvalue()
    exported = tmp_path / "out.csv"
    call_command("teams", "export", "--out", str(exported), stderr=io.StringIO())
    assert exported.read_text(encoding="utf-8-sig").count("\n") == 5


def test_a_file_that_is_not_a_team_csv_is_refused_as_a_whole(city: City, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,name\n1,2\n", encoding="utf-8")
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="CSV 缺少列：grid_code, role"):
        call_command("teams", "import", str(wrong), stdout=io.StringIO())

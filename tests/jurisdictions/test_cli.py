"""``fengqiao jurisdictions …`` as an administrator runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fengqiao.jurisdictions.models import Area, Unit
from tests.factories import City
from tests.jurisdictions.helpers import empty_tree


def test_export_then_import_into_an_empty_tree(city: City, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    areas, units = tmp_path / "areas.geojson", tmp_path / "units.csv"
    call_command("jurisdictions", "export", "--out", str(areas))
    call_command("jurisdictions", "export-units", "--out", str(units), "--encoding", "gb18030")
    assert "10 areas written" in capsys.readouterr().out
    original = areas.read_text(encoding="utf-8")
    empty_tree()
    call_command("jurisdictions", "import", str(areas), "--dry-run", "--json")
    assert not Area.objects.exists()
    call_command("jurisdictions", "import", str(areas), "--json")
    call_command("jurisdictions", "import-units", str(units), "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [(r["created"], r["dry_run"]) for r in lines] == [(10, True), (10, False), (5, False)]
    assert Unit.objects.get(code="D3").area.code == "321202001"
    again = tmp_path / "again.geojson"
    call_command("jurisdictions", "export", "--out", str(again))
    assert again.read_text(encoding="utf-8") == original


def test_bad_rows_make_the_command_fail_after_importing_the_good_ones(city: City, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.csv"
    path.write_text("code,name,level,parent_code\n321202003,城南街道,street,321202\n9,,grid,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("jurisdictions", "import", str(path))
    out = capsys.readouterr().out
    assert "第 3 行 [9]：名称为空" in out
    assert "新建 1" in out
    assert Area.objects.filter(code="321202003").exists()


def test_an_unreadable_file_is_a_command_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("jurisdictions", "import", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="GeoJSON 语法错误"):
        call_command("jurisdictions", "import", str(broken))

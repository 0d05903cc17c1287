"""``fengqiao hot_issues --csv``: the top-N table and its JSON on a small planted file; bad files get a message
naming the column or row; on the real TipDM file (skipped where the shared data is absent) the hottest issue
is the 丽发新城 mixing plant, as a reader of the file would say."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fengqiao.intelligence import hot_csv

DATA = Path(settings.SHARED_DATA_DIR) / "tipdm2020" / "messages_with_votes.csv"
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not here (shared data beside the checkout)")

ROWS: list[tuple[str, ...]] = [
    ("1", "U1", "丽发新城小区附近搅拌站噪音扰民", "2019/11/02 10:00:00",
     "丽发新城小区旁搅拌站每天噪音粉尘严重", "0", "3"),
    ("2", "U2", "丽发新城小区旁的搅拌站严重影响生活", "2019/11/03 10:00:00",
     "搅拌站就在丽发新城小区旁，灰尘噪音污染", "0", "1"),
    ("3", "U3", "投诉丽发新城附近搅拌站粉尘噪音", "2019/11/05 10:00:00",
     "丽发新城附近修建搅拌站，噪音灰尘无法休息", "1", "0"),
    ("4", "U4", "伊景园滨河苑捆绑销售车位", "2019/08/01 10:00:00", "伊景园滨河苑购房必须捆绑购买车位", "0", "0"),
    ("5", "U5", "投诉伊景园滨河苑捆绑车位销售", "2019/08/02 10:00:00",
     "伊景园滨河苑捆绑销售车位，不买不签合同", "0", "0"),
    ("6", "U6", "咨询公积金贷款额度", "2019/10/01 10:00:00", "公积金贷款最高可以贷多少", "0", "0"),
]
HEADER = ["热度排名", "问题ID", "热度指数", "留言数", "用户数", "时间范围", "地点/人群", "问题描述"]


def write(path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...] = hot_csv.COLUMNS) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("hot_issues", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_table_ranks_the_planted_groups(tmp_path: Path) -> None:
    lines = run("--csv", str(write(tmp_path / "m.csv", ROWS)), "--top", "2").strip().splitlines()
    assert lines[0].split("\t") == HEADER
    first, second = (line.split("\t") for line in lines[1:])
    assert (first[0], first[3], first[4], first[5]) == ("1", "3", "3", "2019/11/02 至 2019/11/05")
    assert "丽发新城" in first[6]
    assert "搅拌站" in first[7]
    assert (second[0], second[3], second[4]) == ("2", "2", "2")
    assert "伊景园滨河苑" in second[7]
    assert len(lines) == 3


def test_json_lists_the_message_ids(tmp_path: Path) -> None:
    rows = json.loads(run("--csv", str(write(tmp_path / "m.csv", ROWS)), "--top", "3", "--json"))
    assert [r["热度排名"] for r in rows] == [1, 2, 3]
    assert sorted(rows[0]["留言编号"]) == ["1", "2", "3"]
    assert sorted(rows[1]["留言编号"]) == ["4", "5"]
    assert rows[2]["留言编号"] == ["6"]
    assert rows[0]["热度指数"] > rows[1]["热度指数"] > rows[2]["热度指数"]


def test_bad_files_name_the_column_or_row(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="缺少列 点赞数"):
        run("--csv", str(write(tmp_path / "a.csv", [r[:6] for r in ROWS], hot_csv.COLUMNS[:6])))
    bad_time = [*ROWS[:2], ("3", "U3", "x", "昨天", "y", "0", "0")]
    with pytest.raises(CommandError, match="第 4 行: 留言时间 无法识别"):
        run("--csv", str(write(tmp_path / "b.csv", bad_time)))
    bad_votes = [*ROWS[:1], ("2", "U2", "x", "2019/11/03 10:00:00", "y", "0", "很多")]
    with pytest.raises(CommandError, match="第 3 行: 点赞数 不是数字"):
        run("--csv", str(write(tmp_path / "c.csv", bad_votes)))
    with pytest.raises(CommandError, match="无法打开"):
        run("--csv", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="--top 必须是正整数"):
        run("--csv", str(write(tmp_path / "d.csv", ROWS)), "--top", "0")


@needs_data
def test_on_the_tipdm_file_the_mixing_plant_is_the_hottest_issue() -> None:
    rows = json.loads(run("--csv", str(DATA), "--top", "5", "--json"))
    assert len(rows) == 5
    assert "丽发新城" in rows[0]["问题描述"]
    assert len(rows[0]["留言编号"]) >= 40
    assert any("伊景园滨河苑" in r["问题描述"] for r in rows[:3])

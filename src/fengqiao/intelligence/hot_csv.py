"""Hot issues over a TipDM-style message file (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数):
read it, group and rank, and print the top-N table of TipDM 2020 problem C part 2 (热度排名, 问题ID, 热度指数,
时间范围, 地点/人群, 问题描述)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from fengqiao.intelligence import hot_cluster as hc

COLUMNS = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数")
TIME_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")  # the file's times are local times of a Chinese city
TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")


class CsvError(ValueError):
    """The file cannot be read as messages: the message names the row and the column."""


def parse_time(value: str) -> dt.datetime:
    value = value.strip()
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=TIME_ZONE)
        except ValueError:
            continue
    raise ValueError(value)


def _count(row: dict[str, str], column: str, line: int) -> int:
    raw = (row.get(column) or "0").strip() or "0"
    try:
        value = int(float(raw))
    except ValueError:
        raise CsvError(f"第 {line} 行: {column} 不是数字 ({raw!r})") from None
    if value < 0:
        raise CsvError(f"第 {line} 行: {column} 不能为负数 ({value})")
    return value


def read_messages(path: Path) -> list[hc.Message]:
    """The messages of ``path``; a missing column or a bad value raises CsvError naming the row and column."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CsvError(f"无法打开 {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CsvError(f"{path.name}: 缺少列 {', '.join(missing)}")
        out: list[hc.Message] = []
        for line, row in enumerate(reader, start=2):
            try:
                at = parse_time(row["留言时间"] or "")
            except ValueError:
                raise CsvError(f"第 {line} 行: 留言时间 无法识别 ({row['留言时间']!r})") from None
            out.append(hc.Message(
                id=(row["留言编号"] or "").strip() or str(line), subject=row["留言主题"] or "",
                detail=row["留言详情"] or "", at=at, author=(row["留言用户"] or "").strip(),
                likes=_count(row, "点赞数", line), dislikes=_count(row, "反对数", line),
            ))
    return out


@dataclass(frozen=True)
class Row:
    rank: int
    issue_id: int
    heat: float
    messages: int
    users: int
    first: str
    last: str
    place: str
    description: str
    message_ids: list[str]


def top_rows(messages: list[hc.Message], n: int = 5, *, use_places: bool = True) -> list[Row]:
    """The ``n`` hottest groups as table rows (问题ID = rank order, the TipDM convention)."""
    f = hc.features(messages)
    groups = hc.group(messages, use_places=use_places, f=f)
    ranked = hc.rank(messages, groups, f=f, describe_top=n)[:n]
    rows = []
    for k, g in enumerate(ranked, start=1):
        rep = messages[g.representative]
        rows.append(Row(
            rank=k, issue_id=k, heat=g.heat, messages=len(g.members), users=g.users,
            first=f"{g.first:%Y/%m/%d}" if g.first else "", last=f"{g.last:%Y/%m/%d}" if g.last else "",
            place="、".join(g.places) or "—", description=rep.subject.strip() or rep.detail[:40],
            message_ids=[messages[m].id for m in g.members],
        ))
    return rows


def format_table(rows: list[Row]) -> str:
    lines = ["热度排名\t问题ID\t热度指数\t留言数\t用户数\t时间范围\t地点/人群\t问题描述"]
    for r in rows:
        lines.append(f"{r.rank}\t{r.issue_id}\t{r.heat:.2f}\t{r.messages}\t{r.users}\t{r.first} 至 {r.last}\t"
                     f"{r.place}\t{r.description}")
    return "\n".join(lines)


def format_json(rows: list[Row]) -> str:
    return json.dumps([{
        "热度排名": r.rank, "问题ID": r.issue_id, "热度指数": r.heat, "留言数": r.messages, "用户数": r.users,
        "时间范围": f"{r.first} 至 {r.last}", "地点/人群": r.place, "问题描述": r.description,
        "留言编号": r.message_ids,
    } for r in rows], ensure_ascii=False)

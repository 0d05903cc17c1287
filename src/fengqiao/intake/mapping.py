"""Column mappings: a TOML file that turns a city's export into our fields, without code.

```toml
format = "csv"                       # csv | xlsx | jsonl (default: from the file's extension)
sheet = "工单"                        # xlsx only; default: the first sheet
date_formats = ["%Y/%m/%d %H:%M:%S"] # tried in order, then ISO 8601
timezone = "Asia/Shanghai"           # for dates without an offset
category_by = "code"                 # code | name (a name, or a path "一级/二级/三级")
unknown_category = "error"           # error | uncategorised (keep the row, no category)
title_from_description = 30          # when no title column: the first N characters of the description

[columns]                            # source column → our field (or a list of fields)
"工单编号" = "external_id"
"类型" = ["category", "description"]

[category_map]                       # source value (or glob, e.g. "SW-*") → our category code / name
[urgency_map]                        # source value → normal | urgent | very_urgent
[defaults]                           # constants for fields the file lacks
[location]
outside_city = "reject"              # reject (row error) | keep_unlocated (keep the row, drop the point)
```
The mapping is validated as a whole (:func:`parse`) before a single row is read.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fengqiao.cases.models import Urgency
from fengqiao.kit.errors import ValidationFailed

FIELDS = (
    "external_id", "title", "description", "category", "urgency", "address", "lng", "lat", "reported_at",
    "reporter_name", "reporter_phone", "reporter_id_number",
)
FORMATS = ("csv", "xlsx", "jsonl")
OPTIONS = {
    "format", "sheet", "date_formats", "timezone", "category_by", "unknown_category", "title_from_description",
    "columns", "category_map", "urgency_map", "defaults", "location", "description",
}
MAPPINGS_DIR = Path(__file__).parent / "mappings"


@dataclass(frozen=True)
class Mapping:
    source_of: dict[str, str]  # field → source column
    format: str | None = None
    sheet: str | None = None
    date_formats: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    category_by: str = "code"
    unknown_category: str = "error"
    title_from_description: int | None = None
    category_map: dict[str, str] = field(default_factory=dict)
    urgency_map: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    outside_city: str = "reject"

    @property
    def columns(self) -> list[str]:
        """The source columns the file must have."""
        return list(dict.fromkeys(self.source_of.values()))


def _fail(message: str, key: str = "mapping") -> ValidationFailed:
    return ValidationFailed(f"映射文件有误：{message}", fields={key: message})


def _str_table(raw: dict[str, Any], name: str) -> dict[str, str]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise _fail(f"[{name}] 应为表（table）", name)
    bad = [k for k, v in table.items() if not isinstance(v, str | int | float)]
    if bad:
        raise _fail(f"[{name}] 中 {bad[0]!r} 的值应为文本", name)
    return {str(k): str(v) for k, v in table.items()}


def _columns(raw: dict[str, Any]) -> dict[str, str]:
    """[columns] (source column = field, or = [field, field]) as field → source column."""
    table = raw.get("columns", {})
    if not isinstance(table, dict) or not table:
        raise _fail("缺少 [columns] 表（源列名 = 字段名）", "columns")
    source_of: dict[str, str] = {}
    for column, targets in table.items():
        for target in targets if isinstance(targets, list) else [targets]:
            if target not in FIELDS:
                raise _fail(f"[columns] 中列 {column!r} 的字段 {target!r} 未知；可用字段：{', '.join(FIELDS)}",
                            "columns")
            if target in source_of:
                raise _fail(f"[columns] 中有多个列映射到字段 {target!r}", "columns")
            source_of[target] = str(column)
    return source_of


def _check_columns(source_of: dict[str, str], defaults: dict[str, str], title_n: int | None) -> None:
    seen = set(source_of)
    unknown_defaults = [f for f in defaults if f not in FIELDS]
    if unknown_defaults:
        raise _fail(f"[defaults] 中的字段 {unknown_defaults[0]!r} 未知", "defaults")
    available = seen | set(defaults)
    if "description" not in available:
        raise _fail("必须有一列映射到 description（诉求内容）", "columns")
    if "title" not in available and not title_n:
        raise _fail("没有 title 列时，请设置 title_from_description = N（取诉求内容前 N 字作标题）", "columns")
    if ("lng" in seen) != ("lat" in seen):
        raise _fail("lng 和 lat 需同时映射", "columns")


def _check_options(raw: dict[str, Any]) -> None:
    extra = sorted(set(raw) - OPTIONS)
    if extra:
        raise _fail(f"未知的设置 {extra[0]!r}；可用设置：{', '.join(sorted(OPTIONS))}", extra[0])
    if raw.get("format") is not None and raw["format"] not in FORMATS:
        raise _fail(f"format 应为 {' / '.join(FORMATS)}", "format")
    if raw.get("category_by", "code") not in ("code", "name"):
        raise _fail("category_by 应为 code 或 name", "category_by")
    if raw.get("unknown_category", "error") not in ("error", "uncategorised"):
        raise _fail("unknown_category 应为 error 或 uncategorised", "unknown_category")
    formats = raw.get("date_formats", [])
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        raise _fail("date_formats 应为 strftime 格式的列表，如 [\"%Y/%m/%d %H:%M\"]", "date_formats")
    try:
        zoneinfo.ZoneInfo(str(raw.get("timezone", "Asia/Shanghai")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise _fail(f"未知的时区 {raw.get('timezone')!r}", "timezone") from e
    n = raw.get("title_from_description")
    if n is not None and (not isinstance(n, int) or not 1 <= n <= 200):
        raise _fail("title_from_description 应为 1 到 200 之间的整数", "title_from_description")


def parse(raw: dict[str, Any]) -> Mapping:
    """A validated mapping from a TOML document's data (or an import job's stored copy)."""
    _check_options(raw)
    columns = _columns(raw)
    defaults = _str_table(raw, "defaults")
    urgency_map = _str_table(raw, "urgency_map")
    bad = [v for v in [*list(urgency_map.values()), defaults.get("urgency", "normal")] if v not in Urgency.values]
    if bad:
        raise _fail(f"紧急程度 {bad[0]!r} 无效，应为 {' / '.join(Urgency.values)}", "urgency_map")
    location = raw.get("location", {})
    outside = location.get("outside_city", "reject") if isinstance(location, dict) else None
    if outside not in ("reject", "keep_unlocated"):
        raise _fail("[location] outside_city 应为 reject 或 keep_unlocated", "location")
    _check_columns(columns, defaults, raw.get("title_from_description"))
    return Mapping(
        source_of=columns, format=raw.get("format"), sheet=raw.get("sheet"),
        date_formats=tuple(raw.get("date_formats", [])), timezone=str(raw.get("timezone", "Asia/Shanghai")),
        category_by=raw.get("category_by", "code"), unknown_category=raw.get("unknown_category", "error"),
        title_from_description=raw.get("title_from_description"),
        category_map=_str_table(raw, "category_map"), urgency_map=urgency_map, defaults=defaults,
        outside_city=outside,
    )


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _fail(f"TOML 语法错误：{e}") from e


def load(path_or_name: str | Path) -> tuple[dict[str, Any], Mapping]:
    """A mapping file by path, or a shipped mapping by name (``hotline_12345`` → mappings/hotline_12345.toml)."""
    path = Path(path_or_name)
    if not path.exists():
        shipped = MAPPINGS_DIR / f"{path_or_name}.toml"
        if not shipped.exists():
            raise _fail(f"找不到映射文件 {path_or_name}（可用内置映射：{', '.join(shipped_names())}）")
        path = shipped
    raw = load_toml(path.read_text(encoding="utf-8-sig"))
    return raw, parse(raw)


def shipped_names() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))

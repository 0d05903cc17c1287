"""One source row → a validated matter (``BulkCase``) or the errors that name its row and field."""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import zoneinfo
from dataclasses import dataclass, field

from fengqiao.cases.models import Category, Urgency
from fengqiao.cases.services.register import PartyInput
from fengqiao.cases.services.register_bulk import BulkCase
from fengqiao.intake.mapping import Mapping
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock
from fengqiao.kit.validators import id_number_error, phone_error

MAX_TITLE = 200
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # older "dates" are typos or placeholders
FUTURE_TOLERANCE = dt.timedelta(minutes=10)  # senders' clocks drift a little; more is a wrong date
MAX_DESCRIPTION = 10_000
URGENCY_WORDS = {"一般": "normal", "普通": "normal", "紧急": "urgent", "特急": "very_urgent"}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str
    raw: dict[str, str]


@dataclass
class Context:
    """What validating rows needs, looked up once per job (categories and grids lazily, cached)."""

    channel: str
    mapping: Mapping
    tz: zoneinfo.ZoneInfo = field(init=False)
    _categories: dict[str, int | None] = field(default_factory=dict)
    _grids: dict[int, tuple[int | None, int | None, int | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tz = zoneinfo.ZoneInfo(self.mapping.timezone)

    def category_id(self, value: str) -> int | None:
        """Our category for a source value: mapped (exact, then glob), then by code or by name/path."""
        target = self.mapping.category_map.get(value)
        if target is None:
            target = next((t for pattern, t in self.mapping.category_map.items()
                           if any(ch in pattern for ch in "*?[") and fnmatch.fnmatchcase(value, pattern)), value)
        if target not in self._categories:
            self._categories[target] = _find_category(target, self.mapping.category_by)
        return self._categories[target]

    def ancestors(self, grid_id: int) -> tuple[int | None, int | None, int | None]:
        """(community, street, district) of a grid."""
        if grid_id not in self._grids:
            grid = Area.objects.select_related("parent__parent__parent").get(pk=grid_id)
            levels = {level: area.pk for level, area in geo.ancestors(grid).items()}
            self._grids[grid_id] = (levels.get(Level.COMMUNITY), levels.get(Level.STREET),
                                    levels.get(Level.DISTRICT))
        return self._grids[grid_id]


def _find_category(target: str, by: str) -> int | None:
    active = Category.objects.filter(active=True)
    found = active.filter(code=target).values_list("pk", flat=True).first()
    if found is not None or by == "code":
        return found
    parts = [p.strip() for p in target.split("/") if p.strip()]
    if not parts:
        return None
    matches = list(active.filter(name=parts[-1]).select_related("parent__parent"))
    if len(parts) > 1:
        matches = [c for c in matches if _path(c)[-len(parts):] == parts]
    if matches:  # a name on several levels (交通运输 / 交通运输): the most general one
        top = min(c.level for c in matches)
        matches = [c for c in matches if c.level == top]
    if len(matches) != 1:
        return None  # unknown or ambiguous: the caller reports it (a path "一级/二级" disambiguates)
    return matches[0].pk


def _path(category: Category) -> list[str]:
    names: list[str] = []
    node: Category | None = category
    while node is not None:
        names.insert(0, node.name)
        node = node.parent
    return names


def parse_date(text: str, ctx: Context) -> dt.datetime | None:
    value = text.strip()
    for fmt in ctx.mapping.date_formats:
        try:
            parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
            break
        except ValueError:
            continue
    else:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not parsed.tzinfo:
        return parsed.replace(tzinfo=ctx.tz)
    try:  # the same instant in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL stores up to ±15:59
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        return None


class _Row:
    """Reads mapped fields from one raw row and collects its errors."""

    def __init__(self, ctx: Context, number: int, raw: dict[str, str]) -> None:
        self.ctx, self.number, self.raw = ctx, number, raw
        self.source = ctx.mapping.source_of
        self.errors: list[RowError] = []

    def get(self, name: str) -> str:
        column = self.source.get(name)
        value = (self.raw.get(column) or "").strip() if column else ""
        return value or self.ctx.mapping.defaults.get(name, "")

    def error(self, name: str, message: str) -> None:
        column = self.source.get(name)
        label = f"{name}（列「{column}」）" if column else name
        self.errors.append(RowError(self.number, name, f"第 {self.number} 行 {label}：{message}", self.raw))


def _texts(r: _Row) -> tuple[str, str]:
    description = r.get("description")
    if not description:
        r.error("description", "诉求内容为空")
    elif len(description) > MAX_DESCRIPTION:
        r.error("description", f"诉求内容超过 {MAX_DESCRIPTION} 字（{len(description)} 字）")
    title = r.get("title")
    n = r.ctx.mapping.title_from_description
    if not title and n:
        title = " ".join(description.split())[:n]
    if not title and description:
        r.error("title", "标题为空")
    elif len(title) > MAX_TITLE:
        r.error("title", f"标题超过 {MAX_TITLE} 字（{len(title)} 字）")
    return title, description


def _point(r: _Row) -> tuple[float | None, float | None, int | None]:
    lng_text, lat_text = r.get("lng"), r.get("lat")
    if not lng_text and not lat_text:
        return None, None, None
    try:
        lng, lat = float(lng_text), float(lat_text)
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise ValueError
    except ValueError:
        r.error("lng", f"经纬度不是数字（{lng_text!r}, {lat_text!r}）")
        return None, None, None
    grid_id = geo.grid_at(lng, lat) if -180 <= lng <= 180 and -90 <= lat <= 90 else None
    if grid_id is None:
        if r.ctx.mapping.outside_city == "keep_unlocated":
            return None, None, None
        r.error("lng", f"坐标 ({lng}, {lat}) 不在本市任何网格内")
    return lng, lat, grid_id


def _classification(r: _Row) -> tuple[int | None, str]:
    category_id = None
    if value := r.get("category"):
        category_id = r.ctx.category_id(value)
        if category_id is None and r.ctx.mapping.unknown_category == "error":
            r.error("category", f"未知的分类 {value!r}")
    urgency_text = r.get("urgency") or Urgency.NORMAL
    urgency = r.ctx.mapping.urgency_map.get(urgency_text) or URGENCY_WORDS.get(urgency_text, urgency_text)
    if urgency not in Urgency.values:
        r.error("urgency", f"紧急程度 {urgency_text!r} 无效（一般 / 紧急 / 特急）")
    return category_id, urgency


def _reporter(r: _Row) -> list[PartyInput]:
    name, phone, id_number = r.get("reporter_name"), r.get("reporter_phone"), r.get("reporter_id_number")
    if message := phone_error(phone):
        r.error("reporter_phone", message)
    if message := id_number_error(id_number.upper()):
        r.error("reporter_id_number", message)
    if not (name or phone or id_number):
        return []
    return [PartyInput(name=name or "（未留姓名）", phone=phone, id_number=id_number)]


def validate(ctx: Context, number: int, raw: dict[str, str]) -> BulkCase | list[RowError]:
    if "__error__" in raw:
        return [RowError(number, "row", raw["__error__"], {})]
    r = _Row(ctx, number, raw)
    for name in ctx.mapping.source_of:  # PostgreSQL cannot store NUL: a row carrying one is refused, by field
        if "\x00" in r.get(name):
            r.error(name, "含有空字符（NUL, \\x00），无法保存：请检查导出文件")
    if r.errors:
        return r.errors
    title, description = _texts(r)
    category_id, urgency = _classification(r)
    lng, lat, grid_id = _point(r)
    parties = _reporter(r)
    external_ref = r.get("external_id") or None
    if external_ref and len(external_ref) > 64:
        r.error("external_id", "外部编号超过 64 字")
    at = None
    if when := r.get("reported_at"):
        at = parse_date(when, ctx)
        if at is None:
            r.error("reported_at", f"无法识别的日期 {when!r}")
        elif at < EARLIEST:
            r.error("reported_at", f"日期 {when!r} 早于 2000 年，请核对")
        elif at > clock.now() + FUTURE_TOLERANCE:
            r.error("reported_at", f"日期 {when!r} 在未来，请核对")
    if r.errors:
        return r.errors
    item = BulkCase(row=number, channel=ctx.channel, title=title, description=description,
                    external_ref=external_ref, category_id=category_id, urgency=urgency,
                    address=r.get("address"), lng=lng, lat=lat, registered_at=at, parties=parties)
    if grid_id is not None:
        place(ctx, item, grid_id)
    return item


def place(ctx: Context, item: BulkCase, grid_id: int) -> None:
    item.grid_id = grid_id
    item.community_id, item.street_id, item.district_id = ctx.ancestors(grid_id)

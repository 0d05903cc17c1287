"""Importing units (职能部门, 镇街, 指挥中心 …) from GeoJSON or CSV, with the same rules as the tree.

Columns: code, name, short_name, kind, level, area_code, parent_code, phone, active.  The area must
already exist; an empty level means the level of the area.  Parent units are written before their
children (a cycle is reported, not written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.jurisdictions.imports import BATCH_SIZE, BadRecord, level_label
from fengqiao.jurisdictions.io import guess_format, read_records
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.jurisdictions.report import ImportReport, Progress, batches, text

_KINDS = {k.value: k.value for k in UnitKind} | {str(k.label): k.value for k in UnitKind}
_LEVELS = {lv.value: lv.value for lv in Level} | {str(lv.label): lv.value for lv in Level}
_TRUE = {"1", "true", "yes", "y", "是", "启用", "t"}
_FALSE = {"0", "false", "no", "n", "否", "停用", "f"}
_FIELDS = ["name", "short_name", "kind", "level", "area", "parent", "phone", "active"]


@dataclass
class UnitRow:
    number: int
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    area_code: str
    parent_code: str
    phone: str
    active: bool


def _active(raw: Any) -> bool:
    if raw is None or raw == "":
        return True
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise BadRecord(_("启用“%(value)s”须为 1/0、true/false 或 是/否") % {"value": raw})


def _clean(fields: dict[str, Any], number: int, areas: dict[str, tuple[int, str]]) -> UnitRow:
    if "__error__" in fields:
        raise BadRecord(fields["__error__"])
    code, name = text(fields, "code"), text(fields, "name")
    if not code or len(code) > 32:
        raise BadRecord(_("编码为空或超过 32 个字符"))
    if not name or len(name) > 100:
        raise BadRecord(_("名称为空或超过 100 个字符"))
    kind = _KINDS.get(text(fields, "kind"))
    if kind is None:
        raise BadRecord(_("类型“%(kind)s”未知（可用：%(known)s）")
                        % {"kind": text(fields, "kind"), "known": ", ".join(UnitKind.values)})
    area_code = text(fields, "area_code")
    if area_code not in areas:
        raise BadRecord(
            _("服务区域 %(code)s 不存在") % {"code": area_code} if area_code else _("缺少服务区域编码")
        )
    raw_level = text(fields, "level")
    level = _LEVELS.get(raw_level) if raw_level else areas[area_code][1]
    if level is None:
        raise BadRecord(_("层级“%(level)s”未知（可用：%(known)s）")
                        % {"level": raw_level, "known": ", ".join(Level.values)})
    if level != areas[area_code][1]:
        raise BadRecord(_("层级为%(level)s，但服务区域 %(code)s 是%(area_level)s") % {
            "level": level_label(level), "code": area_code, "area_level": level_label(areas[area_code][1])})
    short_name, phone = text(fields, "short_name"), text(fields, "phone")
    if len(short_name) > 40 or len(phone) > 30:
        raise BadRecord(_("简称超过 40 个字符或电话超过 30 个字符"))
    return UnitRow(number, code, name, short_name, kind, level, area_code, text(fields, "parent_code"),
                   phone, _active(fields.get("active")))


def _parents_first(rows: list[UnitRow], report: ImportReport, known: set[str]) -> list[UnitRow]:
    """Rows ordered so that a parent comes before its children; orphans and cycles are reported."""
    pending = {r.code: r for r in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()
    progress = True
    while pending and progress:
        progress = False
        for code, row in list(pending.items()):
            if row.parent_code == row.code:
                continue
            if not row.parent_code or row.parent_code in placed or (
                row.parent_code in known and row.parent_code not in pending
            ):
                ordered.append(row)
                placed.add(code)
                del pending[code]
                progress = True
    for row in sorted(pending.values(), key=lambda r: r.number):
        in_file = row.parent_code in pending or row.parent_code == row.code
        message = _("上级单位 %(code)s 构成循环或本身有错误") if in_file else _("上级单位 %(code)s 不存在")
        report.bad(row.number, row.code, message % {"code": row.parent_code})
    return ordered


def _write(batch: list[UnitRow], units: dict[str, Unit], areas: dict[str, tuple[int, str]]) -> None:
    """Rows come parents first: a new unit is saved at once, so that a child later in the batch finds it."""
    updated: list[Unit] = []
    for row in batch:
        unit = units.get(row.code) or Unit(code=row.code)
        unit.name, unit.short_name, unit.kind, unit.level = row.name, row.short_name, row.kind, row.level
        unit.area_id = areas[row.area_code][0]
        unit.parent = units.get(row.parent_code) if row.parent_code else None
        unit.phone, unit.active = row.phone, row.active
        if unit.pk:
            updated.append(unit)
        else:
            unit.save()
            units[unit.code] = unit
    Unit.objects.bulk_update(updated, _FIELDS)


def _state(unit: Unit) -> tuple[Any, ...]:
    return (unit.name, unit.short_name, unit.kind, unit.level, unit.area.code,
            unit.parent.code if unit.parent else "", unit.phone, unit.active)


def _row_state(row: UnitRow) -> tuple[Any, ...]:
    return (row.name, row.short_name, row.kind, row.level, row.area_code, row.parent_code, row.phone,
            row.active)


def import_units(data: bytes, *, fmt: str | None = None, filename: str = "", dry_run: bool = False,
                 batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> ImportReport:
    required = ["code", "name", "kind", "area_code"]
    records = read_records(data, fmt or guess_format(filename, data), required=required)
    report = ImportReport(total=len(records), dry_run=dry_run)
    area_codes = {text(r.fields, "area_code") for r in records}
    found = Area.objects.filter(code__in=area_codes).values_list("code", "id", "level")
    areas = {c: (i, lv) for c, i, lv in found}
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for record in records:
        code = text(record.fields, "code")
        if code in seen:
            report.bad(record.number, code, _("编码重复：与第 %(n)s 行相同") % {"n": seen[code]})
            continue
        seen.setdefault(code, record.number)
        try:
            rows.append(_clean(record.fields, record.number, areas))
        except BadRecord as exc:
            report.bad(record.number, code, str(exc))
    units = {u.code: u for u in Unit.objects.select_related("area", "parent")}
    todo = []
    for row in _parents_first(rows, report, set(units)):
        if row.code not in units:
            report.created += 1
            todo.append(row)
        elif _state(units[row.code]) != _row_state(row):
            report.updated += 1
            todo.append(row)
        else:
            report.unchanged += 1
    if progress:
        progress(report.unchanged + len(report.errors))
    for batch in batches(todo, batch_size):
        if not dry_run:
            with transaction.atomic():
                _write(batch, units, areas)
        if progress:
            progress(len(batch))
    report.errors.sort(key=lambda e: e.number)
    return report

"""Importing the jurisdiction tree from GeoJSON or CSV (DESIGN rule 8).

Every record is checked; good ones are written, bad ones reported by number with the reason.  The code
is the key: a re-run updates what changed and leaves the rest untouched, so a file can be imported again
after a crash (each batch commits on its own) and the job finishes with nothing lost or doubled.  Parents
are written before children whatever the order of the file.  Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from fengqiao.jurisdictions import aliases, geo
from fengqiao.jurisdictions.boundaries import BoundaryError, centroid, clean_boundary
from fengqiao.jurisdictions.io import guess_format, read_records
from fengqiao.jurisdictions.models import LEVEL_ORDER, Area, Level
from fengqiao.jurisdictions.report import ImportReport, Progress, batches, parse_population, text

BATCH_SIZE = 500
_LEVELS = {lv.value: lv for lv in LEVEL_ORDER} | {str(lv.label): lv for lv in LEVEL_ORDER}
_FIELDS = ["name", "level", "parent", "path", "population", "aliases", "geometry", "centroid_lng", "centroid_lat"]


class BadRecord(ValueError):
    pass


@dataclass
class AreaRow:
    number: int
    code: str
    name: str
    level: Level
    parent_code: str
    population: int | None
    geometry: dict[str, Any] | None
    aliases: list[str] | None = None  # None: the file has no aliases column, the area's stay as they are


def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level


def _clean(fields: dict[str, Any], number: int, repair: bool) -> AreaRow:
    if "__error__" in fields:
        raise BadRecord(fields["__error__"])
    code, name, raw_level = text(fields, "code"), text(fields, "name"), text(fields, "level")
    if not code:
        raise BadRecord(_("编码为空"))
    if len(code) > 32 or "/" in code:
        raise BadRecord(_("编码须不超过 32 个字符且不含“/”"))
    if not name:
        raise BadRecord(_("名称为空"))
    if len(name) > 100:
        raise BadRecord(_("名称超过 100 个字符"))
    level = _LEVELS.get(raw_level.lower()) or _LEVELS.get(raw_level)
    if level is None:
        raise BadRecord(_("层级“%(level)s”未知（可用：%(known)s）")
                        % {"level": raw_level, "known": ", ".join(Level.values)})
    try:
        population = parse_population(fields.get("population"))
    except (ValueError, TypeError) as exc:
        raise BadRecord(_("人口“%(value)s”不是非负整数") % {"value": fields.get("population")}) from exc
    try:
        geometry = clean_boundary(fields.get("geometry"), repair=repair)
    except BoundaryError as exc:
        raise BadRecord(str(exc)) from exc
    try:
        names = aliases.parse(fields["aliases"]) if "aliases" in fields else None
    except aliases.AliasError as exc:
        raise BadRecord(str(exc)) from exc
    return AreaRow(number, code, name, level, text(fields, "parent_code"), population, geometry, names)


def _load(codes: Iterable[str]) -> dict[str, Area]:
    found: dict[str, Area] = {}
    wanted = sorted(set(codes))
    for chunk in batches(wanted, 500):
        for area in Area.objects.filter(code__in=chunk).select_related("parent"):
            found[area.code] = area
    return found


class _Plan:
    """Decides, row by row in level order, whether a row is good, and what it would change."""

    def __init__(self, rows: list[AreaRow], bad_codes: dict[str, int], report: ImportReport) -> None:
        self.report = report
        self.bad_codes = bad_codes
        self.existing = _load([r.code for r in rows] + [r.parent_code for r in rows if r.parent_code])
        relevelled = [r.code for r in rows
                      if r.code in self.existing and self.existing[r.code].level != r.level]
        self.has_children = set(
            Area.objects.filter(parent__code__in=relevelled).values_list("parent__code", flat=True)
        ) if relevelled else set()
        self.good: dict[str, AreaRow] = {}
        self.create: list[AreaRow] = []
        self.update: list[AreaRow] = []

    def _parent_problem(self, row: AreaRow) -> str | None:
        index = LEVEL_ORDER.index(row.level)
        if index == 0:
            return _("市级区域不应有上级") if row.parent_code else None
        if not row.parent_code:
            return _("缺少上级编码")
        parent = self.good.get(row.parent_code)
        parent_level = parent.level if parent else getattr(self.existing.get(row.parent_code), "level", None)
        if parent_level is None:
            if row.parent_code in self.bad_codes:
                return _("上级 %(code)s（第 %(n)s 行）有错误") % {
                    "code": row.parent_code, "n": self.bad_codes[row.parent_code]}
            return _("上级 %(code)s 不存在") % {"code": row.parent_code}
        expected = LEVEL_ORDER[index - 1]
        if parent_level != expected:
            return _("上级 %(code)s 是%(actual)s，%(level)s的上级须为%(expected)s") % {
                "code": row.parent_code, "actual": level_label(parent_level),
                "level": level_label(row.level), "expected": level_label(expected)}
        return None

    def consider(self, row: AreaRow) -> None:
        problem = self._parent_problem(row)
        if problem is None and row.code in self.has_children:
            problem = _("已有下级区域，不能改为%(level)s") % {"level": level_label(row.level)}
        if problem is not None:
            self.report.bad(row.number, row.code, problem)
            self.bad_codes[row.code] = row.number
            return
        self.good[row.code] = row
        current = self.existing.get(row.code)
        if current is None:
            self.create.append(row)
        elif (current.name, current.level, current.parent.code if current.parent else "", current.population,
              current.geometry) != (row.name, row.level, row.parent_code, row.population, row.geometry) or (
                row.aliases is not None and list(current.aliases or []) != row.aliases):
            self.update.append(row)
        else:
            self.report.unchanged += 1


def _set_boundary(area: Area, geometry: dict[str, Any] | None) -> None:
    area.geometry = geometry
    area.centroid_lng, area.centroid_lat = centroid(geometry) if geometry else (None, None)


def rewrite_descendant_paths(old: str, new: str) -> int:
    """After an area moved from path ``old`` to ``new``: the same move for everything under it."""
    return Area.objects.filter(path__startswith=f"{old}/").update(
        path=Concat(Value(new), Substr("path", len(old) + 1))
    )


def _move_descendants(areas: dict[str, Area], old: str, new: str) -> None:
    rewrite_descendant_paths(old, new)
    for area in areas.values():
        if area.path.startswith(f"{old}/"):
            area.path = new + area.path[len(old):]


def _write_batch(plan: _Plan, areas: dict[str, Area], create: list[AreaRow], update: list[AreaRow]) -> None:
    new = []
    for row in create:
        parent = areas.get(row.parent_code) if row.parent_code else None
        area = Area(code=row.code, name=row.name, level=row.level, parent=parent, population=row.population,
                    aliases=row.aliases or [], path=f"{parent.path}/{row.code}" if parent else row.code)
        _set_boundary(area, row.geometry)
        new.append(area)
    Area.objects.bulk_create(new)
    areas.update({a.code: a for a in new})
    moved: list[tuple[str, str]] = []
    for row in update:
        area = plan.existing[row.code]
        parent = areas.get(row.parent_code) if row.parent_code else None
        old_path = area.path
        area.name, area.level, area.parent, area.population = row.name, row.level, parent, row.population
        if row.aliases is not None:
            area.aliases = row.aliases
        area.path = f"{parent.path}/{row.code}" if parent else row.code
        if area.geometry != row.geometry:
            _set_boundary(area, row.geometry)
        if area.path != old_path:
            moved.append((old_path, area.path))
    Area.objects.bulk_update([plan.existing[r.code] for r in update], _FIELDS)
    for old, new_path in moved:
        _move_descendants(areas, old, new_path)


def import_areas(data: bytes, *, fmt: str | None = None, filename: str = "", dry_run: bool = False,
                 repair: bool = False, batch_size: int = BATCH_SIZE,
                 progress: Progress | None = None) -> ImportReport:
    """Import a tree file; raises io.FileFormatError when the file as a whole cannot be read."""
    records = read_records(data, fmt or guess_format(filename, data), required=["code", "name", "level"])
    report = ImportReport(total=len(records), dry_run=dry_run)
    rows: list[AreaRow] = []
    first_seen: dict[str, int] = {}
    bad_codes: dict[str, int] = {}
    for record in records:
        code = text(record.fields, "code")
        if code and code in first_seen:
            report.bad(record.number, code, _("编码重复：与第 %(n)s 行相同") % {"n": first_seen[code]})
            continue
        if code:
            first_seen[code] = record.number
        try:
            rows.append(_clean(record.fields, record.number, repair))
        except BadRecord as exc:
            report.bad(record.number, code, str(exc))
            if code:
                bad_codes[code] = record.number
    rows.sort(key=lambda r: (LEVEL_ORDER.index(r.level), r.number))
    plan = _Plan(rows, bad_codes, report)
    for row in rows:
        plan.consider(row)
    report.created, report.updated = len(plan.create), len(plan.update)
    if progress:
        progress(report.unchanged + len(report.errors))
    areas = dict(plan.existing)
    for level in LEVEL_ORDER:
        todo = [("c", r) for r in plan.create if r.level == level] + [("u", r) for r in plan.update
                                                                       if r.level == level]
        for batch in batches(todo, batch_size):
            if not dry_run:
                with transaction.atomic():
                    _write_batch(plan, areas, [r for k, r in batch if k == "c"],
                                 [r for k, r in batch if k == "u"])
            if progress:
                progress(len(batch))
    if not dry_run and (plan.create or plan.update):
        geo.invalidate()
    report.errors.sort(key=lambda e: e.number)
    return report

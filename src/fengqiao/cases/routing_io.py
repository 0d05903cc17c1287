"""Routing rules as CSV, for a new city (docs/routing.md; the patterns of jurisdictions/imports.py).

Columns: ``category_code, area_code, lead_unit_code, assisting_unit_codes, auto_dispatch, active, note``
(the export adds ``category_name, area_name, lead_unit_name`` for reading; the import ignores them).
``assisting_unit_codes`` are joined by ``、`` or ``;``; booleans are 1/0, 是/否, true/false, yes/no.
The key is (category_code, area_code): a re-run updates what changed and leaves the rest; good rows are
written, bad rows reported by number (the header is row 1) with the reason; nothing is deleted.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.cases.models import Category
from fengqiao.cases.routing_models import RoutingRule
from fengqiao.jurisdictions.io import read_records
from fengqiao.jurisdictions.models import Area, Unit
from fengqiao.jurisdictions.report import ImportReport, RowError, parse_bool, text

COLUMNS = ["category_code", "area_code", "lead_unit_code", "assisting_unit_codes", "auto_dispatch", "active",
           "note"]
EXPORT_COLUMNS = [*COLUMNS, "category_name", "area_name", "lead_unit_name"]
REQUIRED = ["category_code", "area_code", "lead_unit_code"]



@dataclass
class RuleRow:
    number: int
    category: Category
    area: Area
    lead: Unit
    assisting: list[Unit]
    auto_dispatch: bool
    active: bool
    note: str


def export_rules(out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rules = (RoutingRule.objects.select_related("category", "area", "lead_unit").prefetch_related("assisting_units")
             .order_by("category__code", "area__path"))
    count = 0
    for r in rules:
        assisting = "、".join(sorted(u.code for u in r.assisting_units.all()))
        writer.writerow([r.category.code, r.area.code, r.lead_unit.code, assisting, int(r.auto_dispatch),
                         int(r.active), r.note, r.category.name, r.area.name, r.lead_unit.name])
        count += 1
    return count




class _Lookup:
    def __init__(self, records: list[dict[str, str]]) -> None:
        cats = {text(r, "category_code") for r in records}
        areas = {text(r, "area_code") for r in records}
        units = {text(r, "lead_unit_code") for r in records}
        for r in records:
            units |= set(_codes(text(r, "assisting_unit_codes")))
        self.categories = {c.code: c for c in Category.objects.filter(code__in=sorted(cats))}
        self.areas = {a.code: a for a in Area.objects.filter(code__in=sorted(areas))}
        self.units = {u.code: u for u in Unit.objects.filter(code__in=sorted(units))}

    def row(self, number: int, fields: dict[str, str]) -> RuleRow:
        if "__error__" in fields:
            raise RowError(fields["__error__"])
        code, area_code, lead_code = (text(fields, k) for k in REQUIRED)
        if not code or not area_code or not lead_code:
            raise RowError(_("分类编码、地区编码和主办单位编码都不能为空"))
        category = self.categories.get(code)
        if category is None:
            raise RowError(_("分类 %(code)s 不存在") % {"code": code})
        area = self.areas.get(area_code)
        if area is None:
            raise RowError(_("地区 %(code)s 不存在") % {"code": area_code})
        lead = self.units.get(lead_code)
        if lead is None or not lead.active:
            raise RowError(_("主办单位 %(code)s 不存在或已停用") % {"code": lead_code})
        assisting = []
        for c in _codes(text(fields, "assisting_unit_codes")):
            unit = self.units.get(c)
            if unit is None or not unit.active:
                raise RowError(_("协办单位 %(code)s 不存在或已停用") % {"code": c})
            if unit.pk != lead.pk and unit not in assisting:
                assisting.append(unit)
        note = text(fields, "note")
        if len(note) > 200:
            raise RowError(_("备注超过 200 字"))
        return RuleRow(number, category, area, lead, assisting,
                       parse_bool(text(fields, "auto_dispatch"), "auto_dispatch", False),
                       parse_bool(text(fields, "active"), "active", True), note)


def _codes(raw: str) -> list[str]:
    return [c for c in (p.strip() for p in re.split(r"[、;；,，\s]+", raw)) if c]


def import_rules(data: bytes, *, dry_run: bool = False) -> ImportReport:
    """Check every row, write the good ones (one transaction), report the bad ones by row number."""
    records = read_records(data, "csv", REQUIRED)
    report = ImportReport(total=len(records), dry_run=dry_run)
    lookup = _Lookup([r.fields for r in records])
    rows: list[RuleRow] = []
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        key = (text(record.fields, "category_code"), text(record.fields, "area_code"))
        try:
            if key in seen:
                raise RowError(_("与第 %(row)s 行重复（同一分类和地区）") % {"row": seen[key]})
            rows.append(lookup.row(record.number, record.fields))
            seen[key] = record.number
        except RowError as exc:
            report.bad(record.number, "×".join(key), str(exc))
    with transaction.atomic():
        for row in rows:
            _write(row, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(row: RuleRow, report: ImportReport) -> None:
    rule = RoutingRule.objects.filter(category=row.category, area=row.area).first()
    wanted = {"lead_unit_id": row.lead.pk, "auto_dispatch": row.auto_dispatch, "active": row.active,
              "note": row.note}
    assisting = sorted(u.pk for u in row.assisting)
    if rule is None:
        rule = RoutingRule.objects.create(category=row.category, area=row.area, **wanted)
        rule.assisting_units.set(assisting)
        report.created += 1
        return
    current = sorted(rule.assisting_units.values_list("pk", flat=True))
    if all(getattr(rule, k) == v for k, v in wanted.items()) and current == assisting:
        report.unchanged += 1
        return
    for k, v in wanted.items():
        setattr(rule, k, v)
    rule.save()
    rule.assisting_units.set(assisting)
    report.updated += 1

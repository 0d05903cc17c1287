"""``fengqiao mediation subsidies --month YYYY-MM [--xlsx PATH] [--json]`` · ``fengqiao mediation figures
[--from YYYY-MM] [--to YYYY-MM] [--district CODE] [--kind CODE] [--json]``

City-wide (no reader's scope: the command is the administrator's).  ``subsidies`` prints each mediator's
statement for the month (or one JSON object per mediator with ``--json``) and, with ``--xlsx``, writes the
same workbook as the page's export (a progress bar while the case lines are written).  ``figures`` prints
the figures page's numbers; ``--json`` one JSON object.  Definitions: docs/mediation/figures.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.http import QueryDict
from tqdm import tqdm

from fengqiao.analytics.formula import parse_month
from fengqiao.kit.errors import DomainError
from fengqiao.mediation import figures, subsidies
from fengqiao.mediation.subsidy_excel import workbook
from fengqiao.mediation.views_figures import parse_filters


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row_record(row: figures.Row) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, "concluded": row.concluded, "succeeded": row.succeeded,
            "rate": None if row.rate is None else round(row.rate, 4),
            "avg_days": None if row.days is None else round(row.days, 2),
            "avg_rating": None if row.rating is None else round(row.rating, 2), "rated": row.rated, **row.extra}


def figures_record(found: figures.Figures) -> dict[str, Any]:
    f = found.filters
    return {
        "from": f"{f.start:%Y-%m}", "to": f"{f.end:%Y-%m}", "district": f.district.code if f.district else None,
        "kind": f.kind.code if f.kind else None, "total": _row_record(found.total),
        "by_kind": [_row_record(r) for r in found.by_kind], "area_level": found.area_level,
        "by_area": [_row_record(r) for r in found.by_area], "by_mediator": [_row_record(r) for r in found.by_mediator],
        "unranked_mediators": found.unranked_mediators,
        "trend": [{"month": f"{p.month:%Y-%m}", "applied": p.applied, "concluded": p.concluded,
                   "succeeded": p.succeeded} for p in found.trend],
        "open": found.open_total, "open_unassigned": found.open_unassigned,
        "workload": [{"mediator_id": w.mediator_id, "mediator": w.name, "open": w.open, "max_load": w.max_load}
                     for w in found.workload],
        "ratings": dict(zip(["1", "2", "3", "4", "5"], found.ratings, strict=True)),
    }


class Command(BaseCommand):
    help = "Mediation figures (figures) and the monthly subsidy statements per mediator (subsidies)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        money = sub.add_parser("subsidies", help="a month's statement per mediator; --xlsx writes the workbook")
        money.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        money.add_argument("--xlsx", help="write the workbook (summary and case lines) to this path")
        money.add_argument("--json", action="store_true", help="one JSON object per mediator per line")
        numbers = sub.add_parser("figures", help="success rates, trend, workload and ratings")
        numbers.add_argument("--from", dest="start", default="", help="first month, YYYY-MM (12 months back)")
        numbers.add_argument("--to", dest="end", default="", help="last month, YYYY-MM (this month)")
        numbers.add_argument("--district", default="", help="a district's code")
        numbers.add_argument("--kind", default="", help="a mediation kind's code, e.g. peoples")
        numbers.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "subsidies":
            self._subsidies(options)
        else:
            self._figures(options)

    def _subsidies(self, options: dict[str, Any]) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        statement = subsidies.statement(Q(), month)
        if options["json"]:
            for row in statement.rows:
                self.stdout.write(json.dumps(subsidies.as_record(row), ensure_ascii=False))
        else:
            self.stdout.write(f"{month:%Y-%m} 个案补贴：{len(statement.rows)} 名调解员，"
                              f"办结 {statement.cases} 件（成功 {statement.succeeded}，不成 {statement.failed}），"
                              f"合计 {statement.total:,.2f} 元")
            for row in statement.rows:
                self.stdout.write(f"  {row.name}\t{row.unit}\t{row.cases} 件\t{row.total:,.2f}")
            if statement.without_mediator:
                self.stdout.write(f"另有 {statement.without_mediator} 件办结调解未登记调解员，不计补贴。")
        if options["xlsx"]:
            path = Path(options["xlsx"])
            if not path.parent.exists():
                raise CommandError(f"--xlsx：目录 {path.parent} 不存在。")
            with tqdm(total=statement.cases, unit="件", desc="明细", disable=None) as bar:

                def advance(n: int) -> None:
                    bar.update(n)

                body = workbook(statement, subsidies.lines(Q(), month), progress=advance)
            path.write_bytes(body)
            self.stderr.write(f"已写入 {path}（{len(body):,} 字节）")

    def _figures(self, options: dict[str, Any]) -> None:
        params = QueryDict(mutable=True)
        for name, key in (("from", "start"), ("to", "end"), ("district", "district"), ("kind", "kind")):
            if options[key]:
                params[name] = options[key]
        try:
            filters = parse_filters(params)
        except DomainError as error:
            raise CommandError(error.message) from None
        found = figures.figures(Q(), filters)
        if options["json"]:
            self.stdout.write(json.dumps(figures_record(found), ensure_ascii=False))
            return
        t = found.total
        self.stdout.write(f"{filters.start:%Y-%m} — {filters.end:%Y-%m}：办结 {t.concluded} 件，成功 {t.succeeded} 件，"
                          f"成功率 {_pct(t.rate)}；在办 {found.open_total} 件")
        for title, rows in (("调解类型", found.by_kind), ("区域", found.by_area),
                            ("调解员（前 20）", found.by_mediator[:20])):
            self.stdout.write(f"按{title}：")
            for r in rows:
                self.stdout.write(f"  {r.label}\t办结 {r.concluded}\t成功率 {_pct(r.rate)}")

"""`fengqiao coverage --month YYYY-MM [--json] [--street CODE]`: patrol coverage of every grid in a month.

With ``--json``: one JSON object per grid per line — ``grid`` (code), ``planned``, ``visited``, ``coverage``
(a fraction, or null when nothing was planned), ``grid_name``, ``street`` (code), ``street_name``,
``community``, ``overdue``, ``visits``, ``blind_spot`` and the median / p90 seconds from observation to report.
Without it, a table and the month's totals.  Definitions: docs/gridwork/coverage.md.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.analytics.formula import parse_month
from fengqiao.gridwork.coverage import GridCoverage, MonthCoverage, month_coverage
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def record(month: MonthCoverage, grid: GridCoverage) -> dict[str, Any]:
    return {
        "grid": grid.code, "grid_name": grid.name, "month": f"{month.month:%Y-%m}", "planned": grid.planned,
        "visited": grid.visited, "coverage": None if grid.coverage is None else round(grid.coverage, 4),
        "street": grid.street_code, "street_name": grid.street, "community": grid.community,
        "overdue": grid.overdue, "visits": grid.visits, "blind_spot": grid.blind,
        "report_p50_s": grid.report.p50_s, "report_p90_s": grid.report.p90_s,
    }


class Command(BaseCommand):
    help = "Patrol coverage (巡查覆盖率) of each grid for one month; one JSON object per grid with --json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--json", action="store_true", help="one JSON object per grid per line")
        parser.add_argument("--street", help="only the grids of this street (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if month > clock.today().replace(day=1):
            raise CommandError(f"{options['month']} 还没有到，没有巡查数据（--month 不能晚于本月）。")
        grids = Area.objects.filter(level=Level.GRID)
        if options["street"]:
            street = Area.objects.filter(code=options["street"].strip(), level=Level.STREET).first()
            if street is None:
                raise CommandError(f"--street：没有编码为 {options['street']} 的镇街。")
            grids = grids.filter(path__startswith=f"{street.path}/")
        began = time.perf_counter()
        tty = sys.stderr.isatty()
        if tty:
            sys.stderr.write(f"计算 {month:%Y-%m} 的巡查覆盖率…\r")
        result = month_coverage(month, grids)
        if tty:
            sys.stderr.write(f"{len(result.grids)} 个网格，用时 {time.perf_counter() - began:.1f} 秒        \n")
        if options["json"]:
            for grid in result.grids:
                self.stdout.write(json.dumps(record(result, grid), ensure_ascii=False))
            return
        self._table(result)

    def _table(self, result: MonthCoverage) -> None:
        note = f"（截至 {clock.localtime(result.as_of):%Y-%m-%d %H:%M}）" if result.current else ""
        self.stdout.write(f"{result.month:%Y-%m} 网格巡查覆盖率{note}，盲区线 {result.threshold * 100:.0f}%")
        self.stdout.write(f"{_pad('网格编码', 18)}{_pad('网格', 22)}{_pad('镇街', 14)}"
                          f"{'应巡':>6}{'已巡':>6}{'覆盖率':>7}{'超期':>6}{'走访':>6}  盲区")
        for grid in result.grids:
            self.stdout.write(f"{_pad(grid.code, 18)}{_pad(grid.name[:10], 22)}{_pad(grid.street[:6], 14)}"
                              f"{grid.planned:>8}{grid.visited:>8}{_pct(grid.coverage):>10}{grid.overdue:>8}"
                              f"{grid.visits:>8}  {'是' if grid.blind else ''}")
        total = result.total()
        self.stdout.write(f"合计 {total.grids} 个网格：应巡 {total.planned}，已巡 {total.visited}，"
                          f"覆盖率 {_pct(total.coverage)}，盲区 {total.blind} 个（其中无走访 {total.no_visit} 个），"
                          f"超期点位 {total.overdue}，走访 {total.visits} 次")

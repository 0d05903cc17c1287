"""``fengqiao cockpit rollup [--month 2026-11 …] [--force]``: compute the cockpit's rollups;
``fengqiao cockpit status``: which months are computed, when and over how many cases."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from fengqiao.analytics.formula import parse_month
from fengqiao.cockpit import rollup
from fengqiao.cockpit.models import FactMonth


class Command(BaseCommand):
    help = "领导驾驶舱的统计汇总：rollup 计算（只算过期的月份，--force 全部重算），status 查看"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("rollup", help="计算汇总（每月一个事务，可中断后重跑）")
        run.add_argument("--month", action="append", default=[], help="只算这些月份，如 2026-11（可重复）")
        run.add_argument("--force", action="store_true", help="不论新旧，全部重算")
        sub.add_parser("status", help="已计算的月份")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            for m in FactMonth.objects.order_by("month"):
                self.stdout.write(f"{m.month:%Y-%m}  {m.cases:>9} 件  {m.rows:>8} 行  {m.seconds:6.1f}s  "
                                  f"{m.computed_at:%Y-%m-%d %H:%M}")
            return
        try:
            months = [parse_month(text) for text in options["month"]] or rollup.months_with_cases()
        except ValueError as error:
            raise CommandError(str(error)) from error
        todo = months if options["force"] else rollup.stale(months)
        with tqdm(total=len(todo), unit="月", desc="汇总", disable=not todo) as bar:
            def advance(result: rollup.MonthResult) -> None:
                bar.set_postfix_str(f"{result.month:%Y-%m} {result.cases} 件")
                bar.update(1)

            done = rollup.ensure(todo, force=True, progress=advance)
        cases = sum(r.cases for r in done)
        skipped = len(months) - len(done)
        self.stdout.write(self.style.SUCCESS(f"汇总完成：{len(done)} 个月，{cases} 件，跳过未过期的 {skipped} 个月"))

"""``fengqiao hot_issues``: hot issues from a message file, or the system's job by hand.

    fengqiao hot_issues --csv messages_with_votes.csv [--top 5] [--json]   the top-N table (TipDM 2020 C-2)
    fengqiao hot_issues --refresh [--force]                              group the cities' recent cases now
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.intelligence import hot_csv, hot_issues


class Command(BaseCommand):
    help = "热点问题：从留言文件输出热度前 N 的问题表，或立即为各市重新归并近 30 天的事件。"

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--csv", help="留言文件 (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数)")
        what.add_argument("--refresh", action="store_true", help="group each due city's cases of the last 30 days")
        parser.add_argument("--top", type=int, default=5, help="rows of the table (default 5)")
        parser.add_argument("--json", action="store_true", help="one JSON line instead of the table")
        parser.add_argument("--force", action="store_true", help="with --refresh: every city, due or not")

    def handle(self, *args: object, **options: object) -> None:
        if options["refresh"]:
            self._refresh(bool(options["force"]))
            return
        top = options["top"]
        if not isinstance(top, int) or top < 1:
            raise CommandError("--top 必须是正整数")
        try:
            messages = hot_csv.read_messages(Path(str(options["csv"])))
        except hot_csv.CsvError as exc:
            raise CommandError(str(exc)) from None
        if not messages:
            raise CommandError(f"{options['csv']}: 没有留言")
        started = time.monotonic()
        rows = hot_csv.top_rows(messages, top)
        if options["json"]:
            self.stdout.write(hot_csv.format_json(rows))
            return
        self.stdout.write(hot_csv.format_table(rows))
        self.stderr.write(f"{len(messages)} 条留言，{time.monotonic() - started:.1f} 秒")

    def _refresh(self, force: bool) -> None:
        runs = hot_issues.refresh_due(force=force)
        if not runs:
            self.stdout.write("没有需要更新的城市（每个城市每小时最多计算一次；--force 强制）。")
        for run in runs:
            self.stdout.write(f"{run.city_id}: {run.cases} 件事件 → {run.issues} 个热点问题，{run.seconds:.1f} 秒")

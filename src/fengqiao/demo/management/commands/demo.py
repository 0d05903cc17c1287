"""``fengqiao demo``: a Taizhou-like city with a year of history, and its logins.

Idempotent: when the demo exists it only prints the logins; ``--reset`` wipes it and builds it again.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fengqiao.demo import build, geography
from fengqiao.demo.people import login_table, write_invites_file, write_login_file


class Command(BaseCommand):
    help = "生成演示数据：泰州式城市的区划、网格、单位、用户和一年的案件（已存在时只显示演示账号）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, default=200_000, help="案件数（默认 200000）")
        parser.add_argument("--mediations", type=int, default=None,
                            help="调解件数（默认为案件数的 15%%，即 200000 件案件时 30000 件）")
        parser.add_argument("--reset", action="store_true", help="删除已有演示数据后重建")
        parser.add_argument("--scale", choices=sorted(geography.SCALES), default="full",
                            help="区划规模：full = 约 90 个镇街、7000 个网格；small = 测试用的小城市")
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                            help="生成案件的进程数（默认 2；1 = 不另起进程）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成同样的城市）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 0 or (options["mediations"] or 0) < 0:
            raise CommandError("--cases 和 --mediations 不能为负数。")
        if build.exists():
            if not build.is_demo():
                raise CommandError("数据库中已有泰州市 (3212) 的非演示区划，演示数据不会覆盖它。")
            if not options["reset"]:
                self._logins("演示数据已存在，未做改动。如需重建请加 --reset。")
                return
            self.stdout.write("删除已有演示数据 …")
            started = time.perf_counter()
            build.wipe(self.stdout.write)
            self.stdout.write(f"  删除用时 {time.perf_counter() - started:.1f} s")
        self.stdout.write(f"生成演示数据：{options['cases']} 件案件，规模 {options['scale']} …")
        started = time.perf_counter()
        report = build.build(options["cases"], geography.SCALES[options["scale"]], options["seed"],
                             self.stdout.write, workers=max(1, options["workers"]),
                             mediations=options["mediations"])
        total = time.perf_counter() - started
        self.stdout.write(f"共用时 {total:.1f} s")
        self.stdout.write("数量：" + "，".join(f"{k} {v}" for k, v in sorted(report.counts.items())))
        self.stdout.write("数据来源：" + "；".join(report.sources))
        write_invites_file(report.invites)
        self._logins("")

    def _logins(self, heading: str) -> None:
        if heading:
            self.stdout.write(heading)
        text = login_table()
        path = write_login_file(text)
        self.stdout.write(text)
        self.stdout.write(f"（账号表已写入 {path}）")

"""``fengqiao dedup index [--since DAYS]``: (re)build the duplicate-search fingerprints (CaseBand rows)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fengqiao.cases.models import Case
from fengqiao.intelligence import dedup
from fengqiao.kit import clock


class Command(BaseCommand):
    help = "重复件检测：为案件建立（或重建）文本指纹（MinHash LSH 分段）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        p = sub.add_parser("index", help="fingerprint the cases (idempotent: a case's bands are rewritten)")
        p.add_argument("--since", type=int, metavar="DAYS", help="only cases registered in the last DAYS days")
        p.add_argument("--batch-size", type=int, default=dedup.BATCH, help="cases per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        since, batch = options["since"], options["batch_size"]
        if since is not None and since < 0:
            raise CommandError("--since 不能为负数。")
        if batch < 1:
            raise CommandError("--batch-size 至少为 1。")
        cases = Case.objects.all()
        if since is not None:
            cases = cases.filter(registered_at__gte=clock.now() - dt.timedelta(days=since))
        ids = list(cases.order_by("pk").values_list("pk", flat=True))
        started = time.perf_counter()
        rows = 0
        with tqdm(total=len(ids), unit="件", desc="指纹", disable=not ids) as bar:
            for start in range(0, len(ids), batch):
                chunk = ids[start:start + batch]
                rows += dedup.index_cases(chunk)
                bar.update(len(chunk))
        seconds = time.perf_counter() - started
        self.stdout.write(f"已建立 {len(ids)} 件案件的指纹（{rows} 行），用时 {seconds:.1f} s。")
        common = dedup.refresh_common()
        if common is None:
            self.stdout.write(f"案件少于 {dedup.COMMON_MIN_CASES} 件：暂不统计套话片段。")
        else:
            self.stdout.write(f"套话片段：最近 {common.sample_cases} 件中出现率 ≥ {common.min_share:.0%} 的 "
                              f"{len(common.shingles)} 个片段，比对时不计。")

"""`fengqiao ranking --month YYYY-MM [--json] [--refresh]`: the month's ranking, recomputed when stale."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.analytics import rollup
from fengqiao.analytics.formula import parse_month
from fengqiao.analytics.models import UnitMonth


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "Performance ranking (三率) of the units for one month; one JSON object per unit with --json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-10")
        parser.add_argument("--json", action="store_true", help="one JSON object per unit per line")
        parser.add_argument("--refresh", action="store_true", help="recompute even if the rollup is fresh")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        rollup.ensure_month(month, force=options["refresh"])
        rows = (UnitMonth.objects.filter(month=month).select_related("unit", "formula")
                .order_by("rank", "-score", "unit__code"))
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps({
                    "unit": row.unit.name, "unit_code": row.unit.code, "month": f"{month:%Y-%m}",
                    "response_rate": row.response_rate, "resolution_rate": row.resolution_rate,
                    "satisfaction_rate": row.satisfaction_rate, "score": row.score, "rank": row.rank,
                    "cases": row.cases, "exempted": row.exempted,
                    "response": [row.responded, row.response_due], "resolution": [row.resolved, row.resolution_due],
                    "evaluations": {"satisfied": row.satisfied, "basically": row.basically,
                                    "unsatisfied": row.unsatisfied},
                    "formula": row.formula_id,
                }, ensure_ascii=False))
            return
        self.stdout.write(f"{month:%Y-%m} 考核排名")
        self.stdout.write(f"{'排名':>4}  {'单位':<16}{'响应率':>8}{'解决率':>8}{'满意率':>8}{'得分':>8}{'件数':>7}")
        for row in rows:
            rank = str(row.rank) if row.rank else "—"
            name = row.unit.name[:16]
            score = "—" if row.score is None else f"{row.score:.2f}"
            self.stdout.write(
                f"{rank:>4}  {name:<{16 - sum(1 for ch in name if ord(ch) > 0x2E80)}}"
                f"{_pct(row.response_rate):>9}{_pct(row.resolution_rate):>9}{_pct(row.satisfaction_rate):>9}"
                f"{score:>9}{row.cases:>8}"
            )

"""`fengqiao cockpit_report --period 2026-W48|2026-11 [--scope AREA_CODE] --format pdf|xlsx --out FILE`: a weekly
or monthly report of the city (or a district or street) written to a file; the period's rollups are brought
up to date first unless ``--no-refresh``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.cockpit import reports, reports_files, rollup
from fengqiao.cockpit import selectors as sel
from fengqiao.cockpit.models import CITY_SCOPE
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.errors import DomainError


def scope_of(code: str | None) -> sel.Scope:
    if not code:
        city = Area.objects.filter(level=Level.CITY).order_by("pk").first()
        return sel.Scope(CITY_SCOPE, city.name if city else "全市", Level.CITY)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise CommandError(f"--scope: no area with code {code}")
    if area.level not in (Level.DISTRICT, Level.STREET):
        raise CommandError(f"--scope: {area.name} is a {area.level}; reports are for the city, a district or a street")
    return sel.Scope(area.pk, area.name, area.level, area)


class Command(BaseCommand):
    help = "Write the weekly (ISO week) or monthly report of the city, a district or a street as PDF or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="an ISO week (2026-W48) or a month (2026-11)")
        parser.add_argument("--scope", help="area code of a district or street; the whole city if omitted")
        parser.add_argument("--format", required=True, choices=sorted(reports_files.FORMATS))
        parser.add_argument("--out", required=True, help="the file to write ('-' for standard output)")
        parser.add_argument("--no-refresh", action="store_true", help="use the rollups as they are")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = reports.parse_report_period(options["period"])
        except DomainError as e:
            raise CommandError(f"--period: {e.message}") from None
        scope = scope_of(options["scope"])
        if not options["no_refresh"]:
            months = sorted(set(reports.months_touched(period)) | set(reports.months_touched(
                reports.previous_of(period))))
            rollup.ensure(months)
            if reports.kind_of(period) == reports.MONTH:
                from fengqiao.analytics import rollup as assessment

                assessment.ensure_month(period.start)
        if reports.data_as_of(period) is None:
            raise CommandError(f"no rollups for {period.key}: run without --no-refresh, or check there are cases")
        _content_type, render = reports_files.FORMATS[options["format"]]
        data = render(reports.build(scope, period))
        out = options["out"]
        if out == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        target = Path(out)
        target.write_bytes(data)
        self.stderr.write(f"{target}: {scope.name} {period.label}, {len(data):,} bytes")

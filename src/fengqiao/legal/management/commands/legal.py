"""`fengqiao legal scan [--since YYYY-MM-DD] [--limit N]`: flag the cases that are against an
administrative act (those without a dispute yet); idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.kit import clock
from fengqiao.legal import scan


def _day(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: expected a date YYYY-MM-DD, got {value!r}") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.localtime().tzinfo)


class Command(BaseCommand):
    help = "Administrative disputes (行政争议): `scan` flags the cases against an administrative act."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        run = sub.add_parser("scan", help="run the detector over cases registered since a date (default: all)")
        run.add_argument("--since", help="YYYY-MM-DD: only cases registered on or after this day")
        run.add_argument("--limit", type=int, help="read at most this many cases")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _day(options["since"]) if options.get("since") else None
        limit = options.get("limit")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number")
        result = scan.scan(since=since, limit=limit)
        self.stdout.write(f"read {result.scanned} cases, flagged {result.flagged}, routed to a legal office "
                          f"{result.routed}, in {result.seconds:.1f} s")

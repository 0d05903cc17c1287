"""``fengqiao routing export|import`` — routing rules as CSV (see docs/routing.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.cases import routing_io
from fengqiao.jurisdictions.io import FileFormatError
from fengqiao.kit.csv_command import run_import


class Command(BaseCommand):
    help = "Export or import the routing rules (category × area → lead and assisting units) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        p = sub.add_parser("export", help="write the routing rules to a CSV file")
        p.add_argument("--out", required=True, help="file to write, or - for standard output")
        p.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "gb18030"], default="utf-8-sig",
                       help="utf-8-sig (default) or gb18030 for Excel")
        p = sub.add_parser("import", help="load routing rules from a CSV file (idempotent on category × area)")
        p.add_argument("file")
        p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        p.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "export":
            out = options["out"]
            if out == "-":
                count = routing_io.export_rules(sys.stdout)
            else:
                with Path(out).open("w", encoding=options["encoding"], newline="") as stream:
                    count = routing_io.export_rules(stream)
            self.stderr.write(f"{count} 条分拨规则已导出")
            return
        run_import(self, routing_io.import_rules, options, FileFormatError)

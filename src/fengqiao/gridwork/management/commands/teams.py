"""``fengqiao teams export|import`` — grid teams as CSV (see docs/gridwork/teams.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.gridwork import teams_io
from fengqiao.jurisdictions.io import FileFormatError
from fengqiao.kit.csv_command import run_import


class Command(BaseCommand):
    help = "Export or import grid teams (grid worker, 三官一律, mediator) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        p = sub.add_parser("export", help="write every grid's team to a CSV file (phones in clear)")
        p.add_argument("--out", required=True, help="file to write, or - for standard output")
        p.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "gb18030"], default="utf-8-sig",
                       help="utf-8-sig (default) or gb18030 for Excel")
        p.add_argument("--no-phones", action="store_true",
                       help="leave the phone column out (importing such a file leaves phones as they are)")
        p = sub.add_parser("import", help="load team members from a CSV file (idempotent on grid × role × name)")
        p.add_argument("file")
        p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        p.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "export":
            out, phones = options["out"], not options["no_phones"]
            if out == "-":
                count = teams_io.export_teams(sys.stdout, phones=phones)
            else:
                with Path(out).open("w", encoding=options["encoding"], newline="") as stream:
                    count = teams_io.export_teams(stream, phones=phones)
            self.stderr.write(f"{count} 名网格团队成员已导出")
            return
        run_import(self, teams_io.import_teams, options, FileFormatError)

"""``fengqiao jurisdictions export|import|export-units|import-units`` (see docs/jurisdictions.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fengqiao.jurisdictions import io
from fengqiao.jurisdictions.imports import import_areas
from fengqiao.jurisdictions.models import Level
from fengqiao.jurisdictions.report import ImportReport
from fengqiao.jurisdictions.unit_imports import import_units

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "Export or import the jurisdiction tree (areas) and the units, as GeoJSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        for name, what in (("export", "areas"), ("export-units", "units")):
            p = sub.add_parser(name, help=f"write the {what} to a file")
            p.add_argument("--format", choices=io.FORMATS, help="default: from the file name, else geojson")
            p.add_argument("--out", required=True, help="file to write, or - for standard output")
            p.add_argument("--encoding", choices=io.ENCODINGS, default="utf-8",
                           help="CSV encoding (utf-8-sig or gb18030 for Excel)")
            if what == "areas":
                p.add_argument("--level", choices=Level.values, help="only areas of this level")
                p.add_argument("--under", metavar="CODE", help="only this area and what lies under it")
        for name, what in (("import", "areas"), ("import-units", "units")):
            p = sub.add_parser(name, help=f"load {what} from a file (idempotent on code)")
            p.add_argument("file")
            p.add_argument("--format", choices=io.FORMATS, help="default: from the file name or its content")
            p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
            p.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
            p.add_argument("--json", action="store_true", help="print the report as one JSON object")
            if what == "areas":
                p.add_argument("--repair", action="store_true",
                               help="mend invalid (self-intersecting) boundaries with make_valid")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        try:
            if operation.startswith("export"):
                self._export(operation == "export-units", options)
            else:
                self._import(operation == "import-units", options)
        except io.FileFormatError as exc:
            raise CommandError(str(exc)) from exc

    def _export(self, units: bool, options: dict[str, Any]) -> None:
        out = options["out"]
        fmt = options["format"] or ("csv" if out.lower().endswith(".csv") else "geojson")
        stream: IO[str] = (
            sys.stdout if out == "-" else open(out, "w", encoding=options["encoding"], newline="")  # noqa: SIM115
        )
        try:
            if units:
                count = io.export_units(stream, fmt)
            else:
                count = io.export_areas(stream, fmt, level=options["level"], under=options["under"])
        finally:
            if stream is not sys.stdout:
                stream.close()
        if out != "-":
            self.stdout.write(f"{count} {'units' if units else 'areas'} written to {out}")

    def _import(self, units: bool, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        fmt = options["format"] or io.guess_format(path.name, data)
        quiet = options["json"] or None
        with tqdm(unit="row", desc=f"import {path.name}", disable=quiet) as bar:
            if units:
                report = import_units(data, fmt=fmt, dry_run=options["dry_run"],
                                      batch_size=options["batch_size"], progress=bar.update)
            else:
                report = import_areas(data, fmt=fmt, dry_run=options["dry_run"], repair=options["repair"],
                                      batch_size=options["batch_size"], progress=bar.update)
        self._print(report, options["json"])

    def _print(self, report: ImportReport, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for error in report.errors[:SHOWN_ERRORS]:
                self.stdout.write(self.style.ERROR(str(error)))
            if len(report.errors) > SHOWN_ERRORS:
                self.stdout.write(f"… {len(report.errors) - SHOWN_ERRORS} more (use --json for all)")
            style = self.style.SUCCESS if report.ok else self.style.WARNING
            self.stdout.write(style(report.summary()))
        if not report.ok:
            raise CommandError(f"{len(report.errors)} bad row(s) skipped; the good rows were imported"
                               if not report.dry_run else f"{len(report.errors)} bad row(s)")

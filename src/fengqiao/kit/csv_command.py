"""The import half of the ``… export|import`` CSV commands (routing rules, grid teams): read the file, run
the importer, print its report (JSON or lines), and exit non-zero when some rows were refused — the good
rows are written either way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandError


class ImportReport(Protocol):
    errors: Any

    def as_dict(self) -> dict[str, Any]: ...

    def summary(self) -> str: ...


def run_import(command: BaseCommand, importer: Callable[..., ImportReport], options: dict[str, Any],
               format_error: type[Exception]) -> None:
    try:
        data = Path(options["file"]).read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件：{exc}") from exc
    try:
        report = importer(data, dry_run=options["dry_run"])
    except format_error as exc:
        raise CommandError(str(exc)) from exc
    if options["json"]:
        command.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        command.stdout.write(report.summary())
        for error in sorted(report.errors, key=lambda e: e.number):
            command.stdout.write(str(error))
    if report.errors:  # the good rows are written; the exit status says some were not
        raise SystemExit(1)

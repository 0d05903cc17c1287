"""``fengqiao backup <dir>``: the database and the uploaded files, with a manifest (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.ops.backup import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into DIR as one .tar with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path, help="directory to write fengqiao-<UTC time>.tar into")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        path = backup(options["dir"], alias=options["database"], show=not options["no_progress"])
        self.stdout.write(self.style.SUCCESS(f"backup written: {path} (checksum in {path.name}.sha256)"))

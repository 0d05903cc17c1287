"""``fengqiao restore <file>``: replace the database and the uploaded files with a backup's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.ops.health import unapplied_migrations
from fengqiao.ops.restore import restore


class Command(BaseCommand):
    help = ("Restore a backup made by `fengqiao backup`: checks it, then REPLACES the database and the "
            "uploaded files. Stop the web and worker processes first.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup's .tar")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("restore replaces the database and the uploaded files: pass --yes to confirm.")
            answer = input("This REPLACES the database and the uploaded files with the backup's. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("not restored.")
        done = restore(options["file"], alias=options["database"], show=not options["no_progress"])
        m = done.manifest
        self.stdout.write(self.style.SUCCESS(
            f"restored the backup of {m['created_at']} (fengqiao {m['version']}): "
            f"{done.counts.get('cases_case', 0)} cases, {m['media']['files']} files; row counts match the manifest."))
        if done.media_kept_at:
            self.stdout.write(f"the previous uploaded files are kept in {done.media_kept_at} (delete when sure).")
        missing = unapplied_migrations(options["database"])
        if missing:
            self.stdout.write(self.style.WARNING(
                f"the backup predates {len(missing)} migration(s) of this code: run `fengqiao migrate` next."))
        self.stdout.write("then check the audit chains: `fengqiao audit verify`.")

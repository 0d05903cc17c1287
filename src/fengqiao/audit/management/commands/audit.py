"""``fengqiao audit verify`` · ``fengqiao audit anchor``"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fengqiao.audit import verify as chain


class Command(BaseCommand):
    help = "Verify the hash chains of case events (verify), or seal the chains' heads (anchor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "anchor"])
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "anchor":
            created = chain.anchor()
            self.stdout.write(f"anchored {created.entries} case heads" if created else "nothing moved")
            return
        from fengqiao.cases.models import Case

        total = Case.objects.count()
        with tqdm(total=total, unit="case", desc="verify", disable=options["json"] or None) as bar:

            def advance(n: int) -> None:
                bar.update(n)

            report = chain.verify(progress=advance)
        if options["json"]:
            self.stdout.write(json.dumps({"ok": report.ok, "cases": report.cases, "events": report.events,
                                          "anchors": report.anchors, "problems": report.problems},
                                         ensure_ascii=False))
        else:
            self.stdout.write(f"{report.cases} cases, {report.events} events, {report.anchors} anchors checked")
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(problem))
        if not report.ok:
            raise CommandError(f"audit chain broken: {len(report.problems)} problem(s)")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("audit chain intact"))

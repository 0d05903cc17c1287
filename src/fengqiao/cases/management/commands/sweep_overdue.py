"""``fengqiao sweep_overdue``: flag open cases past their deadline now (the periodic job, by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.cases import overdue


class Command(BaseCommand):
    help = "Flag every open case whose deadline has passed (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = overdue.sweep()
        self.stdout.write(f"flagged {result.flagged} cases in {result.batches} batches, {result.seconds:.2f}s")

"""``fengqiao sweep_supervision``: the supervision ladder's periodic sweep, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.cases import supervision_sweep


class Command(BaseCommand):
    help = "Take every open case to the supervision step it is due for (reminders, 催办, 督办); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        r = supervision_sweep.sweep()
        self.stdout.write(
            f"{r.candidates} candidates: {r.reminded} reminded, escalated {r.escalated or 0}, "
            f"{r.recorded_only} recorded only, {r.notifications} notifications queued; "
            f"{r.batches} batches, {r.seconds:.2f}s"
        )

"""``fengqiao send_notifications``: send what is due in the outbox now (the sender job, by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.notifications import sending


class Command(BaseCommand):
    help = "Send the queued notifications that are due (retries with back-off; a sent row is never resent)."

    def handle(self, *args: Any, **options: Any) -> None:
        r = sending.send_due()
        self.stdout.write(f"{r.sent} sent, {r.retrying} to retry, {r.failed} failed")

"""``fengqiao worker``: the job process — Huey's consumer on the settings' queue (Redis when
FENGQIAO_REDIS_URL is set), SIGTERM finishing the running jobs before it exits."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fengqiao.ops.preflight import preflight

# Huey locks (HUEY.lock_task / @lock_task) the jobs take.  A lock lives in the queue's storage with no expiry,
# so a worker killed (kill -9, OOM, power) while holding one would leave it held for ever and the job would
# never run again; the consumer deletes these when it starts (docs/operations.md#faults).
LOCKS = ("notifications-send", "cockpit-rollup", "warning-score")


class Command(BaseCommand):
    help = "Run the job process: Huey's consumer (jobs and periodic timers), after a preflight check."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FENGQIAO_WORKERS", "2")),
                            help="worker threads (FENGQIAO_WORKERS; default 2)")
        parser.add_argument("--shutdown-timeout", type=float, default=60.0,
                            help="seconds running jobs get to finish after SIGTERM before they are interrupted")
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not schedule the periodic timers (run them in exactly one worker)")
        parser.add_argument("--no-check", action="store_true", help="start without the preflight")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_check"]:
            preflight()
        from huey.contrib.djhuey import HUEY

        self.stdout.write(f"fengqiao worker: {options['workers']} threads on {type(HUEY).__name__} "
                          f"'{HUEY.name}'{', no periodic timers' if options['no_periodic'] else ''}")
        extra: dict[str, Any] = {"periodic": False} if options["no_periodic"] else {}
        call_command("run_huey", workers=options["workers"], worker_type="thread", graceful_signal="TERM",
                     shutdown_timeout=options["shutdown_timeout"], flush_locks=True, extra_locks=",".join(LOCKS),
                     **extra)

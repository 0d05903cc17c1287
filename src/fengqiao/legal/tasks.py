"""Periodic job of fengqiao.legal (Huey): flag new cases that are against an administrative act.
Idempotent and resumable: it reads the cases after its mark, and a case with a dispute is never flagged twice."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.legal import scan

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def scan_new_cases() -> int:
    result = scan.scan_new()
    if result.flagged:
        log.info("legal scan: %s cases read, %s flagged, %s routed in %.2fs", result.scanned, result.flagged,
                 result.routed, result.seconds)
    return result.flagged

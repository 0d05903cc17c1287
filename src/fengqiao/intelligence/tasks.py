"""Periodic jobs for the intelligence modules (Huey).  Idempotent: each recomputes from the database."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.intelligence import dedup, hot_tasks  # noqa: F401  (hot_tasks: registers the hot-issue job)

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="23"))
def refresh_common_shingles() -> int:
    """Once a day: which shingles are boilerplate in the newest cases (see dedup.refresh_common)."""
    row = dedup.refresh_common()
    count = len(row.shingles) if row is not None else 0
    log.info("dedup: %s common shingles", count)
    return count

"""The hot-issue job (Huey): every hour, the cities whose issues are older than an hour are grouped again.
Idempotent (a run recomputes from the cases) and resumable (each city is its own transaction)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.intelligence import hot_issues

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="41"))
def refresh_hot_issues() -> int:
    runs = hot_issues.refresh_due()
    for run in runs:
        log.info("hot issues: city %s, %s cases, %s issues, %.1f s", run.city_id, run.cases, run.issues, run.seconds)
    return len(runs)

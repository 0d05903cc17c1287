"""Periodic jobs for the assessment (Huey).  Idempotent: each run rewrites whole months."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.analytics import rollup
from fengqiao.analytics.formula import previous_month
from fengqiao.kit import clock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"))
def refresh_rankings() -> int:
    """Every hour: recompute the current and the previous month (cases of last month still close)."""
    current = clock.today().replace(day=1)
    months = [previous_month(current), current]
    for month in months:
        state = rollup.compute_month(month)
        log.info("ranking %s: %s units in %.2fs", f"{month:%Y-%m}", state.units, state.seconds)
    return len(months)

"""The cockpit's periodic rollup (Huey): every ten minutes, the months whose rows are stale."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fengqiao.cockpit import rollup

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
@lock_task("cockpit-rollup")  # one run at a time; a run that finds the lock held is skipped
def refresh_cockpit() -> int:
    done = rollup.ensure()
    for month in done:
        log.info("cockpit %s: %s cases, %s rows in %.2fs", f"{month.month:%Y-%m}", month.cases, month.rows,
                 month.seconds)
    return len(done)

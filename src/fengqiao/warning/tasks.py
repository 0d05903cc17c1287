"""Huey job: every ten minutes, score the cases registered or changed since their last score.  Idempotent:
a case whose version has not moved is not scored again; alerts are once per case per grade."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from fengqiao.warning import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def score_changed_cases() -> int:
    try:
        with HUEY.lock_task("warning-score"):
            done = services.score_due()
    except TaskLockedException:
        return 0
    if done:
        log.info("warning: %s cases scored", done)
    return done

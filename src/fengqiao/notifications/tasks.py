"""Huey jobs for the outbox: send on commit, and every minute for retries and anything missed.

One sender at a time per queue (a Huey lock); a second run that finds the lock taken does nothing, the
running one picks up what is due.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from fengqiao.notifications import sending

log = logging.getLogger(__name__)


def _run() -> int:
    try:
        with HUEY.lock_task("notifications-send"):
            result = sending.send_due()
    except TaskLockedException:
        return 0
    if result.sent or result.failed or result.retrying:
        log.info("outbox: %s sent, %s to retry, %s failed", result.sent, result.retrying, result.failed)
    return result.sent


@db_task()
def send_outbox() -> int:
    return _run()


@db_periodic_task(crontab(minute="*"))
def send_outbox_periodic() -> int:
    return _run()

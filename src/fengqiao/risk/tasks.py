"""Periodic jobs of the risk register (Huey).  Idempotent: the reminders' dedup keys make a rerun a no-op."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.risk import reminders

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
def remind_overdue_reviews() -> int:
    """复核逾期提醒: the responsible leader and unit of every entry whose review date has passed."""
    result = reminders.sweep()
    if result.entries:
        log.info("risk review reminders: %s overdue entries, %s messages offered", result.entries, result.queued)
    return result.queued

"""Periodic jobs of the stability assessments (Huey).  Idempotent: the reminders' dedup keys make a rerun a
no-op."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.stability import reminders

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="7"))
def remind_measures() -> int:
    """措施到期提醒: the responsible unit of every measure not carried out that falls due within three days or
    is overdue, once when due soon and once when overdue."""
    result = reminders.sweep()
    if result.measures:
        log.info("stability measure reminders: %s measures due or overdue, %s messages offered", result.measures,
                 result.queued)
    return result.queued

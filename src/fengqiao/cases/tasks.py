"""Periodic jobs for cases (Huey).  Jobs take ids, not objects, and are idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.cases import overdue, supervision_sweep
from fengqiao.cases.models import Case
from fengqiao.cases.services import close_unevaluated
from fengqiao.cases.states import State
from fengqiao.kit import clock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sweep_overdue() -> int:
    result = overdue.sweep()
    if result.flagged:
        log.info("overdue sweep flagged %s cases in %.2fs", result.flagged, result.seconds)
    return result.flagged


@db_periodic_task(crontab(minute="*/10"))
def close_unevaluated_cases() -> int:
    due = Case.objects.filter(status=State.REPLIED, evaluation_deadline__lt=clock.now()).values_list(
        "pk", flat=True
    )[:5000]
    return sum(1 for case_id in due if close_unevaluated(case_id))


@db_periodic_task(crontab(minute="*/5"))
def sweep_supervision() -> int:
    """The supervision ladder (docs/supervision.md): reminders, 催办, 督办 as cases reach them."""
    result = supervision_sweep.sweep()
    if result.events:
        log.info("supervision sweep: %s reminders, escalations %s, %s notifications in %.2fs",
                 result.reminded, result.escalated, result.notifications, result.seconds)
    return result.events

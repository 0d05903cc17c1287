"""Import jobs run by Huey workers.  A job takes an id and resumes at its checkpoint, so re-running is safe.

A worker killed with ``kill -9`` (or a lost machine) takes its running job with it: Huey removed the task
from the queue when it started it, so nothing would run it again.  The job's ``heartbeat_at`` is its lease:
every committed batch renews it, and a job that is unfinished and silent for ``IMPORT_STALE_SECONDS`` is
taken over — ``resume_orphaned_imports`` (every minute, and once a stale period after a worker starts)
hands it to a new task, which resumes it after its last committed batch.  The hand-over writes a fresh
lease value and passes it to the task, and the task starts only if the lease is still that value, so two
schedulers, or a task queued twice, never run one job twice at once.

Only jobs queued for the workers (the web page's uploads, kept under ``DATA_DIR/imports``) are taken over;
a ``fengqiao import`` killed in a terminal is resumed by running the same command again
(docs/intake/import.md).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from fengqiao.intake import pipeline, services
from fengqiao.intake.models import ImportJob, JobStatus
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError

log = logging.getLogger(__name__)


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "IMPORT_STALE_SECONDS", 120)))


def _silent(now: dt.datetime) -> Q:
    """Unfinished and silent for a stale period: never started (no heartbeat, queued long ago) or stopped
    renewing its lease."""
    cutoff = now - stale_after()
    return (Q(heartbeat_at__isnull=True, created_at__lt=cutoff) | Q(heartbeat_at__lt=cutoff))


def claim(job_id: int, lease: str | None) -> bool:
    """Take the job's lease for this task: the one the hand-over wrote (``lease``), or — a task queued by
    the web page — a job nobody holds (never started, or silent for a stale period)."""
    now = clock.now()
    jobs = ImportJob.objects.filter(pk=job_id).exclude(status__in=[JobStatus.DONE, JobStatus.FAILED])
    if lease is not None:
        jobs = jobs.filter(heartbeat_at=dt.datetime.fromisoformat(lease))
    else:
        jobs = jobs.filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - stale_after()))
    return jobs.update(heartbeat_at=now) == 1


@db_task()
def run_import(job_id: int, lease: str | None = None) -> None:
    if not claim(job_id, lease):
        log.info("import job %s is held by another worker or finished; not started again", job_id)
        return
    try:
        pipeline.run_job(job_id)
    except DomainError as e:  # the job row carries the message for the job page
        log.info("import job %s failed: %s", job_id, e.code)


def take_over_orphans() -> list[int]:
    """Hand every orphaned worker job to a new task (see the module's docstring); the ids handed over."""
    now = clock.now()
    candidates = (ImportJob.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING],
                                           file_path__startswith=str(services.uploads_dir()))
                  .filter(_silent(now)).values_list("pk", "heartbeat_at"))
    handed: list[int] = []
    for pk, seen in candidates:
        # a distinct value per hand-over: the lease the new task must find
        lease = now + dt.timedelta(microseconds=len(handed))
        if ImportJob.objects.filter(pk=pk, heartbeat_at=seen).update(heartbeat_at=lease) != 1:
            continue  # another scheduler took it first, or the job moved on
        log.warning("import job %s: no progress for %ss; resuming it in a new task", pk,
                    int(stale_after().total_seconds()))
        run_import(pk, lease.isoformat())
        handed.append(pk)
    return handed


@db_periodic_task(crontab(minute="*"))
def resume_orphaned_imports() -> int:
    return len(take_over_orphans())


@HUEY.on_startup()
def _look_for_orphans_after_start() -> None:
    """A worker restarted after a crash resumes the crashed one's import without waiting for the next
    minute's timer (once the crashed lease has gone stale)."""
    resume_orphaned_imports.schedule(delay=stale_after().total_seconds() + 1)

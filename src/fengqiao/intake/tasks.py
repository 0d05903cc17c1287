"""Import jobs run by Huey workers.  A job takes an id and resumes at its checkpoint, so re-running is safe."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from fengqiao.intake import pipeline
from fengqiao.kit.errors import DomainError

log = logging.getLogger(__name__)


@db_task()
def run_import(job_id: int) -> None:
    try:
        pipeline.run_job(job_id)
    except DomainError as e:  # the job row carries the message for the job page
        log.info("import job %s failed: %s", job_id, e.code)

"""Fault: ``kill -9`` of ``fengqiao worker`` in the middle of an import queued from the web page.

Huey took the task off the queue when it started it, so the killed worker's job would never run again;
the job's heartbeat is its lease, and a new worker takes over a job whose lease went stale and resumes it
after its last committed batch (intake/tasks.py).  Real processes, real SIGKILL, SQLite or PostgreSQL
(whichever ``FENGQIAO_DATABASE_URL`` gives the tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.intake import mapping, services, tasks
from fengqiao.intake.models import ImportBatch, ImportJob, ImportRowError, JobStatus
from tests.factories import build_city
from tests.intake.test_import_pipeline import HEADER, rows_csv, write
from tests.intake.test_import_resume import database_url

ROOT = Path(__file__).parents[2]
GOOD = 6000
BAD_EVERY = 500  # a bad date every 500th line: 12 bad rows spread over every batch


def worker(log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FENGQIAO_DATABASE_URL": database_url(), "FENGQIAO_DATA_DIR": str(settings.DATA_DIR),
           "FENGQIAO_REDIS_URL": "", "FENGQIAO_HUEY_IMMEDIATE": "0", "FENGQIAO_IMPORT_STALE_SECONDS": "3"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "fengqiao", "worker", "--workers", "1", "--no-periodic",
                                 "--no-check"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for(condition: str, check: object, process: subprocess.Popen[bytes], log: Path,
             seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert process.poll() is None, f"worker exited {process.returncode}: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {condition}: {log.read_text()[-3000:]}"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_kill_9_worker_mid_import_new_worker_resumes_it_exactly(tmp_path: Path) -> None:
    city = build_city()
    lines = rows_csv(city, GOOD)
    bad_rows = []
    for i in range(BAD_EVERY, GOOD + 1, BAD_EVERY):  # replace the date of every 500th record: a row error
        cells = lines[i - 1].split(",")
        cells[8] = "2024/13/45 10:00:00"
        lines[i - 1] = ",".join(cells)
        bad_rows.append(i + 1)  # header = row 1
    path = write(tmp_path, [HEADER, *lines])
    raw, _ = mapping.load("hotline_12345")
    job, resumed = services.start_job(city.users["operator"], "hotline_12345", path, raw, keep_copy=True)
    assert not resumed
    log = tmp_path / "worker.log"
    first = worker(log)
    try:
        tasks.run_import(job.pk)  # what the web page does on commit: into the workers' queue
        wait_for("two committed batches", lambda: ImportBatch.objects.filter(job=job).count() >= 2, first, log)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    time.sleep(0.5)  # a write in flight when the signal landed still commits whole (or not at all)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    killed_at = Case.objects.count()
    assert killed_at == job.created
    assert 1990 <= killed_at < GOOD - len(bad_rows), "killed mid-way"
    assert ImportBatch.objects.filter(job=job).count() * 1000 == job.done_rows  # rows and checkpoint together

    second = worker(log)
    try:
        wait_for("the job to finish", lambda: ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE,
                 second, log)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=60)
        except subprocess.TimeoutExpired:
            second.kill()
    output = log.read_text()
    assert f"import job {job.pk}: no progress for 3s; resuming it in a new task" in output

    job.refresh_from_db()
    good = GOOD - len(bad_rows)
    assert (job.status, job.total_rows, job.done_rows) == (JobStatus.DONE, GOOD, GOOD)
    assert (job.created, job.duplicates, job.failed) == (good, 0, len(bad_rows))
    # every good row registered exactly once, none missing; each with its one event and its party
    refs = list(Case.objects.values_list("external_ref", flat=True))
    assert len(refs) == len(set(refs)) == good
    assert set(refs) == {f"HL-{i}" for i in range(1, GOOD + 1)} - {f"HL-{r - 1}" for r in bad_rows}
    assert CaseEvent.objects.count() == Party.objects.count() == good
    # the batches tile the file once; the error report has each bad row once
    batches = list(ImportBatch.objects.filter(job=job).order_by("first_row").values_list("first_row", "last_row"))
    assert batches == [(2 + 1000 * k, 1001 + 1000 * k) for k in range(GOOD // 1000)]
    errors = list(ImportRowError.objects.filter(job=job).order_by("row").values_list("row", "field"))
    assert errors == [(r, "reported_at") for r in bad_rows]

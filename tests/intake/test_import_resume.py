"""`fengqiao import`, killed with SIGKILL mid-way and run again: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.intake.models import ImportJob, JobStatus
from tests.factories import build_city
from tests.intake.test_import_pipeline import HEADER, rows_csv, write

ROWS = 3000


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def command(path: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "fengqiao.cli", "import", "hotline_12345", str(path), "--mapping",
            "hotline_12345", "--batch", "100", "--as", "operator", "--no-progress", "--workers", str(workers)]


@pytest.mark.parametrize(("first", "second"), [(1, 1), (2, 2), (2, 1)])
@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_import_then_rerun_finishes_exactly(tmp_path: Path, first: int, second: int) -> None:
    """Killed with one or two worker processes, re-run with as many or fewer: the parent's SIGKILL takes
    its workers with it, and the re-run does exactly the batches that were not committed."""
    city = build_city()
    path = write(tmp_path, [HEADER, *rows_csv(city, ROWS)])
    env = {**os.environ, "FENGQIAO_DATABASE_URL": database_url()}
    process = subprocess.Popen(command(path, first), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = ImportJob.objects.first()
        if job is not None and job.created >= 500:
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.RUNNING
    assert 500 <= job.created < ROWS, "killed after some batches"
    assert Case.objects.count() == job.created  # the checkpoint and the rows committed together

    # A worker killed inside a commit's write still finishes that write (the signal lands when the
    # system call returns), so one more batch may appear just after the parent is reaped; rows and
    # checkpoint still land together.  After that, the workers are gone: nothing more is written.
    time.sleep(0.5)
    job = ImportJob.objects.get()
    assert Case.objects.count() == job.created < ROWS
    time.sleep(1.0)
    assert Case.objects.count() == ImportJob.objects.get().created == job.created
    done = subprocess.run(command(path, second), env=env, capture_output=True, text=True, timeout=300,
                          check=True)
    assert f"继续未完成的导入任务 #{job.pk}" in done.stderr
    job.refresh_from_db()
    assert (job.status, job.created, job.duplicates, job.failed) == (JobStatus.DONE, ROWS, 0, 0)
    assert Case.objects.count() == ROWS == CaseEvent.objects.count() == Party.objects.count()
    refs = set(Case.objects.values_list("external_ref", flat=True))
    assert refs == {f"HL-{i}" for i in range(1, ROWS + 1)}

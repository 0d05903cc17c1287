"""Fault: ``kill -9`` of ``fengqiao worker`` during the supervision sweep, while the outbox is being sent.

Many cases are due for 督办; the worker runs the sweep (one thread) and sends the notifications its
committed batches queued (the other thread, through a sender that writes each delivery to a file); it is
killed mid-sweep.  A new worker runs the sweep again and sends the rest.  Afterwards: one step per case,
one outbox row per notification, and no message delivered twice.  What a kill cannot make certain — the
one SMS per sending thread whose attempt was in flight — is marked failed ("delivery unknown"), not resent.
Real processes, real SIGKILL, SQLite or PostgreSQL (``FENGQIAO_DATABASE_URL``)."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.models import F

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.tasks import sweep_supervision
from fengqiao.notifications import sending
from fengqiao.notifications.models import Outbox, Status
from fengqiao.notifications.tasks import send_outbox
from tests.cases.test_supervision_kill import SH
from tests.factories import City, build_city
from tests.intake.test_import_resume import database_url

ROOT = Path(__file__).parents[2]
CASES = 2500  # batches of 1,000: two and a half
PER_CASE = 6  # 督办: handler, street dispatcher, city leader × in-app and SMS


def overdue(city: City) -> None:
    deadline = dt.datetime(2025, 10, 10, 23, 59, 59, tzinfo=SH)
    Case.objects.bulk_create([
        Case(code=f"F{i:06d}", channel="hotline_12345", title="噪声扰民", description="夜间施工", status="accepted",
             registered_at=deadline - dt.timedelta(days=7), deadline=deadline, lead_unit=city.departments[0],
             grid=city.grids[0], community=city.communities[0], street=city.street, district=city.district)
        for i in range(CASES)
    ])


def worker(log: Path, sent: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FENGQIAO_DATABASE_URL": database_url(), "FENGQIAO_DATA_DIR": str(settings.DATA_DIR),
           "FENGQIAO_REDIS_URL": "", "FENGQIAO_HUEY_IMMEDIATE": "0", "FENGQIAO_SMS_QUIET_HOURS": "0-0",
           "FENGQIAO_SMS_SENDER": "tests.ops.fault_sender.FileSender", "FENGQIAO_FAULT_SENT_LOG": str(sent)}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "fengqiao", "worker", "--workers", "2", "--no-periodic",
                                 "--no-check"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for(what: str, check: Callable[[], bool], process: subprocess.Popen[bytes], log: Path,
             seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert process.poll() is None, f"worker exited {process.returncode}: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {log.read_text()[-3000:]}"
        time.sleep(0.05)


def escalated() -> int:
    return CaseEvent.objects.filter(action="escalate").count()


@pytest.mark.django_db(transaction=True)
def test_kill_9_worker_mid_sweep_then_each_step_once_and_each_message_sent_at_most_once(tmp_path: Path) -> None:
    overdue(build_city())
    log, sent = tmp_path / "worker.log", tmp_path / "sent.txt"
    first = worker(log, sent)
    try:
        sweep_supervision()  # the 5-minute timer's job, into the workers' queue
        wait_for("a batch committed", lambda: escalated() >= 1000, first, log)
        first.send_signal(signal.SIGKILL)  # 1. in the middle of the sweep
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    time.sleep(0.5)
    done = escalated()
    assert done % 1000 == 0, "whole batches only"
    assert done < CASES, "killed mid-sweep"
    assert Outbox.objects.count() == done * PER_CASE

    second = worker(log, sent)
    try:
        sweep_supervision()
        wait_for("the sweep done and the outbox being sent", lambda: escalated() == CASES and Outbox.objects.filter(
            status=Status.SENT).count() >= 1000 and Outbox.objects.filter(status=Status.SENDING).exists(), second, log)
        second.send_signal(signal.SIGKILL)  # 2. while the outbox is being sent
        assert second.wait(timeout=30) == -signal.SIGKILL
    finally:
        if second.poll() is None:
            second.kill()
    time.sleep(0.5)
    assert Outbox.objects.filter(status=Status.QUEUED).exists(), "killed mid-sending"
    in_flight = Outbox.objects.filter(status=Status.SENDING)
    assert in_flight.exists(), "killed with rows claimed"
    # the killed worker's claims go stale after sending.STALE (15 minutes): let that time pass
    in_flight.update(claimed_at=F("claimed_at") - sending.STALE - dt.timedelta(seconds=1))

    third = worker(log, sent)
    try:
        last = 0.0

        def outbox_done() -> bool:
            nonlocal last
            if time.monotonic() - last > 3:  # the every-minute timer's job (a run sends at most 5,000)
                send_outbox()
                last = time.monotonic()
            return not Outbox.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).exists()

        wait_for("the outbox", outbox_done, third, log)
    finally:
        third.send_signal(signal.SIGTERM)
        try:
            third.wait(timeout=60)
        except subprocess.TimeoutExpired:
            third.kill()

    # each case took its step once, on an intact chain
    assert Case.objects.filter(supervision_level=2).count() == CASES
    per_case = collections.Counter(CaseEvent.objects.values_list("case_id", flat=True))
    assert set(per_case.values()) == {1}
    assert not CaseEvent.objects.exclude(seq=1).exists()
    # each notification queued once
    assert Outbox.objects.count() == CASES * PER_CASE == Outbox.objects.values("dedup_key").distinct().count()
    # each message delivered at most once; all in-app ones and every SMS but those in flight, exactly once
    deliveries = collections.Counter(sent.read_text().split())
    assert max(deliveries.values()) == 1
    sms = Outbox.objects.filter(channel="sms")
    assert set(sms.filter(status=Status.SENT).values_list("dedup_key", flat=True)) <= set(deliveries)
    failed = list(sms.filter(status=Status.FAILED).values_list("dedup_key", "last_error"))
    assert len(failed) <= 1, failed  # one sending thread: at most one attempt in flight
    assert all("delivery unknown" in error for _key, error in failed)
    assert sms.filter(status=Status.SENT).count() + len(failed) == CASES * PER_CASE // 2
    assert Outbox.objects.filter(channel="in_app", status=Status.SENT).count() == CASES * PER_CASE // 2
    # a delivery the worker made but could not record is among the failed ones: never sent a second time
    assert set(deliveries) - set(sms.filter(status=Status.SENT).values_list("dedup_key", flat=True)) <= {
        key for key, _error in failed}


def test_every_huey_lock_is_flushed_when_a_worker_starts() -> None:
    """A lock outlives a killed worker (no expiry in Huey's storage): ``fengqiao worker`` deletes each at
    start, so every lock the code takes must be in its list."""
    import re

    from fengqiao.ops.management.commands.worker import LOCKS

    taken = set()
    for path in (ROOT / "src" / "fengqiao").rglob("*.py"):
        taken |= set(re.findall(r"lock_task\(\s*[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")))
    assert taken
    assert taken <= set(LOCKS)


@pytest.mark.django_db
def test_stale_claims_never_attempted_or_in_app_are_queued_again(settings: Any) -> None:
    from fengqiao.notifications import services
    from tests.notifications.test_outbox import CALLS

    city = build_city()
    settings.NOTIFICATION_SENDERS = {**settings.NOTIFICATION_SENDERS,
                                     "sms": "tests.notifications.test_outbox.CountingSender"}
    settings.SMS_QUIET_HOURS = (0, 0)
    CALLS.clear()
    handler = city.users["handler"].pk
    services.queue([services.Draft(dedup_key=f"k{i}", channel=channel, subject="催办", recipient_id=handler,
                                   kind="urge") for i, channel in enumerate(["sms", "sms", "in_app"])])
    assert len(sending.claim()) == 3  # a worker claimed all three, began the first SMS and the in-app one, died
    first, _second, in_app = Outbox.objects.order_by("pk")
    Outbox.objects.filter(pk__in=[first.pk, in_app.pk]).update(next_attempt_at=None)
    Outbox.objects.update(claimed_at=F("claimed_at") - sending.STALE - dt.timedelta(seconds=1))
    result = sending.send_due()
    assert (result.sent, result.failed) == (2, 0)  # the untried SMS and the in-app message
    rows = {row.pk: row for row in Outbox.objects.all()}
    assert rows[first.pk].status == Status.FAILED
    assert "delivery unknown" in rows[first.pk].last_error
    assert rows[_second.pk].status == rows[in_app.pk].status == Status.SENT
    assert len(CALLS) == 1  # the SMS in flight is not sent again

"""The supervision sweep in a real process, killed with SIGKILL inside a batch, then run again: the
committed batches stay, the killed one left nothing, and the re-run does exactly the rest — no step
recorded twice, no notification queued twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.notifications.models import Outbox
from tests.factories import City, build_city
from tests.intake.test_import_resume import database_url

SH = ZoneInfo("Asia/Shanghai")
CASES = 200
BATCH = 20
NOW = dt.datetime(2025, 10, 20, 9, 0, tzinfo=SH)
SCRIPT = """
import datetime as dt, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
import django
django.setup()
from fengqiao.cases import supervision_sweep
stall = int(sys.argv[2])
def hook(n):
    print(f"batch {n}", flush=True)
    if n == stall:
        time.sleep(120)  # inside the batch's transaction: the parent kills us here
r = supervision_sweep.sweep(dt.datetime.fromisoformat(sys.argv[1]), batch=int(sys.argv[3]), on_batch=hook)
print(f"done {r.events} {r.notifications}", flush=True)
"""


def overdue_cases(city: City) -> list[int]:
    """Cases led by departments[0] whose deadline passed long ago (督办 is due); built directly."""
    deadline = dt.datetime(2025, 10, 10, 23, 59, 59, tzinfo=SH)
    Case.objects.bulk_create([
        Case(code=f"K{i:06d}", channel="hotline_12345", title="噪声扰民", description="夜间施工", status="accepted",
             registered_at=deadline - dt.timedelta(days=7), deadline=deadline, lead_unit=city.departments[0],
             grid=city.grids[0], community=city.communities[0], street=city.street, district=city.district)
        for i in range(CASES)
    ])
    return list(Case.objects.order_by("pk").values_list("pk", flat=True))


def run(stall: int) -> subprocess.Popen[str]:
    env = {**os.environ, "FENGQIAO_DATABASE_URL": database_url()}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, NOW.isoformat(), str(stall), str(BATCH)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.django_db(transaction=True)
def test_kill_9_inside_a_batch_then_rerun_does_exactly_the_rest() -> None:
    city = build_city()
    ids = overdue_cases(city)
    per_case = 6  # 督办: handler, street dispatcher, city leader × in-app and SMS

    process = run(stall=4)
    assert process.stdout is not None
    started = time.monotonic()
    for line in process.stdout:
        if line.strip() == "batch 4":
            break
        assert time.monotonic() - started < 120
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    done = 3 * BATCH  # batches 1–3 committed; batch 4 died inside its transaction
    assert CaseEvent.objects.filter(action="escalate").count() == done
    assert Case.objects.filter(supervision_level=2).count() == done
    assert Outbox.objects.count() == done * per_case

    rerun = run(stall=0)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert out.strip().splitlines()[-1] == f"done {CASES - done} {(CASES - done) * per_case}"

    assert CaseEvent.objects.filter(action="escalate").count() == CASES
    for pk in ids:  # one step per case, on an intact chain
        assert list(CaseEvent.objects.filter(case_id=pk).values_list("seq", "action")) == [(1, "escalate")]
    assert Outbox.objects.count() == CASES * per_case
    assert Outbox.objects.values("dedup_key").distinct().count() == CASES * per_case

    third = run(stall=0)  # and once more: nothing left to do
    out, _err = third.communicate(timeout=120)
    assert out.strip().splitlines()[-1] == "done 0 0"

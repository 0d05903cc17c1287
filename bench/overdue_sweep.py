"""The overdue sweep over 200,000 open cases, on SQLite and PostgreSQL.

Data: N open cases (default 200,000) in every clock state; a share (default 20 %) is past its deadline.
Measured, same run, same database:
* baseline: the plain set-based ``UPDATE cases_case SET overdue = TRUE … WHERE deadline < now()`` —
  flags the rows and nothing else (no history);
* sweep: ``fengqiao.cases.overdue.sweep`` — flags the same rows AND writes one chained ``mark_overdue``
  event per case (the audit trail the house rules require), in batches of 2,000, one transaction each;
* steady state: both again when nothing new is due (what the every-minute job usually costs).

    uv run python bench/overdue_sweep.py [--engine sqlite|postgres|both] [--cases 200000] [--due 0.2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from _db import emit, fresh_database, run_per_engine, setup_django


def populate(n: int, due_share: float) -> None:
    from django.db import transaction
    from tests.factories import build_city

    from fengqiao.cases.models import Case
    from fengqiao.kit import clock

    city = build_city()
    rng = random.Random(7)
    now = clock.now()
    states = ["registered", "dispatched", "returned", "accepted", "reopened"]
    batch: list[Case] = []
    with transaction.atomic():
        for i in range(n):
            past = rng.random() < due_share
            offset = dt.timedelta(minutes=rng.randint(1, 14 * 24 * 60))
            batch.append(Case(
                code=f"B{i:09d}", channel="hotline_12345", title="bench", description="bench",
                status=rng.choice(states), registered_at=now - dt.timedelta(days=15),
                deadline=now - offset if past else now + offset, grid=city.grids[i % 4],
                district=city.district,
            ))
            if len(batch) == 5000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)


def baseline(now: dt.datetime) -> tuple[int, float]:
    from django.db import connection, transaction

    from fengqiao.cases.states import CLOCK_STATES

    states = [s.value for s in CLOCK_STATES]
    marks = ", ".join(["%s"] * len(states))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_case SET overdue = TRUE, overdue_since = deadline "
            f"WHERE deadline < %s AND overdue = FALSE AND status IN ({marks})",
            [now, *states],
        )
        rows = cursor.rowcount
    return rows, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--due", type=float, default=0.2)
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--cases", str(args.cases), "--due", str(args.due)])
    setup_django(fresh_database(args.engine, "sweep"))

    from fengqiao.cases import overdue
    from fengqiao.cases.models import Case, CaseEvent
    from fengqiao.kit import clock

    populate(args.cases, args.due)
    now = clock.now()
    base_rows, base_seconds = baseline(now)
    Case.objects.update(overdue=False, overdue_since=None)

    started = time.perf_counter()
    result = overdue.sweep(now)
    sweep_seconds = time.perf_counter() - started
    assert result.flagged == base_rows == CaseEvent.objects.filter(action="mark_overdue").count()

    idle_started = time.perf_counter()
    idle = overdue.sweep(now)
    idle_seconds = time.perf_counter() - idle_started
    idle_base_rows, idle_base_seconds = baseline(now)
    assert idle.flagged == 0
    assert idle_base_rows == 0

    emit({
        "bench": "overdue_sweep", "engine": args.engine, "open_cases": args.cases, "newly_overdue": base_rows,
        "sweep_s": round(sweep_seconds, 3), "baseline": "plain UPDATE … WHERE deadline < now",
        "baseline_s": round(base_seconds, 3), "ratio_to_baseline": round(sweep_seconds / base_seconds, 2),
        "events_written": result.flagged,
        "steady_sweep_s": round(idle_seconds, 4), "steady_baseline_s": round(idle_base_seconds, 4),
        "steady_ratio": round(idle_seconds / idle_base_seconds, 2),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The supervision sweep over N open cases (1,000,000 for the issue's figure), on SQLite and PostgreSQL.

Data, generated straight into a fresh database (COPY / executemany through kit.bulk): N open cases led by
a department, deadlines at the end of working days around a fixed "now" (Wednesday 12 Nov 2025, 10:00):
a share ``--due`` (default 20 %) due for a step of the default ladder — a third each for the reminder
(deadline today), 催办 (deadline passed, less than two working days ago) and 督办 (two or more working
days ago) — 10 % long overdue with the ladder already done, the rest due in 3 to 30 days.

Measured, same run, same database:
* baseline: ONE ``SELECT step, COUNT(*) … GROUP BY step`` counting the due cases per ladder step (the
  same thresholds; it writes nothing);
* sweep: ``fengqiao.cases.supervision_sweep.sweep`` — finds the same cases, writes one chained event per
  case, its new level and ladder progress, and queues its notifications in the outbox (in batches of
  1,000, one transaction each);
* steady state: both again when nothing new is due (what the five-minute job usually costs).

    uv run python bench/supervision_sweep.py [--engine sqlite|postgres|both] [--cases 200000] [--due 0.2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from zoneinfo import ZoneInfo

from _db import emit, fresh_database, run_per_engine, setup_django

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 11, 12, 10, 0, tzinfo=SH)
END = dt.time(23, 59, 59)


def populate(n: int, due_share: float) -> None:
    from django.db import transaction
    from tests.factories import build_city

    from fengqiao.cases.models import Case
    from fengqiao.kit import bulk

    city = build_city()
    rng = random.Random(7)
    today = NOW.date()

    def day(offset: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=offset), END, tzinfo=SH)

    remind = [day(0)]  # one working day left
    urge = [day(-1), day(-2)]  # Tue, Mon: passed, less than two working days ago
    supervise = [day(-d) for d in range(5, 40) if (today - dt.timedelta(days=d)).weekday() < 5]
    future = [day(d) for d in range(3, 31)]
    states = ["registered", "dispatched", "accepted", "accepted", "reopened"]
    # one template row in its database form; each case varies a few columns (values converted once)
    template = Case(code="", channel="hotline_12345", title="噪声扰民", description="bench", status="accepted",
                    registered_at=NOW, deadline=NOW, lead_unit=city.departments[0], grid=city.grids[0],
                    community=city.communities[0], street=city.street, district=city.district)
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    converters = {f.attname: bulk._converter(f) for f in fields}
    base = [converters[f.attname](getattr(template, f.attname)) if converters[f.attname]  # type: ignore[misc]
            else getattr(template, f.attname) for f in fields]
    at = {name: columns.index(name) for name in ("code", "status", "deadline", "registered_at",
                                                   "supervision_level", "ladder_step", "ladder_deadline")}
    convert_dt = converters["deadline"] or (lambda v: v)
    cache: dict[dt.datetime, object] = {}

    def db(value: dt.datetime) -> object:
        if value not in cache:
            cache[value] = convert_dt(value)
        return cache[value]

    rows: list[list[object]] = []
    with transaction.atomic():
        for i in range(n):
            r = rng.random()
            done = False
            if r < due_share / 3:
                deadline = remind[0]
            elif r < 2 * due_share / 3:
                deadline = rng.choice(urge)
            elif r < due_share:
                deadline = rng.choice(supervise)
            elif r < due_share + 0.1:
                deadline, done = rng.choice(supervise), True
            else:
                deadline = rng.choice(future)
            row = list(base)
            row[at["code"]] = f"S{i:09d}"
            row[at["status"]] = rng.choice(states)
            row[at["deadline"]] = db(deadline)
            row[at["registered_at"]] = db(deadline - dt.timedelta(days=10))
            if done:
                row[at["supervision_level"]], row[at["ladder_step"]] = 2, 3
                row[at["ladder_deadline"]] = db(deadline)
            rows.append(row)
            if len(rows) == 50_000:
                bulk.insert_rows(Case._meta.db_table, columns, rows)
                rows = []
        bulk.insert_rows(Case._meta.db_table, columns, rows)


def baseline(now: dt.datetime) -> tuple[dict[int, int], float]:
    """One GROUP BY: the due cases per step of the default ladder, by the same thresholds."""
    from django.db import connection

    from fengqiao.cases.states import CLOCK_STATES
    from fengqiao.cases.supervision import DEFAULT_LADDER, Calendar

    calendar = Calendar()
    highs = [calendar.due_ranges(step, now)[0][1] for step in DEFAULT_LADDER.steps]
    adapt = connection.ops.adapt_datetimefield_value
    states = [s.value for s in CLOCK_STATES]
    marks = ", ".join(["%s"] * len(states))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        step = "CASE WHEN deadline <= %s THEN 3 WHEN deadline <= %s THEN 2 ELSE 1 END"
        cursor.execute(
            f"SELECT {step} AS step, COUNT(*) FROM cases_case WHERE status IN ({marks}) AND deadline <= %s "
            f"AND (ladder_deadline IS NULL OR ladder_deadline <> deadline OR ladder_step < {step}) GROUP BY 1",
            [adapt(highs[2]), adapt(highs[1]), *states, adapt(highs[0]), adapt(highs[2]), adapt(highs[1])],
        )
        counts = {int(step): int(count) for step, count in cursor.fetchall()}
    return counts, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--due", type=float, default=0.2)
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--cases", str(args.cases), "--due", str(args.due)])
    setup_django(fresh_database(args.engine, "supervision"))
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 14 bench users

    from django.db import connection

    from fengqiao.cases import supervision_sweep
    from fengqiao.notifications.models import Outbox

    started = time.perf_counter()
    populate(args.cases, args.due)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    populate_seconds = time.perf_counter() - started

    base, base_seconds = baseline(NOW)
    result = supervision_sweep.sweep(NOW)
    assert result.reminded == base.get(1, 0), (result, base)
    assert result.escalated == {level: base[step] for level, step in ((1, 2), (2, 3)) if base.get(step)}, base
    idle_base, idle_base_seconds = baseline(NOW)
    idle = supervision_sweep.sweep(NOW)
    assert idle.events == 0
    assert idle_base == {}

    emit({
        "bench": "supervision_sweep", "engine": args.engine, "open_cases": args.cases,
        "populate_s": round(populate_seconds, 1), "due": sum(base.values()),
        "reminders": result.reminded, "urge": result.escalated.get(1, 0), "supervise": result.escalated.get(2, 0),
        "events_written": result.events, "notifications_queued": Outbox.objects.count(),
        "sweep_s": round(result.seconds, 3), "baseline": "one SELECT step, COUNT(*) … GROUP BY step",
        "baseline_s": round(base_seconds, 3), "ratio_to_baseline": round(result.seconds / base_seconds, 1),
        "steady_sweep_s": round(idle.seconds, 4), "steady_baseline_s": round(idle_base_seconds, 4),
        "steady_ratio": round(idle.seconds / idle_base_seconds, 2),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())

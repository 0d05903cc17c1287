"""The monthly performance ranking (三率) over a year of cases, on SQLite and PostgreSQL.

Data (written straight into a fresh database, COPY on PostgreSQL / executemany on SQLite): N cases
(default 150,000; the issue's figure is ``--cases 1500000``) registered over calendar year 2025, each
with its lead assignment (5 % returned and re-dispatched to a second lead, 20 % with an assisting unit),
185 units, replies on time or late, and evaluations for 70 % of the replied cases.
Measured, same run, same database:
* ``rollup_month_s``: ``analytics.rollup.compute_month`` for one month (all three rates, exemptions, the
  formula, ranks, rows written) — what ``fengqiao ranking --month`` does when the month is stale;
* ``rollup_year_s``: the same for all 12 months;
* baseline: one plain ``SELECT unit_id, COUNT(*), SUM(accepted) … GROUP BY unit_id`` over the lead
  assignments of the month (and of the year) — one pass, one rate, no deadlines, no evaluations;
* ``page_read_ms``: what the ranking page reads afterwards (the month's ``UnitMonth`` rows).

    uv run python bench/ranking.py [--engine sqlite|postgres|both] [--cases 150000]
    uv run python bench/ranking.py --engine postgres --reuse   # time again on the last run's database
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from typing import Any

from _db import PG_DEFAULT, emit, fresh_database, run_per_engine, setup_django

UNITS = 185
YEAR = 2025


def _columns(model: Any, values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Every concrete column of ``model`` with a default for the NOT NULL ones (values override)."""
    from django.db import models

    columns, defaults = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in values:
            continue
        columns.append(field.column)
        if field.attname in values:
            defaults.append(values[field.attname])
        elif field.null:
            defaults.append(None)
        elif field.has_default():
            default = field.get_default()
            defaults.append(default if not isinstance(field, models.JSONField) else "{}")
        elif isinstance(field, models.BooleanField):
            defaults.append(False)
        elif isinstance(field, models.IntegerField | models.FloatField):
            defaults.append(0)
        else:
            defaults.append("")
    return columns, defaults


def populate(n: int) -> dict[str, int]:
    from django.db import connection, transaction
    from tests.factories import build_city

    from fengqiao.cases.models import Assignment, Case, Evaluation
    from fengqiao.jurisdictions.models import Level, Unit, UnitKind
    from fengqiao.kit import clock
    from fengqiao.kit.bulk import insert_rows

    sqlite = connection.vendor == "sqlite"
    if sqlite:  # a throw-away database: no fsync while loading
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")

    def when(value: dt.datetime | None) -> Any:
        if value is None or not sqlite:
            return value
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    city = build_city()
    units = [u.pk for u in city.departments]
    Unit.objects.bulk_create([
        Unit(code=f"BU{i:03d}", name=f"测试单位{i:03d}", kind=UnitKind.DEPARTMENT, level=Level.CITY, area=city.city)
        for i in range(UNITS - len(units))
    ])
    units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_OFFICE])
                 .values_list("pk", flat=True))
    categories = [c.pk for c in city.categories.values()]
    rng = random.Random(2025)
    start = clock.at_local(dt.date(YEAR, 1, 1), dt.time())
    seconds = (clock.at_local(dt.date(YEAR + 1, 1, 1), dt.time()) - start).total_seconds() - 40 * 86400
    case_cols, case_template = _columns(Case, {"id": 0, "code": "", "channel": "hotline_12345", "title": "bench",
                                                "description": "bench", "status": "closed", "urgency": "normal"})
    ci = {c: i for i, c in enumerate(case_cols)}
    a_cols = ["case_id", "unit_id", "role", "status", "dispatched_at", "accepted_at", "closed_at", "return_reason"]
    e_cols = ["case_id", "round", "rating", "comment", "via", "by_id", "at"]
    counts = {"cases": 0, "assignments": 0, "evaluations": 0}
    hour = dt.timedelta(hours=1)
    batch = 20_000
    for first in range(1, n + 1, batch):
        cases: list[list[Any]] = []
        assignments: list[tuple[Any, ...]] = []
        evaluations: list[tuple[Any, ...]] = []
        for pk in range(first, min(first + batch, n + 1)):
            registered = start + dt.timedelta(seconds=rng.random() * seconds)
            deadline = registered + dt.timedelta(days=7)
            dispatched = registered + dt.timedelta(minutes=10)
            lead = rng.choice(units)
            if rng.random() < 0.05:  # returned within hours, re-dispatched to another unit
                returned = dispatched + rng.random() * 30 * hour
                assignments.append((pk, lead, "lead", "returned", when(dispatched), None, when(returned),
                                    "非本单位职责"))
                dispatched, lead = returned + hour, rng.choice(units)
            if rng.random() < 0.2:
                assignments.append((pk, rng.choice(units), "assist", "done", when(dispatched), when(dispatched + hour),
                                    None, ""))
            accepted = dispatched + rng.random() * 28 * hour  # 24 h to sign for: ~14 % late
            replied = accepted + dt.timedelta(days=rng.random() * 8.5)  # 7 days to resolve: some late
            assignments.append((pk, lead, "lead", "done", when(dispatched), when(accepted), when(replied), ""))
            row = list(case_template)
            row[ci["id"]], row[ci["code"]] = pk, f"B{pk:09d}"
            row[ci["category_id"]], row[ci["lead_unit_id"]] = rng.choice(categories), lead
            row[ci["registered_at"]], row[ci["dispatched_at"]] = when(registered), when(dispatched)
            row[ci["accepted_at"]], row[ci["replied_at"]] = when(accepted), when(replied)
            row[ci["deadline"]] = when(deadline)
            if rng.random() < 0.7:
                roll = rng.random()
                rating = "satisfied" if roll < 0.8 else "basically" if roll < 0.92 else "unsatisfied"
                evaluations.append((pk, 1, rating, "", "callback", None,
                                    when(replied + dt.timedelta(days=rng.random() * 3))))
                row[ci["satisfaction"]] = rating
            cases.append(row)
        with transaction.atomic():
            insert_rows(Case._meta.db_table, case_cols, cases)
            insert_rows(Assignment._meta.db_table, a_cols, assignments)
            insert_rows(Evaluation._meta.db_table, e_cols, evaluations)
        counts["cases"] += len(cases)
        counts["assignments"] += len(assignments)
        counts["evaluations"] += len(evaluations)
    if not sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def baseline(first: dt.datetime, end: dt.datetime) -> tuple[int, float]:
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id, COUNT(*), SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END) "
            "FROM cases_assignment WHERE role = 'lead' AND dispatched_at >= %s AND dispatched_at < %s "
            "GROUP BY unit_id", [first, end])
        rows = cursor.fetchall()
    return len(rows), time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--cases", type=int, default=150_000)
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: keep the database the last run generated (no new data)")
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--cases", str(args.cases)])
    if args.reuse and args.engine == "postgres":
        import os
        import tempfile

        base = os.environ.get("FENGQIAO_BENCH_POSTGRES_URL", PG_DEFAULT)
        os.environ["FENGQIAO_DATA_DIR"] = tempfile.mkdtemp(prefix="fq-ranking-")
        setup_django(f"{base}_ranking")
    else:
        setup_django(fresh_database(args.engine, "ranking"))

    from django.db import connection
    from django.db.models import Sum

    from fengqiao.accounts.models import User
    from fengqiao.analytics import rollup, selectors
    from fengqiao.analytics.models import UnitMonth
    from fengqiao.cases.models import Assignment, Case, Evaluation

    began = time.perf_counter()
    if args.reuse and Case.objects.exists():
        counts = {"cases": Case.objects.count(), "assignments": Assignment.objects.count(),
                  "evaluations": Evaluation.objects.count()}
    else:
        counts = populate(args.cases)
    generate_s = time.perf_counter() - began

    june = dt.date(YEAR, 6, 1)
    month_base_units, month_base_s = baseline(*rollup.bounds(june))
    began = time.perf_counter()
    state = rollup.compute_month(june)
    month_s = time.perf_counter() - began
    assert state.units == month_base_units, (state.units, month_base_units)
    dispatched = UnitMonth.objects.filter(month=june).aggregate(n=Sum("cases"), x=Sum("response_due"))

    _, year_base_s = baseline(rollup.bounds(dt.date(YEAR, 1, 1))[0],
                              rollup.bounds(dt.date(YEAR, 12, 1))[1])
    began = time.perf_counter()
    for m in range(1, 13):
        rollup.compute_month(dt.date(YEAR, m, 1))
    year_s = time.perf_counter() - began

    admin = User.objects.get(username="admin")
    began = time.perf_counter()
    shown = len(list(selectors.rows_for(admin, june)))
    page_ms = (time.perf_counter() - began) * 1000
    emit({
        "bench": "ranking", "engine": connection.vendor, **counts, "units": shown,
        "generate_s": round(generate_s, 1), "month_lead_cases": dispatched["n"],
        "rollup_month_s": round(month_s, 3), "baseline": "one GROUP BY unit over the lead assignments",
        "baseline_month_s": round(month_base_s, 3), "ratio_month": round(month_s / month_base_s, 1),
        "rollup_year_s": round(year_s, 3), "baseline_year_s": round(year_base_s, 3),
        "ratio_year": round(year_s / year_base_s, 1), "page_read_ms": round(page_ms, 2),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())

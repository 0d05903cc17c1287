"""The leaders' cockpit over three years of a city (default 4,000,000 cases), on SQLite and PostgreSQL.

Data (written straight into a fresh database): 6 districts, 90 streets, 450 communities and about 3,150
grids with centroids; 15 top categories of 4 leaves each; 40 lead units; ``--cases`` cases spread over the
1,095 days before now, in the demo's channel mix, most with a point near their grid, states by age (old
ones closed or replied, recent ones open), deadlines, late replies, evaluations, overdue flags; 36 months of
the assessment's unit rows (``UnitMonth``), which the cockpit's ranking reads.

Measured, same run, same database:
* ``rollup_s``: ``cockpit.rollup.ensure(force=True)`` over the 37 months (built from nothing);
* the cockpit's data endpoint (``/cockpit/data/``, everything the page draws: totals and the previous
  period, three trends, channels, categories, child areas, the h3 heat map, the ranking, the risk map and
  the other parts' figures) through Django's test client as a city-wide leader, ``--requests`` requests
  over random scopes (the city, a district, a street) and periods (a month, a quarter, a year, the last 12
  months): p50/p95/p99 of all (``data_*``) and of the first request of each scope and period (``cold_*``:
  nothing cached, every figure read from the rollups); the process's very first request (imports) apart;
* baseline: for the same kind of request, the equivalent raw GROUP BY queries over the case table
  (totals, by channel, by category, by child area, the daily/monthly trend; no heat map, no ranking):
  ``--baseline-requests`` of them, p50/p95; ``ratio_p95`` = baseline p95 / cockpit p95.

    uv run python bench/cockpit.py                                   # both engines, 4,000,000 cases
    uv run python bench/cockpit.py --engine sqlite --cases 200000    # a smoke run
    uv run python bench/cockpit.py --engine postgres --reuse         # again on the last PostgreSQL data
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from typing import Any

from _db import emit, existing_database, fresh_database, percentiles, run_per_engine, setup_django, timed

CHANNELS = [("hotline_12345", 55), ("grid_patrol", 20), ("mini_program", 8), ("police_110", 7), ("petition", 4),
            ("walk_in", 3), ("procuratorate_12309", 1.5), ("court_12368", 1.5)]
DAYS = 1095


def _jurisdiction(rng: random.Random) -> dict[str, Any]:
    from fengqiao.demo.geography import DISTRICTS
    from fengqiao.jurisdictions.models import Area, Level

    def square(lng: float, lat: float, size: float) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[[lng - size, lat - size], [lng + size, lat - size],
                                                    [lng + size, lat + size], [lng - size, lat + size],
                                                    [lng - size, lat - size]]]}

    city = Area.objects.create(code="3212", name="泰州市", level=Level.CITY)
    districts, streets, grids = [], [], []
    for d in DISTRICTS:
        district = Area.objects.create(code=d.code, name=d.name, level=Level.DISTRICT, parent=city,
                                       geometry=square(*d.seed, 0.08), centroid_lng=d.seed[0], centroid_lat=d.seed[1])
        districts.append(district)
        for s in range(d.streets):
            lng, lat = d.seed[0] + rng.uniform(-0.07, 0.07), d.seed[1] + rng.uniform(-0.07, 0.07)
            street = Area.objects.create(code=f"{d.code}{s + 1:03d}", name=f"{d.name[:2]}第{s + 1}街道",
                                         level=Level.STREET, parent=district, geometry=square(lng, lat, 0.012),
                                         centroid_lng=lng, centroid_lat=lat)
            streets.append(street)
            for c in range(5):
                community = Area.objects.create(code=f"{street.code}{c + 1:03d}", name=f"{street.name}第{c + 1}社区",
                                                level=Level.COMMUNITY, parent=street)
                for g in range(7):
                    glng, glat = lng + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.01, 0.01)
                    code = f"{community.code}{g + 1:02d}"
                    grids.append(Area(code=code, name=f"{community.name}第{g + 1}网格", level=Level.GRID,
                                      parent=community, path=f"{community.path}/{code}",
                                      centroid_lng=glng, centroid_lat=glat))
    Area.objects.bulk_create(grids, batch_size=2000)
    grid_rows = list(Area.objects.filter(level=Level.GRID).values_list(
        "pk", "parent_id", "parent__parent_id", "parent__parent__parent_id", "centroid_lng", "centroid_lat"))
    return {"city": city, "districts": districts, "streets": streets, "grids": grid_rows}


def _categories_units(city: Any) -> tuple[list[int], list[int]]:
    from fengqiao.cases.models import Category
    from fengqiao.jurisdictions.models import Level, Unit, UnitKind

    leaves = []
    for t in range(15):
        top = Category.objects.create(code=f"{t + 1:02d}", name=f"一级分类{t + 1}", level=1)
        for m in range(4):
            leaf = Category.objects.create(code=f"{top.code}{m + 1:02d}", name=f"{top.name}-{m + 1}", level=2,
                                           parent=top)
            leaves.append(leaf.pk)
    units = Unit.objects.bulk_create([Unit(code=f"U{i:02d}", name=f"市第{i + 1}局", kind=UnitKind.DEPARTMENT,
                                           level=Level.CITY, area=city) for i in range(40)])
    return leaves, [u.pk for u in units]


def _case_rows(rng: random.Random, n: int, world: dict[str, Any], leaves: list[int], units: list[int],
               now: dt.datetime, offset: int) -> list[tuple[Any, ...]]:
    channels, weights = [c for c, _w in CHANNELS], [w for _c, w in CHANNELS]
    rows = []
    grids = world["grids"]
    picked_channels = rng.choices(channels, weights, k=n)
    for i in range(n):
        grid, community, street, district, glng, glat = rng.choice(grids)
        registered = now - dt.timedelta(seconds=rng.uniform(0, DAYS * 86400))
        age_days = (now - registered).total_seconds() / 86400
        deadline = registered + dt.timedelta(days=5)
        r = rng.random()
        if age_days > 20 or r < age_days / 20:
            status = "closed" if r < 0.8 else ("replied" if r < 0.93 else ("merged" if r < 0.97 else "cancelled"))
        else:
            status = rng.choice(["registered", "dispatched", "accepted", "accepted"])
        replied = registered + dt.timedelta(days=rng.uniform(0.3, 6.5)) if status in ("closed", "replied") else None
        satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [70, 20, 10])[0] if (
            status == "closed" and rng.random() < 0.7) else ""
        overdue = (replied is not None and replied > deadline) or (replied is None and deadline < now and status in (
            "registered", "dispatched", "accepted"))
        point = rng.random() < 0.8
        rows.append({
            "code": f"B{offset + i:011d}", "channel": picked_channels[i], "title": "诉求", "description": "诉求内容",
            "category_id": rng.choice(leaves), "urgency": "normal", "status": status,
            "lng": glng + rng.uniform(-0.003, 0.003) if point else None,
            "lat": glat + rng.uniform(-0.003, 0.003) if point else None,
            "grid_id": grid, "community_id": community, "street_id": street, "district_id": district,
            "lead_unit_id": rng.choice(units) if status not in ("registered",) else None,
            "registered_at": registered, "replied_at": replied, "closed_at": replied if status == "closed" else None,
            "deadline": deadline, "overdue": overdue, "satisfaction": satisfaction,
        })
    return rows


def populate(n: int, seed: int = 2026) -> dict[str, Any]:
    from django.db import connection, transaction

    from fengqiao.cases.models import Case
    from fengqiao.kit import clock

    rng = random.Random(seed)
    now = clock.now()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = WAL")
    with transaction.atomic():
        world = _jurisdiction(rng)
        leaves, units = _categories_units(world["city"])
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    template = [f.get_db_prep_save(None if f.null else f.get_default(), connection) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    stamps = {f.attname for f in fields if f.get_internal_type() == "DateTimeField"}
    adapt = connection.ops.adapt_datetimefield_value
    table = Case._meta.db_table
    batch = 20_000
    for start in range(0, n, batch):
        rows = _case_rows(rng, min(batch, n - start), world, leaves, units, now, start)
        values = []
        for row in rows:
            value = list(template)
            for name, v in row.items():
                value[position[name]] = adapt(v) if name in stamps and v is not None else v
            values.append(tuple(value))
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY {table} ({", ".join(columns)}) FROM STDIN') as copy:
                    for v in values:
                        copy.write_row(v)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO {table} ({", ".join(columns)}) VALUES ({marks})', values)
        if start % 500_000 == 0:
            print(f"  … {start + len(rows):,} cases", file=sys.stderr, flush=True)
    _unit_months(rng, units, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cases": n, "grids": len(world["grids"]), "streets": len(world["streets"])}


def _unit_months(rng: random.Random, units: list[int], now: dt.datetime) -> None:
    from fengqiao.analytics.models import UnitMonth
    from fengqiao.analytics.rollup import formula_for

    month = (now.date() - dt.timedelta(days=DAYS)).replace(day=1)
    formula = formula_for(month)
    rows = []
    while month <= now.date():
        for unit in units:
            cases = rng.randint(200, 4000)
            due = int(cases * 0.95)
            rows.append(UnitMonth(month=month, unit_id=unit, formula=formula, cases=cases, response_due=due,
                                  responded=int(due * rng.uniform(0.9, 1)), resolution_due=due,
                                  resolved=int(due * rng.uniform(0.8, 0.99)), satisfied=int(cases * 0.5),
                                  basically=int(cases * 0.2), unsatisfied=int(cases * 0.05), computed_at=now))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    UnitMonth.objects.bulk_create(rows, batch_size=2000)


def _requests(rng: random.Random, n: int) -> list[tuple[int, str]]:
    from fengqiao.cockpit.models import CITY_SCOPE
    from fengqiao.jurisdictions.models import Area, Level
    from fengqiao.kit import clock

    districts = list(Area.objects.filter(level=Level.DISTRICT).values_list("pk", flat=True))
    streets = list(Area.objects.filter(level=Level.STREET).values_list("pk", flat=True))
    today = clock.today()
    months = [f"{(today.replace(day=1) - dt.timedelta(days=31 * k)).replace(day=1):%Y-%m}" for k in range(24)]
    periods = [*months[:6], f"{today.year}-Q{(today.month - 1) // 3 + 1}", f"{today.year - 1}-Q2", str(today.year),
               str(today.year - 1), "12m"]
    found = []
    for _i in range(n):
        scope = rng.choices([CITY_SCOPE, rng.choice(districts), rng.choice(streets)], [3, 4, 3])[0]
        found.append((scope, rng.choice(periods)))
    return found


def _baseline(scope: int, period_key: str) -> float:
    """The same figures as the cockpit's main charts, straight from the case table with GROUP BY."""
    from django.db import connection

    from fengqiao.cockpit import selectors
    from fengqiao.jurisdictions.models import Area, Level
    from fengqiao.kit import clock

    period = selectors.parse_period(period_key)
    start, end = clock.at_local(period.start, dt.time()), clock.at_local(period.end, dt.time())
    where, params = "registered_at >= %s AND registered_at < %s", [start, end]
    child = "district_id"
    if scope:
        level = Area.objects.get(pk=scope).level
        where += f" AND {'district_id' if level == Level.DISTRICT else 'street_id'} = %s"
        params.append(scope)
        child = "street_id" if level == Level.DISTRICT else "grid_id"
    measures = ("COUNT(*), SUM(CASE WHEN status IN ('replied','closed') THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN overdue THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction IN ('satisfied','basically') "
                "THEN 1 ELSE 0 END)")
    day = "date(registered_at)" if connection.vendor == "sqlite" else "date_trunc('day', registered_at)"
    queries = [f"SELECT {measures} FROM cases_case WHERE {where}",
               f"SELECT channel, {measures} FROM cases_case WHERE {where} GROUP BY channel",
               f"SELECT category_id, {measures} FROM cases_case WHERE {where} GROUP BY category_id",
               f"SELECT {child}, {measures} FROM cases_case WHERE {where} GROUP BY {child}",
               f"SELECT {day}, COUNT(*) FROM cases_case WHERE {where} GROUP BY {day}"]
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - began) * 1000


def _counts() -> dict[str, Any]:
    from fengqiao.cases.models import Case
    from fengqiao.jurisdictions.models import Area, Level

    return {"cases": Case.objects.count(), "grids": Area.objects.filter(level=Level.GRID).count(),
            "streets": Area.objects.filter(level=Level.STREET).count()}


def measure(engine: str, counts: dict[str, Any], generate_s: float | None, requests: int,
            baseline_requests: int, skip_rollup: bool = False) -> None:
    from django.core.cache import cache
    from django.test import Client

    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role
    from fengqiao.cockpit import rollup
    from fengqiao.cockpit.models import Fact
    from fengqiao.jurisdictions.models import Area, Level

    if skip_rollup:
        rollup_s, facts = None, Fact.objects.count()
    else:
        done, rollup_s = timed(lambda: rollup.ensure(force=True))
        facts = sum(r.rows for r in done)
    leader, _made = User.objects.get_or_create(username="bench-leader", defaults={"display_name": "leader"})
    Membership.objects.get_or_create(user=leader, role=Role.LEADER, area=Area.objects.get(level=Level.CITY))
    client = Client()
    client.force_login(leader)
    rng = random.Random(7)
    plan = _requests(rng, requests)
    _warm, first_ms = timed(lambda: client.get("/cockpit/data/", {"period": "2000-01"}))  # imports, catalogs
    cache.clear()
    samples, cold, seen, errors = [], [], set(), 0
    for scope, period in plan:
        began = time.perf_counter()
        response = client.get("/cockpit/data/", {"scope": str(scope), "period": period})
        took = (time.perf_counter() - began) * 1000
        samples.append(took)
        if (scope, period) not in seen:  # the first reader of a scope and period: nothing cached
            cold.append(took)
            seen.add((scope, period))
        errors += response.status_code != 200
    page = []
    for _i in range(10):
        began = time.perf_counter()
        client.get("/cockpit/")
        page.append((time.perf_counter() - began) * 1000)
    base = [_baseline(scope, period) for scope, period in plan[:baseline_requests]]
    cockpit = percentiles(samples)
    baseline = percentiles(base)
    emit({"bench": "cockpit", "engine": engine, **counts,
          "generate_s": None if generate_s is None else round(generate_s, 1),
          "rollup_s": None if rollup_s is None else round(rollup_s, 1),
          "rollup_cases_per_s": None if rollup_s is None else round(counts["cases"] / rollup_s),
          "fact_rows": facts, "requests": len(samples), "errors": errors,
          "first_request_s": round(first_ms, 1),
          **{f"data_{k}": v for k, v in cockpit.items()},
          "cold_requests": len(cold), **{f"cold_{k}": v for k, v in percentiles(cold).items()},
          "page_p50_ms": percentiles(page)["p50_ms"],
          "baseline_requests": len(base), **{f"baseline_{k}": v for k, v in baseline.items()},
          "ratio_p95": round(baseline["p95_ms"] / cockpit["p95_ms"], 1),
          "ratio_cold_p95": round(baseline["p95_ms"] / percentiles(cold)["p95_ms"], 1),
          "target_p95_ms": 300, "met": cockpit["p95_ms"] < 300 and errors == 0})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--cases", type=int, default=4_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline-requests", type=int, default=20)
    parser.add_argument("--skip-rollup", action="store_true",
                        help="with --reuse: read the rollups already there (no rollup_s)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the database an earlier run of this engine generated (no generate_s)")
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], [
            "--cases", str(args.cases), "--requests", str(args.requests),
            "--baseline-requests", str(args.baseline_requests)])
    if args.reuse:
        setup_django(existing_database(args.engine, "cockpit"))
        counts, generate_s = _counts(), None
    else:
        setup_django(fresh_database(args.engine, "cockpit"))
        counts, generate_s = timed(lambda: populate(args.cases))
    measure(args.engine, counts, generate_s, args.requests, args.baseline_requests,
            skip_rollup=args.reuse and args.skip_rollup)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Patrol coverage of one month, city-wide, on SQLite and PostgreSQL (gridwork/coverage.py).

Data (written straight into a fresh database: COPY on PostgreSQL, executemany on SQLite): the demo's
jurisdiction tree (``demo.geography``: 6,906 grids in 90 streets at ``--scale full``), ``--places`` patrol
places (default 50,000; every 7 / 14 / 30 / 90 days, 2 % created during the measured month, 3 % inactive)
and ``--visits`` visits *per month* (default 100,000) over three months — the measured month (March 2025)
and the two before it, so "the last visit before the month" finds real rows.  A visit goes to a place with
a weight of 1 / every_days (so a weekly place is visited more often; some places are missed), 5 % to no place,
3 % reach the server days late (an offline phone), 2 % raised a case.

Measured, same run, same database:
* ``month_s``: ``coverage.month_coverage`` for the month over every grid (planned / visited / overdue per
  grid, visits, report delays) — what the city's page and ``fengqiao coverage --month`` compute; the best
  of three runs (``month_first_s`` the first);
* ``street_s``: the same for one street's grids plus its blind spots' overdue places (a street leader's page);
* ``page_city_ms`` / ``page_street_ms``: the whole /coverage/ page through Django (session, scope, map,
  chart, template) for the administrator and for one street;
* ``campaign_s``: a city-wide campaign over schools and companies, per grid;
* baseline: one ``SELECT grid_id, COUNT(*) FROM gridwork_visit WHERE observed_at in the month GROUP BY grid_id``.

    uv run python bench/coverage.py                       # both engines, full size (several minutes)
    uv run python bench/coverage.py --engine sqlite --scale small --places 2000 --visits 4000   # a smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import uuid

from _db import emit, fresh_database, run_per_engine, setup_django, timed, timed_query

MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
MEASURED = MONTHS[-1]
EVERY = [7, 14, 30, 30, 30, 90]


def populate(scale: str, n_places: int, n_visits: int) -> dict[str, int]:
    from django.db import connection, transaction

    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role
    from fengqiao.demo import geography
    from fengqiao.demo.build import write_areas
    from fengqiao.gridwork.coverage import month_bounds
    from fengqiao.gridwork.models import Campaign, Place, PlaceKind, TeamRole, Visit
    from fengqiao.jurisdictions.models import Level
    from fengqiao.kit import bulk, clock

    if connection.vendor == "sqlite":  # a throw-away database: no fsync while loading
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    with transaction.atomic():  # the demo's seed: the demo's city (6,906 grids at full scale)
        areas = write_areas(geography.build(geography.SCALES[scale], random.Random(2026)))
    rng = random.Random(2025)
    grids = [a for a in areas.values() if a.level == Level.GRID]
    admin = User.objects.create_superuser(username="admin", password="bench-password-1", display_name="admin")
    street = next(a for a in areas.values() if a.level == Level.STREET)
    leader = User.objects.create_user(username="leader_street", password="bench-password-1", display_name="镇街领导")
    Membership.objects.create(user=leader, role=Role.LEADER, area=street)
    worker = User.objects.create_user(username="worker", password="bench-password-1")
    first_start = month_bounds(MONTHS[0])[0]
    m_start, m_end = month_bounds(MEASURED)
    kinds = [k.value for k in PlaceKind]
    places: list[Place] = []
    for pk in range(1, n_places + 1):
        grid = rng.choice(grids)
        created = (m_start + (m_end - m_start) * rng.random() if rng.random() < 0.02
                   else first_start - dt.timedelta(days=rng.uniform(1, 400)))
        places.append(Place(pk=pk, grid=grid, kind=rng.choice(kinds), name=f"点位{pk}", address="",
                            lng=grid.centroid_lng or 0.0, lat=grid.centroid_lat or 0.0, every_days=rng.choice(EVERY),
                            active=rng.random() > 0.03, created_at=clock.localtime(created)))
    with transaction.atomic():
        bulk.insert(Place, places)
    campaign = Campaign.objects.create(
        name="律师进企业·检察官进校园", area=areas["3212"], place_kinds=[PlaceKind.SCHOOL, PlaceKind.COMPANY],
        team_role=TeamRole.LAWYER, starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 20), created_by=admin,
        created_at=first_start)
    weights = [1.0 / p.every_days for p in places]
    counts = {"grids": len(grids), "places": n_places, "visits": 0, "cases": 0}
    pk = 0
    next_case = 1
    for month in MONTHS:
        start, end = month_bounds(month)
        span = (end - start).total_seconds()
        chosen = rng.choices(places, weights=weights, k=n_visits)
        visits: list[Visit] = []
        cases: list[tuple[int, dt.datetime]] = []  # (case id, registered at)
        for where in chosen:
            observed = start + dt.timedelta(seconds=rng.random() * span)
            if where.created_at >= end:
                continue  # not there yet this month
            pk += 1
            if where.created_at > observed:
                observed = where.created_at + (end - where.created_at) * rng.random()
            late = rng.random() < 0.03
            delay = dt.timedelta(days=rng.uniform(1, 6)) if late else dt.timedelta(seconds=rng.lognormvariate(4, 1))
            place = where if rng.random() > 0.05 else None
            lawyer = place is not None and place.kind in (PlaceKind.SCHOOL, PlaceKind.COMPANY) and month == MEASURED \
                and rng.random() < 0.3
            visits.append(Visit(pk=pk, client_id=uuid.UUID(int=pk), grid_id=where.grid_id, place=place,
                                campaign=campaign if lawyer else None, worker=worker,
                                team_role=TeamRole.LAWYER if lawyer else TeamRole.GRID_WORKER,
                                observed_at=observed, received_at=observed + delay, lng=where.lng, lat=where.lat,
                                accuracy_m=None, finding="normal", note="", case_id=None))
            if rng.random() < 0.02:
                visits[-1].case_id = next_case
                cases.append((next_case, observed + delay + dt.timedelta(seconds=rng.uniform(5, 600))))
                next_case += 1
        with transaction.atomic():
            _cases(cases)
            for i in range(0, len(visits), 20_000):
                bulk.insert(Visit, visits[i:i + 20_000])
        counts["cases"] += len(cases)
        counts["visits"] += len(visits)
        counts["month_visits"] = len(visits)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def _cases(raised: list[tuple[int, dt.datetime]]) -> None:
    """Minimal case rows for the visits that raised one (only ``registered_at`` is read)."""
    from django.db import connection
    from ranking import _columns

    from fengqiao.cases.models import Case
    from fengqiao.kit.bulk import insert_rows

    cols, template = _columns(Case, {"id": 0, "code": "", "channel": "grid_patrol", "title": "巡查发现",
                                     "description": "bench", "status": "registered", "urgency": "normal"})
    ci = {c: i for i, c in enumerate(cols)}
    registered = Case._meta.get_field("registered_at")
    rows = []
    for case_id, at in raised:
        row = list(template)
        row[ci["id"]], row[ci["code"]] = case_id, f"V{case_id:09d}"
        row[ci["registered_at"]] = (at.astimezone(dt.UTC) if connection.vendor == "postgresql"
                                    else registered.get_db_prep_save(at, connection))
        rows.append(row)
    insert_rows(Case._meta.db_table, cols, rows)


def baseline(start: dt.datetime, end: dt.datetime) -> tuple[int, float]:
    return timed_query("SELECT grid_id, COUNT(*) FROM gridwork_visit WHERE observed_at >= %s AND observed_at < %s "
                       "GROUP BY grid_id", [start, end])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=100_000, help="visits per month (three months are written)")
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--scale", args.scale, "--places", str(args.places),
                                                                 "--visits", str(args.visits)])
    setup_django(fresh_database(args.engine, "coverage"))

    from django.db import connection
    from django.test import Client

    from fengqiao.accounts.models import User
    from fengqiao.gridwork import coverage, coverage_campaigns
    from fengqiao.gridwork.models import Campaign
    from fengqiao.jurisdictions.models import Area, Level

    counts, generate_s = timed(lambda: populate(args.scale, args.places, args.visits))
    grids = Area.objects.filter(level=Level.GRID)
    start, end = coverage.month_bounds(MEASURED)
    base_grids, base_s = baseline(start, end)
    result, first_s = timed(lambda: coverage.month_coverage(MEASURED, grids))
    month_s = min([first_s] + [timed(lambda: coverage.month_coverage(MEASURED, grids))[1] for _ in range(2)])
    assert result.total().visits == counts["month_visits"], (result.total(), counts)
    assert len(result.grids) == counts["grids"]
    leader = User.objects.get(username="leader_street")
    street = leader.memberships.get().area
    assert street is not None
    street_grids = grids.filter(path__startswith=f"{street.path}/")

    def street_page() -> int:
        found = coverage.month_coverage(MEASURED, street_grids)
        return len(coverage.overdue_places(found, [g.grid_id for g in found.blind_spots()]))

    overdue_listed, street_s = timed(street_page)
    campaign = Campaign.objects.get()
    drive, campaign_s = timed(lambda: coverage_campaigns.campaign_coverage(campaign, grids))
    pages: dict[str, float] = {}
    for label, user, query in (("city", User.objects.get(username="admin"), ""),
                               ("street", leader, "")):
        client = Client()
        client.force_login(user)
        client.get(f"/coverage/?month={MEASURED:%Y-%m}{query}")  # warm
        response, seconds = timed(lambda c=client, q=query: c.get(f"/coverage/?month={MEASURED:%Y-%m}{q}"))
        assert response.status_code == 200, response.status_code
        pages[label] = seconds
    total = result.total()
    emit({
        "bench": "coverage", "engine": connection.vendor, **counts, "generate_s": round(generate_s, 1),
        "month": f"{MEASURED:%Y-%m}", "planned": total.planned,
        "visited": total.visited, "coverage": round(total.coverage or 0, 4), "blind_grids": total.blind,
        "overdue": total.overdue, "report_p50_s": result.report.p50_s, "case_report_p50_s": result.case_report.p50_s,
        "month_s": round(month_s, 3), "month_first_s": round(first_s, 3),
        "baseline": "SELECT grid_id, COUNT(*) FROM gridwork_visit WHERE observed_at in the month GROUP BY grid_id",
        "baseline_s": round(base_s, 3), "baseline_grids": base_grids, "ratio": round(month_s / base_s, 1),
        "street_s": round(street_s, 3), "street_grids": street_grids.count(), "street_overdue_listed": overdue_listed,
        "campaign_s": round(campaign_s, 3), "campaign_targets": drive.targets, "campaign_visited": drive.visited,
        "page_city_ms": round(pages["city"] * 1000, 1), "page_street_ms": round(pages["street"] * 1000, 1),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())

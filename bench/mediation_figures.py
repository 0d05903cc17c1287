"""The mediation figures (调解统计) and the monthly subsidy statement over N mediations, on SQLite and
PostgreSQL (mediation/figures.py, mediation/subsidies.py).

Data (written straight into a fresh database with bulk inserts): a city of 6 districts and 90 streets,
a people's mediation committee per street and per district, three city-level organisations; ``--mediators``
mediators (default 400) of every kind, with specialties, areas, ratings and loads; ``--mediations`` (default
30,000, the demo's size) over the 13 months before ``now``: kinds and dispute types in the demo's mix, success
varying by kind, street and mediator, durations (median ≈ 12 days), ratings for 60 %, difficulty and the
subsidy priced by subsidy_rates.price; each with a minimal case row (the one-to-one the model requires).

Measured, same run, same database:
* ``figures_s``: ``figures.figures`` for the whole city over 12 months (totals, by kind, by area, by
  mediator, the monthly trend, workload, ratings) — best of three; ``figures_first_s`` the first;
* ``district_s``: the same for one district's leader (her scope and a district filter);
* ``statement_s``: ``subsidies.statement`` for the last complete month, city-wide; ``xlsx_s`` the workbook
  with every case line of that month;
* ``page_ms``: the whole /mediation/figures/ page through Django for the administrator;
* baseline: ``SELECT kind_id, COUNT(*) FROM mediation_mediation WHERE concluded_at in the 12 months GROUP BY
  kind_id`` — one pass, one count.

    uv run python bench/mediation_figures.py                       # both engines, 30,000 mediations
    uv run python bench/mediation_figures.py --engine sqlite --mediations 3000   # a smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from typing import Any

from _db import emit, fresh_database, run_per_engine, setup_django, timed, timed_query

KIND_MIX = {"peoples": 62, "pre_litigation": 12, "lawyer": 8, "labour_arbitration": 6, "administrative": 5,
            "petition": 4, "notarisation": 2, "adjudication": 1}
KIND_SUCCESS = {"peoples": 0.91, "pre_litigation": 0.84, "lawyer": 0.88, "labour_arbitration": 0.8,
                "administrative": 0.86, "petition": 0.72, "notarisation": 0.9, "adjudication": 0.78}
TYPE_WEIGHTS = [22, 18, 4, 14, 5, 8, 9, 8, 2, 3, 4, 2, 1]  # the 13 dispute types, in defaults' order
MEDIATOR_KINDS = {"peoples": 60, "gold_medal": 8, "named_room": 3, "lawyer": 9, "legal_worker": 5,
                  "psychologist": 2, "industry_expert": 4, "judge_assistant": 4, "arbitrator": 3, "official": 2}
TITLES = {"gold_medal": ["金牌调解员", "十佳调解员"], "named_room": ["老娘舅调解室", "老马工作室", "和事佬工作室"]}
DIFFICULTY = (["simple", "normal", "complex", "major"], [30, 50, 15, 5])
LANGUAGES = (["普通话", "普通话、泰州话", "普通话、英语", "普通话、泰州话、英语"], [30, 55, 10, 5])
SUCCEEDED = (["performed", "confirmed", "agreed", "confirming", "refused"], [70, 15, 10, 4, 1])
FAILED = (["failed", "referred"], [45, 55])


def _areas(rng: random.Random) -> tuple[Any, list[Any], list[Any]]:
    from fengqiao.demo.geography import DISTRICTS
    from fengqiao.demo.names import PlaceNames
    from fengqiao.jurisdictions.models import Area, Level

    city = Area.objects.create(code="3212", name="泰州市", level=Level.CITY)
    names = PlaceNames(rng)
    districts, streets = [], []
    for d in DISTRICTS:
        district = Area.objects.create(code=d.code, name=d.name, level=Level.DISTRICT, parent=city)
        districts.append(district)
        for i in range(d.streets):
            suffix = "街道" if i < round(d.streets * d.urban) else "镇"
            streets.append(Area.objects.create(code=f"{d.code}{i + 1:03d}", name=names.take(suffix),
                                               level=Level.STREET, parent=district))
    return city, districts, streets


def _units(city: Any, districts: list[Any], streets: list[Any]) -> dict[str, Any]:
    from fengqiao.jurisdictions.models import Level, Unit, UnitKind

    units: dict[str, Any] = {}
    rows = [Unit(code=f"TJ-{s.code}", name=f"{s.name}人民调解委员会", short_name=f"{s.name}调委会",
                 kind=UnitKind.MEDIATION_COMMITTEE, level=Level.STREET, area=s) for s in streets]
    rows += [Unit(code=f"TJ-{d.code}", name=f"{d.name}人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE,
                  level=Level.DISTRICT, area=d) for d in districts]
    rows += [Unit(code=f"FY-{d.code}", name=f"{d.name}人民法院诉前调解中心", kind=UnitKind.COURT,
                  level=Level.DISTRICT, area=d) for d in districts]
    rows += [Unit(code=code, name=name, kind=kind, level=Level.CITY, area=city) for code, name, kind in (
        ("LS-1", "泰州市律师调解工作室", UnitKind.MEDIATION_COMMITTEE),
        ("LD-1", "泰州市劳动人事争议仲裁委员会", UnitKind.LEGAL_OFFICE),
        ("SF-1", "泰州市司法局", UnitKind.LEGAL_OFFICE))]
    for unit in Unit.objects.bulk_create(rows):
        units[unit.code] = unit
    return units


def _mediators(rng: random.Random, n: int, districts: list[Any], streets: list[Any],
               units: dict[str, Any]) -> list[Any]:
    from fengqiao.demo.names import person_name
    from fengqiao.kit import clock
    from fengqiao.mediation.models import DisputeType, Mediator

    types = list(DisputeType.objects.order_by("order"))
    kinds, weights = list(MEDIATOR_KINDS), list(MEDIATOR_KINDS.values())
    today = clock.today()
    rows = []
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        street = streets[i % len(streets)] if kind in ("peoples", "gold_medal", "named_room") else None
        district = rng.choice(districts)
        if street is not None:
            unit, area = units[f"TJ-{street.code}"], street
        elif kind in ("lawyer", "legal_worker", "psychologist", "industry_expert"):
            unit, area = units["LS-1"], (None if rng.random() < 0.6 else district)
        elif kind == "judge_assistant":
            unit, area = units[f"FY-{district.code}"], district
        elif kind == "arbitrator":
            unit, area = units["LD-1"], None
        else:
            unit, area = units["SF-1"], None
        count = int(rng.paretovariate(1.2) * 8) if rng.random() < 0.9 else 0
        skill = rng.gauss(0, 0.05)
        stars = min(5.0, max(3.2, rng.gauss(4.55, 0.25) + skill * 3))
        rows.append(Mediator(
            name=person_name(rng), kind=kind, title=rng.choice(TITLES.get(kind, [""])), unit=unit, area=area,
            languages=rng.choices(*LANGUAGES)[0],
            years=rng.randint(1, 30), max_load=rng.choice([6, 8, 8, 10, 12]), available=rng.random() > 0.04,
            unavailable_until=(today + dt.timedelta(days=rng.randint(2, 20))) if rng.random() < 0.05 else None,
            rating_sum=round(stars * min(count, 400)), rating_count=min(count, 400),
            bio="从事人民调解工作多年，擅长以情说理、以法服人。" if kind in ("peoples", "gold_medal") else ""))
    created = Mediator.objects.bulk_create(rows)
    through = Mediator.specialties.through
    links = []
    for m in created:
        for t in rng.sample(types, rng.choice([1, 2, 2, 3, 4])):
            links.append(through(mediator_id=m.pk, disputetype_id=t.pk))
    through.objects.bulk_create(links)
    return created


def populate(n: int, n_mediators: int = 400, *, now: dt.datetime | None = None, seed: int = 2026) -> dict[str, Any]:
    """Areas, units, the pool and ``n`` mediations over the 13 months before ``now``; returns counts."""
    from django.db import connection, transaction

    from fengqiao.kit import clock
    from fengqiao.mediation import subsidy_rates
    from fengqiao.mediation.models import DisputeType, MediationKind, MediatorKind

    rng = random.Random(seed)
    now = now or clock.now()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    with transaction.atomic():
        city, districts, streets = _areas(rng)
        units = _units(city, districts, streets)
        pool = _mediators(rng, n_mediators, districts, streets, units)
    kinds = {k.code: k for k in MediationKind.objects.all()}
    types = list(DisputeType.objects.order_by("order"))
    rates = subsidy_rates.rate_table()
    street_effect = {s.pk: rng.gauss(0, 0.035) for s in streets}
    skill = {m.pk: rng.gauss(0, 0.04) for m in pool}
    eligible = {code: [m for m in pool if not kinds[code].mediator_kinds or m.kind in kinds[code].mediator_kinds]
                or [m for m in pool if m.kind == MediatorKind.PEOPLES] for code in kinds}
    by_street: dict[int, list[Any]] = {}
    for m in pool:
        if m.area_id:
            by_street.setdefault(m.area_id, []).append(m)
    counts = {"mediations": 0, "concluded": 0, "open": 0}
    open_load: dict[int, int] = {}
    for start in range(0, n, 5000):
        batch = [_one(rng, i, now, streets, kinds, types, eligible, by_street, street_effect, skill, rates,
                      open_load, counts) for i in range(start, min(n, start + 5000))]
        _write(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {**counts, "mediators": len(pool), "streets": len(streets)}


def _one(rng: random.Random, i: int, now: dt.datetime, streets: list[Any], kinds: dict[str, Any], types: list[Any],
         eligible: dict[str, list[Any]], by_street: dict[int, list[Any]], street_effect: dict[int, float],
         skill: dict[int, float], rates: Any, open_load: dict[int, int], counts: dict[str, int]) -> dict[str, Any]:
    from fengqiao.mediation import subsidy_rates

    code = rng.choices(list(KIND_MIX), list(KIND_MIX.values()))[0]
    street = rng.choice(streets)
    applied = now - dt.timedelta(days=rng.uniform(0, 395))
    local = by_street.get(street.pk, []) if code == "peoples" else []
    mediator = rng.choice(local) if local and rng.random() < 0.8 else rng.choice(eligible[code])
    days = min(75.0, rng.lognormvariate(2.5, 0.55))
    concluded = applied + dt.timedelta(days=days)
    row: dict[str, Any] = {"i": i, "kind": kinds[code], "type": rng.choices(types, TYPE_WEIGHTS)[0], "street": street,
                           "applied": applied, "mediator": mediator, "difficulty": rng.choices(*DIFFICULTY)[0],
                           "concluded": None, "rating": None, "subsidy": None}
    if rng.random() < 0.03:
        row["status"] = rng.choice(["withdrawn", "declined"])
    elif concluded > now:
        full = open_load.get(mediator.pk, 0) >= mediator.max_load
        row["mediator"] = None if full or rng.random() < 0.1 else mediator
        if row["mediator"] is not None:
            open_load[mediator.pk] = open_load.get(mediator.pk, 0) + 1
        row["status"] = rng.choices(["applied", "accepted", "scheduled", "in_progress"], [1, 2, 3, 3])[0]
        if row["mediator"] is None:
            row["status"] = "applied"
        counts["open"] += 1
    else:
        p = KIND_SUCCESS[code] + street_effect[street.pk] + skill[mediator.pk]
        ok = rng.random() < p
        row["status"] = rng.choices(*(SUCCEEDED if ok else FAILED))[0]
        row["concluded"] = concluded
        if rng.random() < 0.6:
            row["rating"] = (rng.choices([5, 4, 3], [70, 25, 5])[0] if ok
                             else rng.choices([4, 3, 2, 1], [20, 40, 30, 10])[0])
        row["subsidy"] = subsidy_rates.price(row["kind"].pk, row["difficulty"], agreed=ok, rates=rates)
        counts["concluded"] += 1
    counts["mediations"] += 1
    return row


def _write(batch: list[dict[str, Any]]) -> None:
    from django.db import transaction

    from fengqiao.cases.models import Case
    from fengqiao.mediation.models import Mediation

    with transaction.atomic():
        cases = Case.objects.bulk_create([
            Case(code=f"M{r['i']:010d}", channel="mini_program", title=f"{r['type'].name}（申请调解）",
                 description="调解申请", status="closed" if r["concluded"] else "accepted", street_id=r["street"].pk,
                 district_id=r["street"].parent_id, registered_at=r["applied"]) for r in batch], batch_size=1000)
        Mediation.objects.bulk_create([
            Mediation(case_id=case.pk, code=f"JF-B{r['i']:04d}-{r['i'] * 7919 % 10000:04d}-{r['i'] % 9973:04d}",
                      kind=r["kind"], dispute_type=r["type"], status=r["status"], difficulty=r["difficulty"],
                      mediator=r["mediator"], chosen_by="assigned" if r["mediator"] else "",
                      unit_id=r["mediator"].unit_id if r["mediator"] else None, area=r["street"],
                      applied_at=r["applied"], concluded_at=r["concluded"], rating=r["rating"],
                      subsidy=r["subsidy"], demand="", legal_basis="")
            for case, r in zip(cases, batch, strict=True)], batch_size=1000)


def baseline(start: dt.datetime, end: dt.datetime) -> tuple[int, float]:
    return timed_query("SELECT kind_id, COUNT(*) FROM mediation_mediation WHERE concluded_at >= %s "
                       "AND concluded_at < %s GROUP BY kind_id", [start, end])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--mediations", type=int, default=30_000)
    parser.add_argument("--mediators", type=int, default=400)
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"], ["--mediations", str(args.mediations),
                                                                 "--mediators", str(args.mediators)])
    setup_django(fresh_database(args.engine, "mediation_figures"))
    counts, generate_s = timed(lambda: populate(args.mediations, args.mediators))
    measure(counts, generate_s)
    return 0


def measure(counts: dict[str, Any], generate_s: float) -> None:
    """Time the figures, a district leader's figures, the statement, its workbook and the page; emit."""
    from django.db import connection
    from django.db.models import Q
    from django.test import Client

    from fengqiao.accounts.models import Membership, User
    from fengqiao.accounts.roles import Role
    from fengqiao.analytics.formula import previous_month
    from fengqiao.jurisdictions.models import Area, Level
    from fengqiao.kit import clock
    from fengqiao.mediation import figures, subsidies
    from fengqiao.mediation.pool_access import figures_scope
    from fengqiao.mediation.subsidy_excel import workbook

    this_month = clock.today().replace(day=1)
    year = figures.Filters(start=_back(this_month, 11), end=this_month)
    start, end = year.bounds()
    base_groups, base_s = baseline(start, end)
    found, first_s = timed(lambda: figures.figures(Q(), year))
    figures_s = min([first_s] + [timed(lambda: figures.figures(Q(), year))[1] for _ in range(2)])
    district = Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    leader = User.objects.create_user(username="leader_district", password="bench-password-1")
    Membership.objects.create(user=leader, role=Role.LEADER, area=district)
    scoped = figures.Filters(year.start, year.end, district=district)
    district_found, district_s = timed(lambda: figures.figures(figures_scope(leader), scoped))
    month = previous_month(this_month)
    statement, statement_s = timed(lambda: subsidies.statement(Q(), month))
    body, xlsx_s = timed(lambda: workbook(statement, subsidies.lines(Q(), month)))
    admin = User.objects.create_superuser(username="admin", password="bench-password-1")
    client = Client()
    client.force_login(admin)
    client.get("/mediation/figures/")  # warm
    response, page_s = timed(lambda: client.get("/mediation/figures/"))
    assert response.status_code == 200, response.status_code
    assert found.total.concluded == sum(r.concluded for r in found.by_kind)
    emit({
        "bench": "mediation_figures", "engine": connection.vendor, **counts, "generate_s": round(generate_s, 1),
        "from": f"{year.start:%Y-%m}", "to": f"{year.end:%Y-%m}", "concluded_12m": found.total.concluded,
        "success_rate": round(found.total.rate or 0, 4), "mediators_ranked": len(found.by_mediator),
        "figures_s": round(figures_s, 3), "figures_first_s": round(first_s, 3),
        "baseline": "SELECT kind_id, COUNT(*) FROM mediation_mediation WHERE concluded_at in the 12 months "
                    "GROUP BY kind_id",
        "baseline_s": round(base_s, 4), "baseline_groups": base_groups, "ratio": round(figures_s / base_s, 1),
        "district_s": round(district_s, 3), "district_concluded": district_found.total.concluded,
        "statement_month": f"{month:%Y-%m}", "statement_s": round(statement_s, 3),
        "statement_mediators": len(statement.rows), "statement_cases": statement.cases,
        "statement_total": str(statement.total), "xlsx_s": round(xlsx_s, 3), "xlsx_bytes": len(body),
        "page_ms": round(page_s * 1000, 1),
    })


def _back(month: dt.date, n: int) -> dt.date:
    for _i in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


if __name__ == "__main__":
    sys.exit(main())

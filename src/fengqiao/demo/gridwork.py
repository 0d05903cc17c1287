"""The demo's grid work (issue 5): every grid's team, its patrol plan, a year of patrols, three campaigns
and the visits that raised the grid-patrol cases — written in bulk (``kit.bulk.insert_rows``), each part
from its own random stream of the seed, so the demo stays the same for a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from fengqiao.cases.models import Case, Channel
from fengqiao.demo.campaigns import campaign_visits, create_campaigns
from fengqiao.demo.grid_teams import LAWYER_DISTRICT, PROSECUTOR_DISTRICT, Teams, create_teams
from fengqiao.demo.patrol_rows import Columns, fast_load, visit_columns
from fengqiao.demo.patrols import ON_THE_SPOT, Calendar, Profile, VisitWriter, metres, profile, received, schedule
from fengqiao.demo.people import Staff
from fengqiao.demo.places import GridInfo, PlannedPlace, create_places, load_grids
from fengqiao.demo.units import Org
from fengqiao.gridwork import households
from fengqiao.gridwork.models import Campaign, Finding, Place, PlaceKind, TeamMember, Visit, VisitPhoto
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.kit.bulk import insert_rows

FLUSH = 50_000
CASE_VISIT_SHARE = 0.6  # of the year's grid-patrol cases, those raised from a logged visit
NEAR_PLACE_M = 250.0


def create(org: Org, staff: Staff, seed: int, now: dt.datetime, say: Callable[[str], None]) -> Counter[str]:
    grids = load_grids()
    now = now.replace(microsecond=0)
    year_start = now - dt.timedelta(days=365)
    teams = create_teams(grids, org, staff.grid_workers, now, random.Random(f"{seed}:teams"))
    wanted: dict[str, tuple[str, ...]] = {LAWYER_DISTRICT: (PlaceKind.COMPANY.value,),
                                          PROSECUTOR_DISTRICT: (PlaceKind.SCHOOL.value,)}
    places = create_places(grids, year_start, now, random.Random(f"{seed}:places"), wanted)
    households.seal_households()  # written by raw SQL: households' names and addresses encrypted, masks in place
    today, first = clock.localtime(now).date(), clock.localtime(year_start).date()
    cal = Calendar.of(first, today)
    rng = random.Random(f"{seed}:patrols")
    start_s, now_s = year_start.timestamp(), now.timestamp()
    profiles = {g.id: profile(g, rng, start_s, now_s) for g in grids}
    areas = {a.code: a for a in Area.objects.filter(code__in=["3212", LAWYER_DISTRICT, PROSECUTOR_DISTRICT])}
    campaigns = create_campaigns(areas, today, first, now)
    columns = visit_columns()
    writer = VisitWriter(columns, rng)
    with fast_load(Visit):
        resets = campaign_visits(campaigns, places, profiles, teams, cal, now_s, rng, writer)
        for place_id, place in places:
            worker = teams.workers.get(place.grid.id)
            if worker is None:
                continue
            prof = profiles[place.grid.id]
            for at in schedule(place, prof, cal, rng, start_s, now_s, resets.get(place_id, [])):
                finding, note = _finding(place, rng, writer)
                writer.add(grid=place.grid.id, worker=worker, observed=at, received=received(at, prof, now_s, rng),
                           place_id=place_id, point=None, place=place, finding=finding, note=note)
            if len(writer.rows) >= FLUSH:
                _flush(columns, writer)
        _case_visits(grids, places, profiles, teams, year_start, now, rng, writer)
        _flush(columns, writer)
    counts = teams.counts + writer.counts
    counts.update({"gridwork.places": len(places), "gridwork.campaigns": len(campaigns)})
    say("  网格工作：团队成员 {m}（律师事务所 {f} 家、空缺岗位 {v} 个），走访点 {p}，走访 {n}"
        "（发现问题 {i}，其中上报案件 {c}；离线后上传 {o}；专项行动走访 {cv}）".format(
            m=counts["gridwork.team_members"], f=counts["gridwork.law_firms"], v=counts["gridwork.vacant_posts"],
            p=len(places), n=counts["gridwork.visits"], i=counts["gridwork.visits_issue"],
            c=counts["gridwork.visits_raising_a_case"], o=counts["gridwork.visits_uploaded_late"],
            cv=counts["gridwork.campaign_visits"]))
    return +counts


def _finding(place: PlannedPlace, rng: random.Random, writer: VisitWriter) -> tuple[str, str]:
    r = rng.random()
    if r < 0.03 and place.kind in (PlaceKind.HOUSEHOLD, PlaceKind.RENTAL, PlaceKind.SHOP):
        return Finding.ABSENT, "无人在家，已电话联系" if rng.random() < 0.5 else ""
    if r > 0.9975:  # put right there and then: no case
        return Finding.ISSUE, rng.choice(ON_THE_SPOT)
    return Finding.NORMAL, writer.note(place.kind)


def _case_visits(grids: list[GridInfo], places: list[tuple[int, PlannedPlace]], profiles: dict[int, Profile],
                 teams: Teams, year_start: dt.datetime, now: dt.datetime, rng: random.Random,
                 writer: VisitWriter) -> None:
    """The visits that raised grid-patrol cases: the case was registered when the visit reached the server
    (seconds after it was observed, or hours when the phone was offline); the point is the case's."""
    by_grid: dict[int, list[tuple[int, PlannedPlace]]] = {}
    for pid, planned in places:
        by_grid.setdefault(planned.grid.id, []).append((pid, planned))
    cases = (Case.objects.filter(channel=Channel.GRID_PATROL, grid_id__in=[g.id for g in grids],
                                 registered_at__gte=year_start + dt.timedelta(days=1), registered_at__lte=now)
             .order_by("registered_at", "code").values_list("pk", "grid_id", "registered_at", "lng", "lat", "title"))
    for pk, grid_id, registered_at, lng, lat, title in cases:
        worker = teams.workers.get(grid_id)
        if rng.random() > CASE_VISIT_SHARE or worker is None or lng is None or lat is None or \
                not 7 <= clock.localtime(registered_at).hour <= 20:
            continue
        near = min(((metres(lng, lat, p.lng, p.lat), i, p) for i, p in by_grid.get(grid_id, [])),
                   default=None, key=lambda t: t[0])
        place_id: int | None = None
        place: PlannedPlace | None = None
        if near is not None and near[0] <= NEAR_PLACE_M:
            place_id, place = near[1], near[2]
        at = registered_at.timestamp()
        offline = rng.random() < profiles[grid_id].offline
        observed = at - (rng.uniform(0.5, 6) * 3600 if offline else rng.uniform(20, 300))
        writer.add(grid=grid_id, worker=worker, observed=float(int(observed)), received=at, place_id=place_id,
                   point=(lng, lat), place=place, finding=Finding.ISSUE, note=f"发现问题并上报：{title}"[:200],
                   case=pk)


def _flush(columns: Columns, writer: VisitWriter) -> None:
    """Write the rows in the order of their client ids: the unique index then grows page by page."""
    key = columns.index["client_id"]
    insert_rows(Visit._meta.db_table, columns.names, sorted(writer.rows, key=lambda r: r[key]))
    writer.rows = []


def wipe(say: Callable[[str], None]) -> None:
    """Every grid-work row (the demo's and any made by hand in it: the visits point to its cases)."""
    for model in (VisitPhoto, Visit, Campaign, Place, TeamMember):
        deleted = model.objects.all()._raw_delete(model.objects.db)
        say(f"  {model._meta.verbose_name_plural}: {deleted}")


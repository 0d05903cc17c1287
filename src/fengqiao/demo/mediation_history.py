"""A year of mediations (about 30,000 at full size): drawn up front, then simulated one by one in the order
they were applied for, so that each mediator's load at any moment stays within her limit — chosen online
by the citizen or suggested by specialty, area, load and rating, as the system does."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fengqiao.cases import deadlines
from fengqiao.cases.deadlines import Terms
from fengqiao.cases.models import Channel, Urgency
from fengqiao.demo import mediation_docs as docs
from fengqiao.demo import mediation_texts as texts
from fengqiao.demo.history import Grid, registration_times
from fengqiao.demo.lifecycle import Actor
from fengqiao.demo.load import _codes, _points, load_grids
from fengqiao.demo.mediation_case import CITIZEN, later, working_days_after
from fengqiao.demo.mediation_plan import DIFFICULTY, SUCCESS, Catalog, pick_difficulty, pick_kind, pick_unit, timeline
from fengqiao.demo.mediation_pool import Pool, PoolMediator, id_number
from fengqiao.demo.mediation_run import Draft
from fengqiao.demo.names import mobile, person_name
from fengqiao.demo.people import Staff
from fengqiao.demo.units import Org
from fengqiao.kit import clock
from fengqiao.mediation.models import ChosenBy, Difficulty
from fengqiao.mediation.services.apply import dispute_code

CHOOSE_ONLINE = 0.35  # of online applications, the share where the citizen picks her mediator


class Loads:
    """Each mediator's open mediations, as the times they stop counting (a heap per mediator)."""

    def __init__(self) -> None:
        self.ends: dict[int, list[float]] = {}

    def load(self, mediator: PoolMediator, at: float) -> int:
        heap = self.ends.setdefault(mediator.pk, [])
        while heap and heap[0] <= at:
            heapq.heappop(heap)
        return len(heap)

    def take(self, mediator: PoolMediator, until: float) -> None:
        heapq.heappush(self.ends.setdefault(mediator.pk, []), until)


@dataclass
class Context:
    now: dt.datetime
    pool: Pool
    catalog: Catalog
    staff: Staff
    org: Org
    stories: dict[str, list[texts.Story]]
    terms: Terms
    judges: dict[int, int]
    loads: Loads = field(default_factory=Loads)
    street_factor: dict[str, float] = field(default_factory=dict)
    by_district: dict[str, list[PoolMediator]] = field(default_factory=dict)

    @property
    def orgs(self) -> Any:
        return self.pool.orgs

    def __post_init__(self) -> None:
        for mediator in self.pool.mediators:
            self.by_district.setdefault(self.orgs.district_of.get(mediator.unit, "3212"), []).append(mediator)

    # -- time -----------------------------------------------------------------------------------------

    @staticmethod
    def local(value: dt.datetime) -> dt.datetime:
        return clock.localtime(value)

    def deadline(self, start: dt.datetime, days: int) -> dt.datetime:
        return working_days_after(clock.localtime(start).date(), days)

    def evaluation_deadline(self, when: dt.datetime) -> dt.datetime:
        return working_days_after(clock.localtime(when).date(), self.terms.evaluation_days)

    # -- who ------------------------------------------------------------------------------------------

    def registrar(self, d: Draft, rng: random.Random) -> Actor:
        district = d.grid.district[2]
        if d.channel == Channel.MINI_PROGRAM:
            return CITIZEN
        if d.channel == Channel.HOTLINE_12345:
            return Actor(rng.choice(self.staff.operators), "operator", self.org.hotline.pk)
        if d.channel == Channel.GRID_PATROL:
            return Actor(self.staff.grid_workers.get(d.grid.id), "grid_worker", None)
        if d.channel == Channel.COURT_12368:
            return Actor(None, "system", self.orgs.courts[district])
        return self.dispatcher(d)

    def dispatcher(self, d: Draft) -> Actor:
        district = d.grid.district[2]
        return Actor(self.staff.district_dispatchers[district], "dispatcher", self.org.district[district]["cc"].pk)

    def assign(self, d: Draft, rng: random.Random, *, citizen: bool) -> PoolMediator | None:
        """The mediator: the best free one of the organisation (the citizen looks wider: the district's
        named rooms and gold-medal mediators too), else of the district, else of the city."""
        at = d.applied.timestamp()
        local = list(self.pool.by_unit.get(d.unit, []))
        district = d.grid.district[2]
        if citizen:
            local += [m for m in self.by_district.get(district, []) if m.kind in ("named_room", "gold_medal")]
        end = d.line.end()
        until = end.timestamp() if end <= self.now else math.inf
        for candidates in (local, self.by_district.get(district, []), self.pool.mediators):
            best = self._best(candidates, d, at, rng, citizen)
            if best is not None:
                self.loads.take(best, until)
                return best
        return None

    def _best(self, candidates: list[PoolMediator], d: Draft, at: float, rng: random.Random,
              citizen: bool) -> PoolMediator | None:
        allowed = d.kind.mediator_kinds
        best, top = None, -math.inf
        applied = d.applied
        for m in candidates:
            if (allowed and m.kind not in allowed) or (m.away_from is not None and m.away_from <= applied):
                continue
            load = self.loads.load(m, at)
            if load >= m.max_load:
                continue
            score = (2.0 * (d.dtype.code in m.specialties) - 1.2 * load / m.max_load
                     + (20 if citizen else 8) * m.skill + 1.5 * rng.random() + 0.5 * (m.unit == d.unit))
            if score > top:
                best, top = m, score
        return best

    # -- how it goes ----------------------------------------------------------------------------------

    def success(self, d: Draft, mediator: PoolMediator | None) -> float:
        p = SUCCESS.get(d.kind.code, 0.85) + self.street_factor.get(d.grid.street[2], 0.0)
        p += (mediator.skill if mediator else 0.0) + DIFFICULTY[Difficulty(d.difficulty)][1]
        return min(0.985, max(0.35, p))

    def place(self, d: Draft, unit: int, rng: random.Random) -> str:
        name = self.orgs.names[unit]
        if name.endswith("人民调解委员会") and rng.random() < 0.4:
            return f"{d.grid.community[1]}党群服务中心调解室"
        if name.endswith("诉调对接中心"):
            return f"{name}第{rng.randint(1, 6)}调解室"
        return f"{name}调解室"

    def subsidy(self, d: Draft, succeeded: bool, mediator: PoolMediator | None) -> Decimal | None:
        rate = self.catalog.rates.get((d.kind.code, d.difficulty))
        if mediator is None or rate is None:
            return None
        amount, share = rate
        return (amount if succeeded else amount * share).quantize(Decimal("0.01"))


def make_context(now: dt.datetime, pool: Pool, staff: Staff, org: Org, rng: random.Random) -> tuple[Context, str]:
    stories, source = texts.load_stories()
    judges = {unit: user for unit, (user, role) in staff.handlers.items() if role == "judge"}
    ctx = Context(now=now, pool=pool, catalog=Catalog.load(), staff=staff, org=org, stories=stories,
                  terms=deadlines.policy_for(None, Urgency.NORMAL), judges=judges)
    for code in sorted(pool.orgs.street_committees):
        ctx.street_factor[code] = max(-0.08, min(0.05, rng.gauss(0, 0.035)))
    return ctx, source


def _people(rng: random.Random, grid: Grid) -> tuple[tuple[str, str, str, str], tuple[str, str, str, str]]:
    home = f"{grid.district[1]}{grid.street[1]}{grid.community[1]}{rng.randint(1, 120)}号"
    applicant = (person_name(rng), mobile(rng), id_number(rng, grid.district[2]) if rng.random() < 0.7 else "",
                 home if rng.random() < 0.5 else "")
    respondent = (person_name(rng), mobile(rng) if rng.random() < 0.75 else "",
                  id_number(rng, grid.district[2]) if rng.random() < 0.3 else "", "")
    return applicant, respondent


def draft_all(ctx: Context, rng: random.Random, count: int, first_case: int, first_mediation: int) -> list[Draft]:
    """Every mediation's facts, in the order they were applied for."""
    grids, shapes, populations = load_grids()
    times = registration_times(rng, count, ctx.now)
    picks = rng.choices(range(len(grids)), weights=populations, k=count)
    points = _points(rng, shapes, picks)
    case_codes = _codes(rng, times)
    codes: set[str] = set()
    drafts: list[Draft] = []
    for i, applied in enumerate(times):
        grid = grids[picks[i]]
        kind_code, dispute, channel = pick_kind(rng, ctx.catalog)
        kind, dtype = ctx.catalog.kinds[kind_code], ctx.catalog.types[dispute]
        amount = docs.amount(rng, dispute)
        difficulty = pick_difficulty(rng, amount)
        online = channel == Channel.MINI_PROGRAM
        code = dispute_code()
        while code in codes:
            code = dispute_code()
        codes.add(code)
        applicant, respondent = _people(rng, grid)
        line = timeline(rng, applied, online=online, difficulty=difficulty, days=kind.days)
        if online and rng.random() < CHOOSE_ONLINE:
            line.choose = later(line.dispatch, rng, 0.02, 0.5)
        unit = pick_unit(rng, ctx.orgs, kind_code, dispute, grid.street[2])
        if line.opened > ctx.now:  # registered an hour ago, not yet sent to mediation: an ordinary case still
            continue
        n = len(drafts)
        drafts.append(Draft(
            case_id=first_case + n, mediation_id=first_mediation + n, case_code=case_codes[i], code=code,
            applied=applied, kind=kind, dtype=dtype, channel=channel, grid=grid, point=points[i],
            difficulty=difficulty, amount=amount, unit=unit, line=line, applicant=applicant, respondent=respondent,
            story=texts.pick(rng, ctx.stories, dtype.name)))
    return drafts


def assign_all(ctx: Context, drafts: list[Draft], rng: random.Random) -> None:
    """Each mediation's mediator, in the order of application (loads depend on the ones before): the
    citizen's choice online, else the organisation's at acceptance (suggested by the system, or assigned)."""
    for d in drafts:
        line = d.line
        if line.choose is not None and line.choose <= ctx.now:
            d.mediator, d.chosen_by = ctx.assign(d, rng, citizen=True), ChosenBy.CITIZEN.value
        if d.mediator is None and not line.declined and line.accept <= ctx.now:
            by = ChosenBy.SUGGESTED if rng.random() < 0.6 else ChosenBy.ASSIGNED
            d.mediator, d.chosen_by = ctx.assign(d, rng, citizen=False), by.value
            line.declined = d.mediator is None  # nobody in the city free to take it: not accepted

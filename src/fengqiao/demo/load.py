"""Generate the year of cases in batches and write them: cases, parties, assignments, evaluations, events."""

from __future__ import annotations

import copy
import datetime as dt
import multiprocessing
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from django.db import connections, transaction
from django.db.models import Max
from shapely.geometry import shape

from fengqiao.cases.models import Assignment, Case, CaseEvent, Category, Evaluation, Party, TimeUnit, Urgency
from fengqiao.demo.categories import Leaf
from fengqiao.demo.geography import random_points
from fengqiao.demo.history import Grid, Simulation, World, registration_times, working_days_end
from fengqiao.demo.lifecycle import CaseState
from fengqiao.demo.story import Facts, case_row, run_case
from fengqiao.demo.writer import Inserter, reset_sequences
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit import clock, ids, pii

BATCH = 10_000
CITY = "3212"
EVENT_COLUMNS = ["case_id", "seq", "action", "from_state", "to_state", "at", "actor_id", "actor_role", "unit_id",
                 "audience", "note", "data", "prev_hash", "hash"]
ASSIGNMENT_COLUMNS = ["case_id", "unit_id", "role", "status", "dispatched_at", "accepted_at", "closed_at",
                      "return_reason"]
EVALUATION_COLUMNS = ["case_id", "round", "rating", "comment", "via", "by_id", "at"]
PARTY_COLUMNS = ["case_id", "role", "name", "phone", "id_number", "address", "phone_hash", "id_hash"]
_MISSING = object()


def load_grids() -> tuple[list[Grid], list[Any], list[int]]:
    """The grids with their ancestors, their shapes and their populations (one query per level, no parent
    geometries parsed)."""
    in_city = Area.objects.filter(path__startswith=f"{CITY}/")
    parents = {pk: (name, code, parent) for pk, name, code, parent in in_city.exclude(level=Level.GRID)
               .values_list("pk", "name", "code", "parent_id")}
    grids, shapes, populations = [], [], []
    rows = in_city.filter(level=Level.GRID).order_by("code").values_list(
        "pk", "name", "parent_id", "geometry", "population", "aliases")
    for pk, name, community_id, geometry, population, aliases in rows:
        community = parents[community_id]
        street = parents[community[2]]
        district = parents[street[2]]
        grids.append(Grid(pk, name, (community_id, community[0]), (community[2], street[0], street[1]),
                          (street[2], district[0], district[1]), tuple(aliases or ())))
        shapes.append(shape(geometry))
        populations.append(population or 1)
    return grids, shapes, populations


def _case_columns() -> list[tuple[str, Any]]:
    out = []
    for f in Case._meta.concrete_fields:
        default = f.get_default() if f.has_default() else (None if f.null else _MISSING)
        out.append((f.attname, default))
    return out


CASE_COLUMNS = _case_columns()


def _tuple(values: dict[str, Any], columns: list[tuple[str, Any]]) -> tuple[Any, ...]:
    row = tuple(values.get(name, default) for name, default in columns)
    if _MISSING in row:
        missing = [name for (name, _d), v in zip(columns, row, strict=True) if v is _MISSING]
        raise ValueError(f"demo case row lacks required columns {missing}")
    return row


def _codes(rng: random.Random, times: list[dt.datetime]) -> list[str]:
    """Tracking codes as kit.ids makes them (FQ + date + 6 characters), drawn from ``rng`` and unique."""
    taken = set(Case.objects.values_list("code", flat=True))
    codes = []
    days: dict[dt.datetime, dt.date] = {}
    for at in times:
        slot = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)  # zones shift by 15 min
        day = days.get(slot) or days.setdefault(slot, clock.localtime(slot).date())
        while True:
            code = f"FQ{day:%y%m%d}-{''.join(rng.choices(ids.ALPHABET, k=6))}"
            if code not in taken:
                taken.add(code)
                codes.append(code)
                break
    return codes


def _points(rng: random.Random, shapes: list[Any], picks: list[int]) -> list[tuple[float, float]]:
    """A random point inside the grid of each case."""
    wanted = Counter(picks)
    pools: dict[int, list[tuple[float, float]]] = {}
    for index, count in wanted.items():
        pts = random_points(shapes[index], count, rng)
        pools[index] = [(round(float(x), 6), round(float(y), 6)) for x, y in np.asarray(pts)]
    return [pools[i].pop() for i in picks]


@dataclass
class _Plan:
    """Everything drawn up front, shared with the worker processes (inherited by fork)."""

    world: World
    sim: Simulation
    grids: list[Grid]
    times: list[dt.datetime]
    picks: list[int]
    points: list[tuple[float, float]]
    codes: list[str]
    leaves: list[Leaf]
    first_id: int
    seed: int
    writers: _Writers


_plan: _Plan | None = None


def _simulate(span: tuple[int, int]) -> _Batch:
    """One batch of cases, with its own random stream (so the result does not depend on scheduling)."""
    plan = _plan
    assert plan is not None
    sim = copy.copy(plan.sim)
    sim.rng = random.Random(f"{plan.seed}:{span[0]}")
    sim.last_in_grid = {}
    batch = _Batch()
    for i in range(*span):
        leaf = plan.leaves[i]
        facts = Facts(code=plan.codes[i], channel=sim.channel(), leaf=leaf, urgency=sim.urgency(leaf),
                      grid=plan.grids[plan.picks[i]], lng=plan.points[i][0], lat=plan.points[i][1],
                      registered_at=plan.times[i])
        case = CaseState(id=plan.first_id + i, now=plan.world.now)
        run_case(sim, case, facts)
        batch.add(case, facts)
    batch.prepare(plan.writers)
    return batch


def _prepare(world: World, count: int, seed: int) -> _Plan:
    rng = random.Random(seed)
    grids, shapes, populations = load_grids()
    times = registration_times(rng, count, world.now)
    picks = rng.choices(range(len(grids)), weights=populations, k=count)
    sim = Simulation(world, rng)
    leaves = rng.choices(world.leaves, weights=sim.leaf_weights, k=count)
    # the workers must not query: every deadline policy and working-day sum they need is computed here
    for leaf in world.leaves:
        for urgency in Urgency.values:
            world.terms(leaf.id, urgency)
    first = clock.localtime(times[0] if times else world.now).date() - dt.timedelta(days=1)
    amounts = {t.resolve_amount for t in world.terms_cache.values() if t.resolve_unit == TimeUnit.WORKING_DAYS}
    amounts |= {t.evaluation_days for t in world.terms_cache.values()}
    for offset in range((clock.localtime(world.now).date() - first).days + 2):
        for amount in amounts:
            working_days_end(first + dt.timedelta(days=offset), amount)
    first_id = (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return _Plan(world, sim, grids, times, picks, _points(rng, shapes, picks), _codes(rng, times), leaves,
                 first_id, seed, _Writers())


def generate(world: World, count: int, seed: int, progress: Callable[[int], None],
             workers: int = 1) -> Counter[str]:
    global _plan
    _plan = _prepare(world, count, seed)
    spans = [(start, min(count, start + BATCH)) for start in range(0, count, BATCH)]
    writers = _plan.writers
    totals: Counter[str] = Counter()
    try:
        if workers > 1 and len(spans) > 1 and "fork" in multiprocessing.get_all_start_methods():
            connections.close_all()  # the children must not share the parent's database connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                # a few batches in flight: the workers simulate while this process writes
                queue = iter(spans)
                pending = deque(pool.apply_async(_simulate, (span,)) for span in islice(queue, workers + 1))
                while pending:
                    batch = pending.popleft().get()
                    if (span := next(queue, None)) is not None:
                        pending.append(pool.apply_async(_simulate, (span,)))
                    totals += writers.write(batch)
                    progress(len(batch.cases))
        else:
            for span in spans:
                batch = _simulate(span)
                totals += writers.write(batch)
                progress(len(batch.cases))
    finally:
        _plan = None
    reset_sequences(Case)
    return totals


class _Batch:
    def __init__(self) -> None:
        self.cases: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.assignments: list[tuple[Any, ...]] = []
        self.evaluations: list[tuple[Any, ...]] = []
        self.parties: list[tuple[Any, ...]] = []

    def prepare(self, writers: _Writers) -> None:
        """Adapt the values for the database (datetimes, JSON) here, in the worker process."""
        for name in ("cases", "events", "assignments", "evaluations", "parties"):
            inserter: Inserter = getattr(writers, name)
            setattr(self, name, [inserter.prepare(row) for row in getattr(self, name)])

    def add(self, case: CaseState, facts: Facts) -> None:
        self.cases.append(_tuple(case_row(case, facts), CASE_COLUMNS))
        self.events += case.events
        self.evaluations += case.evaluations
        self.assignments += [(case.id, a.unit, a.role, a.status, a.dispatched_at, a.accepted_at, a.closed_at,
                              a.return_reason) for a in case.assignments]
        for role, name, phone, id_number, address in facts.parties:
            self.parties.append((case.id, role, pii.encrypt(name), pii.encrypt(phone), pii.encrypt(id_number),
                                 pii.encrypt(address), pii.lookup_hash("phone", phone),
                                 pii.lookup_hash("id", id_number)))


class _Writers:
    def __init__(self) -> None:
        self.cases = Inserter(Case, [name for name, _d in CASE_COLUMNS])
        self.events = Inserter(CaseEvent, EVENT_COLUMNS)
        self.assignments = Inserter(Assignment, ASSIGNMENT_COLUMNS)
        self.evaluations = Inserter(Evaluation, EVALUATION_COLUMNS)
        self.parties = Inserter(Party, PARTY_COLUMNS)

    def write(self, batch: _Batch) -> Counter[str]:
        with transaction.atomic():
            return Counter(
                cases=self.cases.insert(batch.cases, prepared=True),
                parties=self.parties.insert(batch.parties, prepared=True),
                assignments=self.assignments.insert(batch.assignments, prepared=True),
                evaluations=self.evaluations.insert(batch.evaluations, prepared=True),
                events=self.events.insert(batch.events, prepared=True),
            )


def category_map() -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.filter(level=3).select_related("parent__parent")}

"""What the demo's mediations are drawn from: the kinds and dispute types (as installed, rows of data),
their mix, the organisation that takes each one, its channel, difficulty and timeline — everything that
is known before a mediator is chosen."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from fengqiao.cases.models import Channel
from fengqiao.demo.mediation_case import later, office_hours, session_slot
from fengqiao.demo.mediation_units import Orgs
from fengqiao.mediation.models import Difficulty, DisputeType, MediationKind, SubsidyRate

C = Channel
KIND_WEIGHTS = {"peoples": 55, "pre_litigation": 14, "lawyer": 8, "labour_arbitration": 8, "administrative": 7,
                "petition": 5, "notarisation": 1.5, "adjudication": 1.5}
TYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "peoples": {"family": 22, "neighbour": 26, "debt": 9, "property": 8, "labour": 5, "traffic": 7, "consumer": 4,
                "medical": 3, "environment": 3, "public_order": 5, "school": 2, "company": 2, "inheritance": 4},
    "pre_litigation": {"debt": 30, "traffic": 18, "family": 15, "property": 10, "company": 10, "labour": 7,
                       "consumer": 5, "inheritance": 5},
    "lawyer": {"debt": 30, "company": 25, "property": 15, "consumer": 10, "labour": 10, "inheritance": 10},
    "labour_arbitration": {"labour": 90, "company": 10},
    "administrative": {"consumer": 30, "public_order": 25, "property": 20, "labour": 10, "environment": 10,
                       "medical": 5},
    "petition": {"property": 35, "labour": 25, "environment": 15, "neighbour": 15, "family": 10},
    "notarisation": {"inheritance": 60, "debt": 25, "family": 15},
    "adjudication": {"property": 65, "environment": 20, "company": 15},
}
CHANNELS: dict[str, dict[str, float]] = {
    "peoples": {C.MINI_PROGRAM: 55, C.WALK_IN: 15, C.HOTLINE_12345: 15, C.GRID_PATROL: 15},
    "pre_litigation": {C.COURT_12368: 1}, "petition": {C.PETITION: 1},
    "lawyer": {C.MINI_PROGRAM: 60, C.WALK_IN: 40}, "labour_arbitration": {C.WALK_IN: 60, C.MINI_PROGRAM: 40},
    "administrative": {C.HOTLINE_12345: 35, C.WALK_IN: 35, C.MINI_PROGRAM: 30},
    "notarisation": {C.WALK_IN: 70, C.MINI_PROGRAM: 30}, "adjudication": {C.WALK_IN: 70, C.MINI_PROGRAM: 30},
}
# the chance of an agreement by kind (before the street, the mediator and the difficulty)
SUCCESS = {"peoples": 0.93, "administrative": 0.88, "lawyer": 0.88, "pre_litigation": 0.80,
           "labour_arbitration": 0.84, "notarisation": 0.90, "adjudication": 0.83, "petition": 0.74}
DIFFICULTY = {Difficulty.SIMPLE: (30, 0.04, (1, 1)), Difficulty.NORMAL: (45, 0.0, (1, 2)),
              Difficulty.COMPLEX: (20, -0.07, (2, 3)), Difficulty.MAJOR: (5, -0.15, (2, 4))}
ADMIN_UNITS = {"consumer": ("d", "scjg"), "public_order": ("d", "gaj"), "property": ("d", "zjj"),
               "labour": ("d", "rsj"), "environment": ("3212", "sthj"), "medical": ("3212", "wjw")}
ADJUDICATION_UNITS = {"property": "zrzy", "environment": "sthj", "company": "scjg"}


@dataclass(frozen=True)
class KindInfo:
    pk: int
    code: str
    name: str
    steps: frozenset[str]
    mediator_kinds: frozenset[str]
    document: str
    days: int


@dataclass(frozen=True)
class TypeInfo:
    pk: int
    code: str
    name: str
    basis: str


@dataclass
class Catalog:
    kinds: dict[str, KindInfo]
    types: dict[str, TypeInfo]
    rates: dict[tuple[str, str], tuple[Decimal, Decimal]]  # (kind code, difficulty) → (amount, failed share)

    @classmethod
    def load(cls) -> Catalog:
        kinds = {k.code: KindInfo(k.pk, k.code, k.name, frozenset(k.steps or []), frozenset(k.mediator_kinds or []),
                                  k.document_title, k.deadline_days) for k in MediationKind.objects.filter(active=True)}
        types = {t.code: TypeInfo(t.pk, t.code, t.name, t.legal_basis) for t in DisputeType.objects.filter(active=True)}
        rates = {(r.kind.code, r.difficulty): (r.amount, r.failed_share)
                 for r in SubsidyRate.objects.select_related("kind")}
        return cls(kinds, types, rates)


@dataclass
class Timeline:
    """When each step would happen (whether it has, by now, is the simulation's business)."""

    dispatch: dt.datetime
    opened: dt.datetime  # the mediation's m_apply (the citizen's application, or the organisation's)
    accept: dt.datetime
    declined: bool = False
    sessions: list[tuple[dt.datetime, dt.datetime, int, dt.datetime]] = field(default_factory=list)
    cancelled: int | None = None  # a session called off (its index) and fixed again
    withdraw_at: dt.datetime | None = None
    conclude: dt.datetime | None = None
    choose: dt.datetime | None = None  # when the citizen picked her mediator online

    def end(self) -> dt.datetime:
        """When the mediation stops counting toward its mediator's load."""
        if self.declined:
            return self.accept
        return self.withdraw_at or self.conclude or self.accept


def pick_kind(rng: random.Random, catalog: Catalog) -> tuple[str, str, str]:
    """(kind code, dispute type code, channel), by the city's mix."""
    kinds = [k for k in KIND_WEIGHTS if k in catalog.kinds]
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    types = {t: w for t, w in TYPE_WEIGHTS[kind].items() if t in catalog.types}
    dispute = rng.choices(list(types), weights=list(types.values()))[0]
    channels = CHANNELS[kind]
    return kind, dispute, str(rng.choices(list(channels), weights=list(channels.values()))[0])


def pick_difficulty(rng: random.Random, amount: Decimal | None) -> str:
    shift = 1 if amount is not None and amount > 100_000 else 0
    levels = list(DIFFICULTY)
    picked = rng.choices(levels, weights=[DIFFICULTY[d][0] for d in levels])[0]
    return str(levels[min(len(levels) - 1, levels.index(picked) + (shift if rng.random() < 0.5 else 0))])


def pick_unit(rng: random.Random, orgs: Orgs, kind: str, dispute: str, street: str) -> int:
    """The organisation a mediation of ``kind`` about ``dispute`` in ``street`` goes to."""
    d = street[:6]
    r = rng.random()
    if kind == "pre_litigation":
        return orgs.court_centres[d]
    if kind == "lawyer":
        return rng.choice(orgs.studios[d])
    if kind == "labour_arbitration":
        return orgs.arbitration[d if r < 0.85 else "3212"]
    if kind == "administrative":
        where, abbr = ADMIN_UNITS.get(dispute, ("d", "scjg"))
        return orgs.officials[(d if where == "d" else where, abbr)]
    if kind == "adjudication":
        return orgs.officials[("3212", ADJUDICATION_UNITS.get(dispute, "zrzy"))]
    if kind == "notarisation":
        return orgs.city["gzc"]
    if kind == "petition":
        return orgs.district_committees[d] if r < 0.6 else orgs.city["xfj"]
    if dispute == "traffic" and r < 0.65:
        return orgs.city["jt"]
    if dispute == "medical" and r < 0.8:
        return orgs.city["yt"]
    if dispute == "labour" and r < 0.35:
        return orgs.city["ld"]
    if street in orgs.named_rooms and r < 0.2:
        return orgs.named_rooms[street][0]
    if r > 0.88:
        return orgs.district_committees[d]
    return orgs.street_committees[street][0]


def timeline(rng: random.Random, applied: dt.datetime, *, online: bool, difficulty: str, days: int) -> Timeline:
    """The steps' times: accepted within days, sessions a few days apart, concluded after the last."""
    if online:
        dispatch, opened = applied + dt.timedelta(seconds=2), applied + dt.timedelta(seconds=1)
    else:
        dispatch = office_hours(later(applied, rng, 0.2, 4))
        opened = office_hours(later(dispatch, rng, 0.3, 20))
    line = Timeline(dispatch=dispatch, opened=opened, accept=office_hours(later(max(dispatch, opened), rng, 1, 60)))
    r = rng.random()
    if r < 0.03:
        line.declined = True
        return line
    low, high = DIFFICULTY[Difficulty(difficulty)][2]
    count = rng.randint(low, high)
    cursor = line.accept
    horizon = days * 1.4
    for index in range(count):
        scheduled = office_hours(later(cursor, rng, 1, 30 if index == 0 else 20))
        starts = session_slot(scheduled, rng, 1, min(6, max(1, int(horizon / (count + 1)))))
        minutes = rng.choice((60, 90, 90, 120))
        recorded = later(starts + dt.timedelta(minutes=minutes), rng, 0.1, 3)
        line.sessions.append((scheduled, starts, minutes, recorded))
        cursor = recorded
        if index == 0 and rng.random() < 0.04:
            line.cancelled = 0
        if r > 0.98 and index == count - 1:  # the applicant withdraws before the last session is held
            line.withdraw_at = later(scheduled, rng, 2, 40)
            line.sessions[-1] = (scheduled, max(starts, line.withdraw_at + dt.timedelta(hours=2)), minutes,
                                 recorded + dt.timedelta(days=30))
            return line
    line.conclude = later(cursor, rng, 0, 2) if rng.random() < 0.7 else office_hours(later(cursor, rng, 16, 120))
    return line

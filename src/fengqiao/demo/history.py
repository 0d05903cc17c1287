"""A year of cases: when, through which channel, about what, where, who — and how each one went."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache

from fengqiao.cases import deadlines
from fengqiao.cases.deadlines import Terms
from fengqiao.cases.models import Category, Channel, TimeUnit, Urgency
from fengqiao.demo import texts as T
from fengqiao.demo.categories import Leaf
from fengqiao.demo.lifecycle import SYSTEM_ROLE, Actor
from fengqiao.demo.names import people
from fengqiao.demo.people import Staff
from fengqiao.demo.units import Org
from fengqiao.kit import clock, working_days
from fengqiao.kit.validators import id_check_char

H = dt.timedelta(hours=1)
CHANNELS = [
    (Channel.HOTLINE_12345, 55), (Channel.GRID_PATROL, 20), (Channel.MINI_PROGRAM, 8), (Channel.POLICE_110, 7),
    (Channel.PETITION, 4), (Channel.WALK_IN, 3), (Channel.PROCURATORATE_12309, 1.5), (Channel.COURT_12368, 1.5),
]
TOP_WEIGHTS = {
    "城乡建设": 22, "劳动和社会保障": 12, "环境保护": 9, "商贸旅游": 8, "教育文体": 8, "政法": 8, "交通运输": 7,
    "卫生计生": 6, "民政": 5, "农村农业": 5, "经济管理": 3, "国土资源": 2, "科技与信息产业": 2,
    "党务政务": 1.5, "纪检监察": 1.5,
}
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.4, 0.8, 2, 4, 8, 10, 10, 9, 6, 7, 9, 9, 8, 7, 5, 4, 3.5, 3, 2, 1.5]


@dataclass(frozen=True)
class Grid:
    id: int
    name: str
    community: tuple[int, str]
    street: tuple[int, str, str]  # id, name, code
    district: tuple[int, str, str]
    roads: tuple[str, ...] = ()  # road and landmark names in the grid (its aliases)


@dataclass
class World:
    """Everything a case draws on, loaded once."""

    now: dt.datetime
    grids: list[Grid]
    leaves: list[Leaf]
    org: Org
    staff: Staff
    texts: T.Texts
    categories: dict[int, Category]
    unit_names: dict[int, str]

    def actor(self, unit_id: int) -> Actor:
        user, role = self.staff.handlers[unit_id]
        return Actor(user, role, unit_id, self.unit_names[unit_id])

    terms_cache: dict[tuple[int, str], Terms] = field(default_factory=dict)

    def terms(self, leaf_id: int, urgency: str) -> Terms:
        key = (leaf_id, urgency)
        if key not in self.terms_cache:
            self.terms_cache[key] = deadlines.policy_for(self.categories[leaf_id], urgency)
        return self.terms_cache[key]


@lru_cache(maxsize=65536)
def working_days_end(day: dt.date, days: int) -> dt.datetime:
    return working_days.add_working_days(clock.at_local(day, dt.time(12)), days)


def resolve_deadline(start: dt.datetime, terms: Terms) -> dt.datetime:
    """``deadlines.resolve_deadline``, memoised by local date (it only depends on the date)."""
    if terms.resolve_unit == TimeUnit.HOURS:
        return deadlines.resolve_deadline(start, terms)
    return working_days_end(clock.localtime(start).date(), terms.resolve_amount)


def evaluation_deadline(start: dt.datetime, terms: Terms) -> dt.datetime:
    return working_days_end(clock.localtime(start).date(), terms.evaluation_days)


def registration_times(rng: random.Random, count: int, now: dt.datetime, days: int = 365) -> list[dt.datetime]:
    """``count`` times over the last ``days`` days: fewer at night and at weekends, slowly rising."""
    start = clock.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
    day_weights = []
    for d in range(days + 1):
        day = (start + dt.timedelta(days=d)).date()
        day_weights.append((1.0 if working_days.is_workday(day) else 0.65) * (0.85 + 0.3 * d / days))
    picked_days = rng.choices(range(days + 1), weights=day_weights, k=count)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    times = []
    for d, h in zip(picked_days, hours, strict=True):
        moment = start + dt.timedelta(days=d, hours=h, seconds=rng.randrange(3600))
        times.append(moment if moment < now else now - dt.timedelta(seconds=rng.randrange(1, 7200)))
    return sorted(t.astimezone(dt.UTC).replace(microsecond=0) for t in times)


def _later(at: dt.datetime, rng: random.Random, low_h: float, high_h: float) -> dt.datetime:
    return at + dt.timedelta(seconds=rng.uniform(low_h, high_h) * 3600)


class Simulation:
    """Draws each case's facts and runs its lifecycle."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.w, self.rng = world, rng
        leaf_weights = []
        for leaf in world.leaves:
            base = TOP_WEIGHTS.get(leaf.top, 1.0) / max(1, sum(1 for x in world.leaves if x.top == leaf.top))
            leaf_weights.append(base * rng.uniform(0.2, 1.8) * (0.4 if leaf.name == "其他" else 1.0))
        self.leaf_weights = leaf_weights
        self.last_in_grid: dict[int, tuple[int, str]] = {}
        self.people = people(rng, 5000)  # repeat callers come from here

    def id_number(self) -> str:
        """A valid-format resident ID number of someone born in the city."""
        rng = self.rng
        district = rng.choice(["02", "03", "04", "81", "82", "83"])
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        first17 = f"3212{district}{born:%Y%m%d}{rng.randrange(1000):03d}"
        return first17 + id_check_char(first17)

    def channel(self) -> str:
        return self.rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0].value

    def urgency(self, leaf: Leaf) -> str:
        r = self.rng.random()
        if leaf.very_urgent_prone and r < 0.25:
            return Urgency.VERY_URGENT.value
        return (Urgency.VERY_URGENT if r < 0.01 else Urgency.URGENT if r < 0.09 else Urgency.NORMAL).value

    def registrar(self, channel: str, grid: Grid) -> tuple[Actor, int | None]:
        """Who registers a case of a channel: (actor, citizen account)."""
        w, rng = self.w, self.rng
        if channel == Channel.HOTLINE_12345:
            return Actor(rng.choice(w.staff.operators), "operator", w.org.hotline.pk), None
        if channel == Channel.GRID_PATROL:
            return Actor(w.staff.grid_workers.get(grid.id), "grid_worker", None), None
        if channel == Channel.MINI_PROGRAM:
            citizen = rng.choice(w.staff.citizens)
            return Actor(citizen, "citizen", None), citizen
        source = {Channel.POLICE_110: "gaj", Channel.PROCURATORATE_12309: "jcy", Channel.COURT_12368: "zy"}
        if channel in source:
            return Actor(None, SYSTEM_ROLE, w.org.city[source[Channel(channel)]].pk), None
        district_centre = w.org.district[grid.district[2]]["cc"]
        return Actor(w.staff.district_dispatchers[grid.district[2]], "dispatcher", district_centre.pk), None

    def dispatcher(self, grid: Grid) -> Actor:
        if self.rng.random() < 0.7:
            code = grid.district[2]
            return Actor(self.w.staff.district_dispatchers[code], "dispatcher", self.w.org.district[code]["cc"].pk)
        return Actor(self.w.staff.city_dispatcher, "dispatcher", self.w.org.command_centre.pk)

    def lead_candidates(self, leaf: Leaf, grid: Grid) -> list[int]:
        org, units = self.w.org, []
        local = org.district[grid.district[2]]
        for abbr in leaf.units:
            if abbr in local:
                units.append(local[abbr].pk)
            if abbr in org.city:
                units.append(org.city[abbr].pk)
        street = org.streets.get(grid.street[2])
        return [*units, street.pk] if street else units

    def choose_units(self, leaf: Leaf, grid: Grid, avoid: int | None = None) -> tuple[Actor, list[Actor]]:
        rng = self.rng
        candidates = [u for u in self.lead_candidates(leaf, grid) if u != avoid] or [self.w.org.city["zwb"].pk]
        street_office = self.w.org.streets.get(grid.street[2])
        if street_office and street_office.pk in candidates and rng.random() < 0.4:
            lead = street_office.pk
        else:
            lead = candidates[0] if rng.random() < 0.6 else rng.choice(candidates)
        assists = []
        others = [u for u in candidates if u != lead]
        if others and rng.random() < 0.12:
            assists = [self.w.actor(rng.choice(others))]
        return self.w.actor(lead), assists

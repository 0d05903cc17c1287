"""A year of patrols: each grid worker visits her plan's places about when they are due — diligent grids
on time, a few neglected (blind spots), some with a vacancy of weeks (one right now), fewer visits at
weekends and holidays and in worse months (春节, the summer heat) —, logged on the phone (``observed_at``)
and received by the server seconds later, or hours later when the phone was offline.  Visits that found
a problem raised the grid's grid-patrol cases (``Visit.case``, the case registered when the visit arrived).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fengqiao.demo.patrol_rows import Columns, check, time_formatter, uuid4_hex
from fengqiao.demo.places import GridInfo, PlannedPlace
from fengqiao.gridwork.models import Finding, LocatedBy, PlaceKind, TeamRole
from fengqiao.kit import clock, working_days

DAY = 86400.0
HOURS = [(8, 1.0), (9, 3.0), (10, 4.0), (11, 3.0), (12, 0.6), (13, 1.0), (14, 3.0), (15, 4.0), (16, 3.0),
         (17, 1.5), (18, 0.5), (19, 0.3)]
MONTH_FACTOR = {1: 0.95, 2: 0.78, 7: 0.9, 8: 0.85, 10: 0.92}  # 春节, the heat, 国庆
NOTES = {
    PlaceKind.HOUSEHOLD: ["老人身体状况良好，已提醒按时服药", "了解家庭近况，无特殊困难", "宣传防范电信诈骗知识",
                          "协助申请临时救助"],
    PlaceKind.SHOP: ["检查消防器材，在有效期内", "提醒门前不得占道经营", "宣传食品安全知识"],
    PlaceKind.RENTAL: ["核对租住人员信息", "提醒房东落实消防安全责任", "电动车未在室内充电"],
    PlaceKind.SCHOOL: ["上下学时段周边秩序良好", "校园周边无流动摊贩"],
    PlaceKind.COMPANY: ["了解企业用工情况，无欠薪反映", "安全生产台账齐全"],
    PlaceKind.KEY_PLACE: ["人员密集，秩序良好", "消防通道畅通", "未发现异常情况"],
}
ON_THE_SPOT = ["楼道堆放杂物，已当场劝导清理", "店外占道经营，已提醒整改", "发现邻里争吵苗头，已当场劝解",
               "电动车在楼道充电，已劝离", "路灯不亮，已联系物业修复"]  # a problem put right there and then


@dataclass
class Calendar:
    """The year's local days: their starts (epoch seconds), whether each is a working day, its month."""

    first: dt.date
    starts: list[float] = field(default_factory=list)
    workday: list[bool] = field(default_factory=list)
    month: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, first: dt.date, last: dt.date) -> Calendar:
        cal = cls(first)
        for d in range((last - first).days + 2):
            day = first + dt.timedelta(days=d)
            cal.starts.append(clock.at_local(day, dt.time()).timestamp())
            cal.workday.append(working_days.is_workday(day))
            cal.month.append(day.month)
        return cal

    def day(self, ts: float) -> int:
        return bisect.bisect_right(self.starts, ts) - 1

    def nearby_workday(self, d: int, after: float, rng: random.Random) -> int:
        """A working day within three days of ``d`` starting after ``after``, drawn evenly (weekend visits
        moved to the days around them, not piled on Monday); ``d`` when there is none."""
        days = [x for x in range(max(0, d - 3), min(len(self.workday) - 1, d + 4))
                if self.workday[x] and self.starts[x] > after]
        return rng.choice(days) if days else d


@dataclass(frozen=True)
class Profile:
    """How a grid is patrolled: the chance a due visit happens, its vacancies, how often the phone is offline."""

    diligence: float
    vacancies: tuple[tuple[float, float], ...]
    offline: float

    def absent(self, ts: float) -> bool:
        return any(a <= ts < b for a, b in self.vacancies)


def profile(grid: GridInfo, rng: random.Random, year_start: float, now: float) -> Profile:
    r = rng.random()
    diligence = rng.uniform(0.15, 0.5) if r < 0.07 else rng.uniform(0.65, 0.88) if r < 0.22 else \
        rng.uniform(0.9, 0.99)
    vacancies: list[tuple[float, float]] = []
    r = rng.random()
    if r < 0.025:  # the post is vacant now: a blind spot this month
        vacancies.append((now - rng.uniform(35, 80) * DAY, now + DAY))
    elif r < 0.105:  # a few weeks' leave during the year
        start = rng.uniform(year_start, now - 110 * DAY)
        vacancies.append((start, start + rng.uniform(30, 75) * DAY))
    return Profile(diligence, tuple(vacancies), 0.12 if grid.village else 0.04)


_HOUR_OF = [h for h, _w in HOURS]
_CUMULATIVE = [sum(w for _h, w in HOURS[: i + 1]) for i in range(len(HOURS))]


def local_time(cal: Calendar, d: int, rng: random.Random) -> float:
    """A moment of working hours on day ``d`` (most visits mid-morning and mid-afternoon)."""
    hour = _HOUR_OF[bisect.bisect(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])]
    return cal.starts[d] + hour * 3600 + int(rng.random() * 3600)


def schedule(place: PlannedPlace, prof: Profile, cal: Calendar, rng: random.Random, year_start: float,
             now: float, resets: list[float]) -> list[float]:
    """The times the grid worker visited ``place`` for its plan; ``resets`` are other visits by her (a
    campaign's) after which the next one is due again."""
    every = place.every_days * DAY
    created = place.created_at.timestamp()
    t = created - every * rng.uniform(0.3, 0.9) if created > year_start else year_start - rng.uniform(0, every)
    resets = sorted(resets)
    out: list[float] = []
    while True:
        due = t + every * rng.uniform(0.75, 1.02)
        while resets and resets[0] <= due:
            t = max(t, resets.pop(0))
            due = t + every * rng.uniform(0.75, 1.02)
        if due >= now:
            return out
        if due < year_start:  # due before the year: visited then, as far as the year knows
            t = due
            continue
        due = max(due, created + 3600)
        d = cal.day(due)
        if prof.absent(due) or rng.random() > prof.diligence * MONTH_FACTOR.get(cal.month[d], 1.0):
            t = due  # missed: the next one is due a cycle later
            continue
        if not cal.workday[d] and rng.random() < 0.7:
            d = cal.nearby_workday(d, max(t, created), rng)  # weekends and holidays are lighter
        at = local_time(cal, d, rng)
        if at >= now:
            return out
        if at <= max(t, created):
            continue
        if at >= year_start:  # one before the year only sets when the next is due
            out.append(at)
        t = at


def received(observed: float, prof: Profile, now: float, rng: random.Random) -> float:
    """Seconds after the observation on a good network; hours later when the phone kept it offline."""
    if rng.random() < prof.offline:
        late = observed + rng.uniform(0.5, 9) * 3600
        if late < now:
            return float(int(late))
    return min(now, observed + max(1, int(rng.lognormvariate(1.3, 0.7))))


def metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    dx = (lng2 - lng1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * 110_540
    return round(math.hypot(dx, dy), 1)


class VisitWriter:
    """Turns visits into rows of the visit table, in their database form, and counts them."""

    def __init__(self, columns: Columns, rng: random.Random) -> None:
        self.columns, self.rng = columns, rng
        self.rows: list[list[Any]] = []
        self.counts: Counter[str] = Counter()
        self.time = time_formatter()
        ix = columns.index
        self._at = [ix[n] for n in ("client_id", "grid_id", "place_id", "campaign_id", "worker_id", "team_role",
                                    "observed_at", "received_at", "finding", "note", "case_id", "lng", "lat",
                                    "accuracy_m", "located_by", "distance_m")]
        check(columns, self._row())

    def _row(self) -> list[Any]:
        row = self.columns.template.copy()
        for i in self._at:
            row[i] = None
        return row

    def add(self, *, grid: int, worker: int, observed: float, received: float, place_id: int | None,
            point: tuple[float, float] | None, place: PlannedPlace | None, finding: str = Finding.NORMAL,
            note: str = "", role: str = TeamRole.GRID_WORKER, campaign: int | None = None,
            case: int | None = None) -> None:
        rng, counts = self.rng, self.counts
        counts["gridwork.visits"] += 1
        if finding == Finding.ISSUE:
            counts["gridwork.visits_issue"] += 1
        if case is not None:
            counts["gridwork.visits_raising_a_case"] += 1
        if received - observed > 3600:
            counts["gridwork.visits_uploaded_late"] += 1
        if campaign is not None:
            counts["gridwork.campaign_visits"] += 1
        located = LocatedBy.GPS
        if point is None and place is not None:
            if rng.random() < 0.03:  # no GPS fix: the place's own point
                point, located = (place.lng, place.lat), LocatedBy.PLACE
            else:  # a fix within a few tens of metres
                point = (round(place.lng + (rng.random() - rng.random()) * 0.00022, 6),
                         round(place.lat + (rng.random() - rng.random()) * 0.0002, 6))
        assert point is not None
        accuracy = None if located == LocatedBy.PLACE else int(rng.uniform(40, 350)) / 10
        distance = metres(point[0], point[1], place.lng, place.lat) if place is not None else None
        values = (uuid4_hex(rng.getrandbits(128)), grid, place_id, campaign, worker, role, self.time(observed),
                  self.time(received), finding, note, case, point[0], point[1], accuracy, located.value, distance)
        row = self.columns.template.copy()
        for i, value in zip(self._at, values, strict=True):
            row[i] = value
        self.rows.append(row)

    def note(self, kind: str) -> str:
        return self.rng.choice(NOTES[PlaceKind(kind)]) if self.rng.random() < 0.12 else ""

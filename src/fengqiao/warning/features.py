"""The escalation features of a case as known at a moment (``as_of``), and the outcome label.

A case's features only use what was on record before ``as_of``: earlier contacts of the same party (a
party's phone or ID-number hash) and at the same place (the normalised address), their channels, earlier
petitions and 110 incidents, unsatisfied evaluations, reopenings, whether the case is overdue and how long
it has been open, its channel, urgency and category, and text signals (lexicon.py).  The label looks only
after ``as_of``: did the same party or place bring a petition, a 110 incident or a collective event within
the horizon?  Training takes one snapshot per case, ``SNAPSHOT_DAYS`` after registration (or now).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from fengqiao.cases.models import Channel, Satisfaction
from fengqiao.warning import lexicon

DAY = 86400.0
SNAPSHOT_DAYS = 7
HORIZON_DAYS = 90
WINDOW_DAYS = 90  # "repeat contacts" look this far back
HISTORY_DAYS = 365  # petitions, 110 and unsatisfied evaluations look this far back
COLLECTIVE_CASES, COLLECTIVE_DAYS = 5, 7  # ≥ 5 matters at one place within 7 days is a collective event
ESCALATION_CHANNELS = frozenset({Channel.PETITION.value, Channel.POLICE_110.value})
_SUFFIX = re.compile(r"(附近|旁边|对面|门口|周边|一带)$")

# feature → reason template (Chinese msgid, translated when shown: ``services.reason_text``)
FEATURES: dict[str, str] = {
    "party_contacts": gettext_noop("同一当事人近 90 天反映 {n} 次"),
    "party_channels": gettext_noop("近 90 天经 {n} 个渠道反复反映"),
    "party_petitions": gettext_noop("当事人一年内信访 {n} 次"),
    "party_police": gettext_noop("当事人一年内 110 报警 {n} 次"),
    "party_unsatisfied": gettext_noop("当事人一年内不满意评价 {n} 次"),
    "place_contacts": gettext_noop("同一地址近 90 天 {n} 件"),
    "place_escalations": gettext_noop("同一地址一年内信访、110 {n} 次"),
    "grid_recent": gettext_noop("所在网格近 30 天 {n} 件"),
    "reopened": gettext_noop("重办 {n} 次"),
    "overdue": gettext_noop("已超期"),
    "days_open": gettext_noop("已办理 {n} 天未办结"),
    "escalated_channel": gettext_noop("本件来自信访或 110"),
    "urgent": gettext_noop("紧急程度为紧急或特急"),
    "dispute": gettext_noop("矛盾纠纷类事项"),
    "category_rate": gettext_noop("该类事项历史激化率 {p}"),
    "threat": gettext_noop("文本含威胁、报复言语"),
    "violence": gettext_noop("文本含暴力苗头"),
    "self_harm": gettext_noop("文本含自伤、轻生倾向"),
    "collective": gettext_noop("文本含集体行动苗头"),
    "rental": gettext_noop("租赁房屋专项信号 {n} 项"),
    "family": gettext_noop("婚姻家庭专项信号 {n} 项"),
}
NAMES = list(FEATURES)
COUNTS = frozenset({"party_contacts", "party_channels", "party_petitions", "party_police", "party_unsatisfied",
                    "place_contacts", "place_escalations", "grid_recent", "reopened", "days_open"})


def place_key(address: str) -> str:
    """The normalised address: no spaces, no trailing 附近/旁边…; empty unless it names a number (a road
    and number, a building) — "XX社区附近" is not one place."""
    key = _SUFFIX.sub("", re.sub(r"\s+", "", address or ""))
    return key if any(ch.isdigit() for ch in key) else ""


@dataclass
class Record:
    """What the features need of one case (times as POSIX seconds)."""

    id: int
    at: float
    channel: str
    category: str  # the leaf category's name
    top: str  # its top-level category's name
    urgency: str
    text: str
    place: str
    grid: int | None
    deadline: float | None
    overdue_since: float | None
    replied: float | None
    closed: float | None
    party_keys: tuple[str, ...] = ()
    unsatisfied: tuple[float, ...] = ()  # times of its unsatisfied evaluations (each one reopened it)
    signals: dict[str, list[str]] = field(default_factory=dict)
    modules: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    analysed: bool = False

    def analyse(self) -> None:
        self.signals = lexicon.signals(self.text)
        self.modules = lexicon.modules(self.text, f"{self.top} {self.category}")
        self.analysed = True

    @property
    def escalation(self) -> bool:
        return self.channel in ESCALATION_CHANNELS or "collective" in self.signals


class _Timeline:
    """Sorted times per key, with the channel of each and the unsatisfied evaluations."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.channels: dict[str, list[str]] = defaultdict(list)
        self.escalations: dict[str, list[float]] = defaultdict(list)
        self.petitions: dict[str, list[float]] = defaultdict(list)
        self.police: dict[str, list[float]] = defaultdict(list)
        self.unsatisfied: dict[str, list[float]] = defaultdict(list)

    def add(self, key: str, r: Record) -> None:
        self.times[key].append(r.at)
        self.channels[key].append(r.channel)
        if r.channel == Channel.PETITION:
            self.petitions[key].append(r.at)
        if r.channel == Channel.POLICE_110:
            self.police[key].append(r.at)
        if r.escalation:
            self.escalations[key].append(r.at)
        self.unsatisfied[key].extend(r.unsatisfied)

    def finish(self) -> None:
        for table in (self.escalations, self.petitions, self.police, self.unsatisfied):
            for values in table.values():
                values.sort()
        for key, times in self.times.items():
            order = sorted(range(len(times)), key=times.__getitem__)
            self.times[key] = [times[i] for i in order]
            self.channels[key] = [self.channels[key][i] for i in order]


def _count(values: Sequence[float], low: float, high: float) -> int:
    """How many of the sorted ``values`` lie in [low, high)."""
    return bisect_left(values, high) - bisect_left(values, low)


def _after(values: Sequence[float], low: float, high: float) -> bool:
    """Whether one of the sorted ``values`` lies in (low, high]."""
    return bisect_right(values, high) > bisect_right(values, low)


class History:
    """Every case known (the history a case is scored against), indexed by party, place and grid."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.records = list(records)
        self.party = _Timeline()
        self.place = _Timeline()
        self.grid: dict[int, list[float]] = defaultdict(list)
        collective_at: dict[str, list[float]] = defaultdict(list)
        for r in self.records:
            if not r.analysed:
                r.analyse()
            for key in r.party_keys:
                self.party.add(key, r)
            if r.place:
                self.place.add(r.place, r)
            if r.grid is not None:
                self.grid[r.grid].append(r.at)
        self.party.finish()
        self.place.finish()
        for times in self.grid.values():
            times.sort()
        # a collective event: the COLLECTIVE_CASES-th matter at one place within COLLECTIVE_DAYS
        for key, times in self.place.times.items():
            for i in range(COLLECTIVE_CASES - 1, len(times)):
                if times[i] - times[i - COLLECTIVE_CASES + 1] <= COLLECTIVE_DAYS * DAY:
                    collective_at[key].append(times[i])
        for key, times in collective_at.items():
            self.place.escalations[key] = sorted(set(self.place.escalations.get(key, [])) | set(times))

    # --- features -------------------------------------------------------------------------------------
    def features(self, r: Record, as_of: float, category_rate: dict[str, float], prior: float) -> dict[str, float]:
        """The features of ``r`` as known at ``as_of`` (nothing later is read)."""
        week, window, year = as_of - 30 * DAY, as_of - WINDOW_DAYS * DAY, as_of - HISTORY_DAYS * DAY
        contacts = channels = petitions = police = unsatisfied = 0
        for key in r.party_keys:
            times = self.party.times.get(key, [])
            lo, hi = bisect_left(times, window), bisect_left(times, as_of)
            contacts = max(contacts, hi - lo - 1)  # not counting the case itself
            channels = max(channels, len(set(self.party.channels[key][lo:hi])))
            petitions = max(petitions, _count(self.party.petitions.get(key, []), year, as_of))
            police = max(police, _count(self.party.police.get(key, []), year, as_of))
            unsatisfied = max(unsatisfied, _count(self.party.unsatisfied.get(key, []), year, as_of))
        own_escalation = 1 if r.escalation and r.at < as_of else 0
        if r.channel == Channel.PETITION:
            petitions -= 1
        if r.channel == Channel.POLICE_110:
            police -= 1
        place_contacts = place_escalations = 0
        if r.place:
            place_contacts = _count(self.place.times.get(r.place, []), window, as_of) - 1
            place_escalations = _count(self.place.escalations.get(r.place, []), year, as_of) - own_escalation
        grid_recent = _count(self.grid.get(r.grid, []), week, as_of) - 1 if r.grid is not None else 0
        closed = r.closed if r.closed is not None and r.closed <= as_of else None
        replied = r.replied is not None and r.replied <= as_of
        overdue = (r.overdue_since is not None and r.overdue_since <= as_of) or (
            r.deadline is not None and r.deadline < as_of and not replied and closed is None)
        modules = r.modules
        return {
            "party_contacts": max(0, contacts), "party_channels": channels if contacts > 0 else 0,
            "party_petitions": max(0, petitions), "party_police": max(0, police),
            "party_unsatisfied": max(0, unsatisfied),
            "place_contacts": max(0, place_contacts), "place_escalations": max(0, place_escalations),
            "grid_recent": max(0, grid_recent),
            "reopened": sum(1 for t in r.unsatisfied if t <= as_of),
            "overdue": 1.0 if overdue and closed is None else 0.0,
            "days_open": max(0.0, ((closed or as_of) - r.at) / DAY),
            "escalated_channel": 1.0 if r.channel in ESCALATION_CHANNELS else 0.0,
            "urgent": 1.0 if r.urgency in ("urgent", "very_urgent") else 0.0,
            "dispute": 1.0 if "纠纷" in r.category or "纠纷" in r.top else 0.0,
            "category_rate": category_rate.get(r.top, prior),
            **{k: 1.0 if k in r.signals else 0.0 for k in lexicon.SIGNALS},
            "rental": float(len(modules.get("rental", {}))) if "rental" in modules else 0.0,
            "family": float(len(modules.get("family", {}))) if "family" in modules else 0.0,
        }

    # --- label ----------------------------------------------------------------------------------------
    def label(self, r: Record, as_of: float, horizon_days: int = HORIZON_DAYS) -> int:
        """1 when, in (as_of, as_of + horizon], the same party or place had a petition, a 110 incident or a
        collective event."""
        end = as_of + horizon_days * DAY
        for key in r.party_keys:
            if _after(self.party.escalations.get(key, []), as_of, end):
                return 1
        if r.place and _after(self.place.escalations.get(r.place, []), as_of, end):
            return 1
        return 0


def vector(values: dict[str, float]) -> list[float]:
    """The model's input: counts through log1p, flags and rates as they are."""
    return [math.log1p(values[n]) if n in COUNTS else float(values[n]) for n in NAMES]


def snapshot(r: Record, now: float, snapshot_days: int = SNAPSHOT_DAYS) -> float:
    return min(r.at + snapshot_days * DAY, now)


def ts(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def unsatisfied_rating() -> str:
    return Satisfaction.UNSATISFIED.value

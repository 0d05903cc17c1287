"""Address text → district, street, community and grid, through the names of the jurisdiction tree.

The index holds every area's name, its short form (海陵区 → 海陵, 城东街道 → 城东, 东风社区 → 东风) and its
aliases (road and landmark names: 东风路, 万达广场).  An address is normalised, scanned for exact name hits
(a dict of names by length, leftmost-longest), and the deepest area whose chain of ancestors agrees with the
most evidence wins; the other names present settle ambiguity (the same road in two districts).  Only when
the exact scan leaves the community unknown (or a road-like remainder unexplained) do near-misses get a
rapidfuzz pass, restricted to the subtree already found.  See docs/location.md.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from fengqiao.intake.gazetteer_index import Entry, Index, build_index
from fengqiao.jurisdictions import geo
from fengqiao.jurisdictions.models import Level

THRESHOLD = 0.6  # a Located at or above this is trusted to place a case in its grid without a human
_REFRESH_SECONDS = 300.0
LEVEL_SCORE: dict[str, float] = {Level.GRID: 1.0, Level.COMMUNITY: 0.85, Level.STREET: 0.55, Level.DISTRICT: 0.35}
LEVEL_WEIGHT: dict[str, float] = {Level.GRID: 1.0, Level.COMMUNITY: 1.0, Level.STREET: 0.7, Level.DISTRICT: 0.5}
ROAD_MARKERS = ("路", "街", "巷", "道", "弄", "桥", "广场", "公园", "中学", "小学", "医院", "市场", "小区",
                "花园", "新村", "大厦", "号")
_PROVINCE = re.compile(r"^(中国)?[\u4e00-\u9fff]{2,3}省")
_NOISE = re.compile(r"[0-9a-z]+|附近|对面|旁边|门口|东侧|西侧|南侧|北侧|以东|以西|以南|以北|一带|周边|里面|楼下")


@dataclass(frozen=True)
class Located:
    district_id: int | None
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    lng: float | None
    lat: float | None
    score: float
    matched: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]
    quality: float = 1.0  # 1 for an exact hit, the similarity for a near miss
    name: str = ""  # the name a near miss stands for


def normalise(text: str, city_names: Iterable[str] = ()) -> str:
    """Half-width, lower case, without spaces, punctuation and symbols, without a leading province or city."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZCS")
    kept = _PROVINCE.sub("", kept)
    for name in city_names:
        if kept.startswith(name):
            return kept[len(name):]
    return kept


# ---------------------------------------------------------------------------------------------- matching


def _scan(text: str, index: Index) -> list[_Hit]:
    """Every exact name hit, without hits that lie inside a longer one."""
    found: list[_Hit] = []
    n = len(text)
    for i in range(n):
        for length in index.lengths:
            if i + length > n:
                continue
            entries = index.names.get(text[i:i + length])
            if entries:
                found.append(_Hit(i, i + length, text[i:i + length], entries))
    kept = [h for h in found if not any(o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
                                        for o in found)]
    return [h for h in (_road_rule(h, text) for h in kept) if h is not None]


def _road_rule(hit: _Hit, text: str) -> _Hit | None:
    """A short form directly followed by 路/街/巷 names a road (东风路), not the community 东风."""
    rest = text[hit.end:]
    if not rest.startswith(("路", "巷", "大道")) and not (rest.startswith("街") and not rest.startswith("街道")):
        return hit
    entries = tuple(e for e in hit.entries if e.kind != "short")
    return _Hit(hit.start, hit.end, hit.text, entries) if entries else None


def _weight(entry: Entry, index: Index) -> float:
    return LEVEL_WEIGHT[index.nodes[entry.area].level]


def _support(chain: frozenset[int], hits: list[_Hit], index: Index) -> tuple[float, list[float]]:
    support, qualities = 0.0, []
    for hit in hits:
        agreeing = [e for e in hit.entries if e.area in chain]
        if agreeing:
            best = max(agreeing, key=lambda e: (_weight(e, index), e.quality))
            support += _weight(best, index) * hit.quality
            qualities.append(best.quality * hit.quality)
    return support, qualities


@dataclass(frozen=True)
class _Choice:
    area: int
    support: float
    qualities: tuple[float, ...]
    ties: int


def _choose(hits: list[_Hit], index: Index) -> _Choice | None:
    """The deepest area agreeing with the most evidence; tied rivals give way to their common ancestor."""
    areas = {e.area for h in hits for e in h.entries}
    if not areas:
        return None
    ranked = []
    for area in areas:
        support, qualities = _support(index.chain[area], hits, index)
        ranked.append((round(support, 6), index.nodes[area].depth, sum(qualities), area, qualities))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    top = ranked[0]
    tied = [r for r in ranked if r[:3] == top[:3]]
    area = top[3]
    if len(tied) > 1:
        common = frozenset.intersection(*(index.chain[r[3]] for r in tied))
        below_city = [a for a in common if index.nodes[a].level != Level.CITY]
        if not below_city:
            return None
        area = max(below_city, key=lambda a: index.nodes[a].depth)
    return _Choice(area, top[0], tuple(top[4]), len(tied))


def _descend(area: int, text: str, index: Index) -> tuple[int, str]:
    """Down while the way is certain: a single child, or a grid named by its number (东风社区第2网格)."""
    while True:
        node = index.nodes[area]
        if node.level == Level.COMMUNITY:
            for name, grid in index.grid_numbers.get(area, ()):
                if name in text:
                    return grid, name
        if len(node.children) != 1:
            return area, ""
        area = node.children[0]


def _residual(text: str, hits: list[_Hit]) -> list[str]:
    chars = list(text)
    for hit in hits:
        for i in range(hit.start, hit.end):
            chars[i] = "|"
    return [s for s in _NOISE.sub("|", "".join(chars)).split("|") if len(s) >= 3]


def _fuzzy(text: str, hits: list[_Hit], within: int | None, index: Index) -> list[_Hit]:
    """Near misses (a wrong, missing or extra character) among the names under ``within``."""
    choices = index.fuzzy.get(within if within is not None else 0)
    if not choices:
        return []
    found = []
    for segment in _residual(text, hits):
        for name, _score, _i in process.extract(segment, choices, scorer=fuzz.partial_ratio, limit=5,
                                                score_cutoff=60):
            window = _one_off(name, segment)
            if window is None:
                continue
            entries = tuple(e for e in index.names[name] if within is None or within in index.chain[e.area])
            if entries:
                at = text.find(window)
                quality = 0.9 * (1 - 1 / len(name))
                found.append(_Hit(at, at + len(window), window, entries, quality=quality, name=name))
        if found:
            break
    return found


def _one_off(name: str, segment: str) -> str | None:
    """The part of ``segment`` that is ``name`` but for one character (wrong, missing or extra), if any."""
    sizes = (len(name), len(name) + 1, len(name) - 1) if len(name) >= 4 else (len(name),)  # 3: a wrong one
    for size in sizes:
        for start in range(0, len(segment) - size + 1):
            window = segment[start:start + size]
            if Levenshtein.distance(name, window, score_cutoff=1) <= 1:
                return window
    return None


def _needs_fuzzy(choice: _Choice | None, text: str, hits: list[_Hit], index: Index) -> bool:
    if choice is None:
        return True
    level = index.nodes[choice.area].level
    if level in (Level.DISTRICT, Level.STREET):
        return True
    return level == Level.COMMUNITY and any(m in s for s in _residual(text, hits) for m in ROAD_MARKERS)


def _match(text: str, index: Index) -> Located | None:
    hits = _scan(text, index)
    choice = _choose(hits, index)
    if _needs_fuzzy(choice, text, hits, index):
        within = None
        if choice is not None:  # near misses are looked for under what was found (a community: its street)
            node = index.nodes[choice.area]
            within = node.parent if node.level == Level.COMMUNITY else choice.area
        near = _fuzzy(text, hits, within, index)
        if near:
            better = _choose(hits + near, index)
            if better is not None and (choice is None or index.nodes[better.area].depth > index.nodes[
                    choice.area].depth):
                hits, choice = hits + near, better
    if choice is None:
        return None
    area, by_number = _descend(choice.area, text, index)
    return _located(area, choice, hits, by_number, index)


def _located(area: int, choice: _Choice, hits: list[_Hit], by_number: str, index: Index) -> Located:
    chain = index.chain[area]
    levels = {index.nodes[a].level: a for a in chain}
    total = sum(max(_weight(e, index) for e in h.entries) * h.quality for h in hits)
    qualities = list(choice.qualities) + ([0.85] if by_number else [])
    evidence = 1 - math.prod(1 - q for q in qualities)
    agreement = choice.support / total if total else 0.0
    node = index.nodes[area]
    score = LEVEL_SCORE.get(node.level, 0.0) * evidence * agreement / choice.ties
    matched = [f"{h.text}→{h.name}" if h.name else h.text for h in sorted(hits, key=lambda h: h.start)
               if any(e.area in chain or area in index.chain[e.area] for e in h.entries)]
    return Located(
        district_id=levels.get(Level.DISTRICT), street_id=levels.get(Level.STREET),
        community_id=levels.get(Level.COMMUNITY), grid_id=levels.get(Level.GRID),
        lng=None if node.lng is None else round(node.lng, 6), lat=None if node.lat is None else round(node.lat, 6),
        score=round(score, 3), matched=" ".join(matched + ([by_number] * bool(by_number))),
    )


# ---------------------------------------------------------------------------------------------- the index


_lock = threading.Lock()
_cached: tuple[float, Index] | None = None


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


geo.on_invalidate(invalidate)  # the areas changed (signals, bulk imports, the demo): rebuild on next use


def index() -> Index:
    """This process's index, built on first use and after the areas change (or every few minutes)."""
    global _cached
    with _lock:
        if _cached is None or time.monotonic() - _cached[0] > _REFRESH_SECONDS:
            _cached = (time.monotonic(), build_index())
        return _cached[1]


def locate(address: str) -> Located | None:
    """Where the address is, as deep in the tree as the text allows, with how sure; None when unknown."""
    built = index()
    text = normalise(address, built.city_names)
    return _match(text, built) if text else None


def locate_many(addresses: Iterable[str]) -> list[Located | None]:
    """``locate`` for a batch: one index, each distinct address matched once."""
    built = index()
    seen: dict[str, Located | None] = {}
    out = []
    for address in addresses:
        text = normalise(address, built.city_names)
        if text not in seen:
            seen[text] = _match(text, built) if text else None
        out.append(seen[text])
    return out


def chain_names(located: Located) -> list[str]:
    """The names of the located areas, district first (for 区县 › 镇街 › 社区 › 网格)."""
    built = index()
    ids = (located.district_id, located.street_id, located.community_id, located.grid_id)
    return [built.nodes[i].name for i in ids if i is not None and i in built.nodes]


def exact_only(address: str) -> Located | None:
    """The exact scan without near misses: the ablation the benchmark compares against."""
    built = index()
    text = normalise(address, built.city_names)
    hits = _scan(text, built)
    choice = _choose(hits, built)
    if choice is None:
        return None
    area, by_number = _descend(choice.area, text, built)
    return _located(area, choice, hits, by_number, built)

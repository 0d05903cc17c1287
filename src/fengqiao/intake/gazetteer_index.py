"""The gazetteer's in-memory index: every area's names, short forms and aliases, and its chain of ancestors."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from fengqiao.jurisdictions.models import Area, Level

# Official suffixes, longest first; what is left (at least two characters) is the short form people use.
SUFFIXES: dict[str, tuple[str, ...]] = {
    Level.CITY: ("市",),
    Level.DISTRICT: ("新区", "区", "市", "县"),
    Level.STREET: ("街道办事处", "街道", "镇", "乡"),
    Level.COMMUNITY: ("社区居委会", "居委会", "村委会", "社区", "村"),
}
QUALITY = {"full": 0.9, "alias": 0.85, "short": 0.75, "short2": 0.6}
NUMERALS = "零一二三四五六七八九十"
_GRID_NUMBER = re.compile(r"第?([0-9]+)网格$")
FUZZY_MIN_LENGTH = 3


@dataclass(frozen=True)
class Entry:
    area: int
    kind: str  # full, short, alias
    quality: float


@dataclass
class Node:
    id: int
    name: str
    level: str
    parent: int | None
    depth: int = 0
    lng: float | None = None
    lat: float | None = None
    children: list[int] = field(default_factory=list)


@dataclass
class Index:
    nodes: dict[int, Node]
    names: dict[str, tuple[Entry, ...]]
    lengths: list[int]  # the lengths of the names, longest first
    chain: dict[int, frozenset[int]]  # area → itself and its ancestors
    grid_numbers: dict[int, list[tuple[str, int]]]  # community → (第2网格, grid id)
    fuzzy: dict[int, list[str]]  # 0 (everything) / a district or street → the names under it, for near misses
    city_names: list[str]


def fold(name: str) -> str:
    """A name as addresses are normalised (half-width, lower case, no spaces or punctuation)."""
    folded = unicodedata.normalize("NFKC", name).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZCS")


def short_form(name: str, level: str) -> str | None:
    for suffix in SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def chinese_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n]
    if n < 20:
        return "十" + NUMERALS[n - 10]
    return NUMERALS[n // 10] + "十" + (NUMERALS[n % 10] if n % 10 else "")


def _grid_numbers(grid: Node, community: Node) -> list[str]:
    match = _GRID_NUMBER.search(grid.name)
    if not match:
        return []
    n = int(match.group(1))
    return [f"第{n}网格", f"{n}网格", f"第{chinese_number(n)}网格", f"{chinese_number(n)}网格"]


def _entries(node: Node, aliases: list[str]) -> list[tuple[str, Entry]]:
    out: list[tuple[str, Entry]] = []
    full = fold(node.name)
    if node.level != Level.CITY:
        out.append((full, Entry(node.id, "full", QUALITY["full"])))
    short = short_form(full, node.level)
    if short and node.level != Level.CITY:
        out.append((short, Entry(node.id, "short", QUALITY["short2" if len(short) == 2 else "short"])))
    for alias in aliases:
        folded = fold(str(alias))
        if len(folded) >= 2:
            out.append((folded, Entry(node.id, "alias", QUALITY["alias"])))
    return out


def _fill_points(nodes: dict[int, Node]) -> None:
    """An area without a centroid takes the mean of its children's (deepest first)."""
    for node in sorted(nodes.values(), key=lambda n: -n.depth):
        if node.lng is None and node.children:
            points = [(nodes[c].lng, nodes[c].lat) for c in node.children if nodes[c].lng is not None]
            if points:
                node.lng = round(sum(p[0] for p in points if p[0] is not None) / len(points), 6)
                node.lat = round(sum(p[1] for p in points if p[1] is not None) / len(points), 6)


def build_index() -> Index:
    rows = Area.objects.values_list("id", "name", "level", "parent_id", "centroid_lng", "centroid_lat", "aliases")
    nodes: dict[int, Node] = {}
    aliases: dict[int, list[str]] = {}
    for pk, name, level, parent, lng, lat, extra in rows.iterator(chunk_size=2000):
        nodes[pk] = Node(pk, name, level, parent, lng=lng, lat=lat)
        aliases[pk] = list(extra or [])
    chain: dict[int, frozenset[int]] = {}
    for node in sorted(nodes.values(), key=lambda n: _depth(n, nodes)):
        node.depth = _depth(node, nodes)
        up = chain.get(node.parent, frozenset()) if node.parent in nodes else frozenset()
        chain[node.id] = up | {node.id}
        if node.parent in nodes:
            nodes[node.parent].children.append(node.id)
    _fill_points(nodes)
    names: dict[str, list[Entry]] = defaultdict(list)
    fuzzy: dict[int, set[str]] = defaultdict(set)
    grid_numbers: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for node in nodes.values():
        for name, entry in _entries(node, aliases[node.id]):
            if entry not in names[name]:
                names[name].append(entry)
            if len(name) >= FUZZY_MIN_LENGTH and not (node.level == Level.GRID and entry.kind != "alias"):
                for owner in chain[node.id]:
                    if nodes[owner].level in (Level.CITY, Level.DISTRICT, Level.STREET):
                        fuzzy[owner].add(name)
                fuzzy[0].add(name)
        if node.level == Level.GRID and node.parent in nodes:
            for name in _grid_numbers(node, nodes[node.parent]):
                grid_numbers[node.parent].append((name, node.id))
    city_names = sorted({fold(n.name) for n in nodes.values() if n.level == Level.CITY}, key=len, reverse=True)
    return Index(
        nodes=nodes, names={k: tuple(v) for k, v in names.items()},
        lengths=sorted({len(k) for k in names}, reverse=True), chain=chain,
        grid_numbers={k: sorted(v, key=lambda x: -len(x[0])) for k, v in grid_numbers.items()},
        fuzzy={k: sorted(v) for k, v in fuzzy.items()}, city_names=city_names,
    )


def _depth(node: Node, nodes: dict[int, Node]) -> int:
    depth, seen = 0, node
    while seen.parent is not None and seen.parent in nodes and depth < 10:
        seen = nodes[seen.parent]
        depth += 1
    return depth

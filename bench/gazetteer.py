"""Address → community and grid: accuracy and speed of the gazetteer on the demo city, with baselines.

Builds the demo city's jurisdictions (roads and landmarks included, as aliases of grids) in a fresh database,
then writes N addresses of known grids the way callers say them: district / street / community names full,
short or left out, a road or landmark of the grid, house numbers and "附近/对面/旁边", a leading 泰州市,
full-width digits, spaces, and one-character typos.  Every address names its community or a road of its grid.

Methods, same run, same addresses:
* ``gazetteer``  — intake.gazetteer.locate (exact scan, consistent chain, rapidfuzz near misses);
* ``exact_only`` — the same without near misses (ablation);
* ``naive``      — baseline: the deepest official full name or alias found as an exact substring wins.

Figures: community accuracy (all addresses), grid accuracy (addresses that name a road or landmark of their
grid), unresolved share (no community), auto-placed share and its precision (grid given with score ≥
THRESHOLD: what registration trusts without a human), ms per address (index built beforehand).

    uv run python bench/gazetteer.py [--engine sqlite|postgres|both] [--scale small|full] [--n 5000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _db import emit, fresh_database, run_per_engine, setup_django

NOISE_WORDS = ["附近", "对面", "旁边", "门口", "东侧", "路口", "一带"]
TYPO_CHARS = "东西南北中新老金银玉石沙柳桃梅杨松竹桂兰荷清永安福兴华长平河湖港桥溪塘庄红白青黄龙凤鹤马牛丰富康宁和顺"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Sample:
    address: str
    grid: int
    community: int
    names_road: bool
    typo: bool


def _short(name: str) -> str:
    for suffix in ("街道", "社区", "区", "市", "镇", "村"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _form(rng: random.Random, name: str, full: float, short: float) -> str:
    r = rng.random()
    return name if r < full else _short(name) if r < full + short else ""


def _typo(rng: random.Random, part: str) -> str:
    if len(part) < 3:
        return part
    i = rng.randrange(len(part) - 1)  # not the suffix (路, 区, 社区 …): people get those right
    return part[:i] + rng.choice([c for c in TYPO_CHARS if c != part[i]]) + part[i + 1:]


def make_address(rng: random.Random, chain: list[Any], grid_pk: int, community_pk: int) -> Sample:
    district, street, community, grid = chain
    road = rng.choice(grid.aliases) if grid.aliases and rng.random() < 0.8 else ""
    parts = [_form(rng, district.name, 0.4, 0.3), _form(rng, street.name, 0.35, 0.35),
             _form(rng, community.name, 0.3, 0.25) if road else _form(rng, community.name, 0.6, 0.4), road]
    typo = rng.random() < 0.15
    if typo:
        named = [i for i, p in enumerate(parts) if len(p) >= 3]
        if named:
            i = rng.choice(named)
            parts[i] = _typo(rng, parts[i])
        else:
            typo = False
    text = "".join(parts)
    if road.endswith(("路", "街", "大道", "巷")) or not road:
        text += f"{rng.randint(1, 300)}号" if rng.random() < 0.6 else ""
    if rng.random() < 0.3:
        text += rng.choice(NOISE_WORDS)
    if rng.random() < 0.2:
        text = "泰州市" + text
    if rng.random() < 0.2:
        text = text.translate(FULL_WIDTH)
    if rng.random() < 0.1:
        text = " ".join(text[i:i + 3] for i in range(0, len(text), 3))
    return Sample(text, grid_pk, community_pk, bool(road), typo)


def naive(index: Any) -> Callable[[str], tuple[int | None, int | None, float]]:
    """The deepest official full name or alias that occurs verbatim; no short forms, no consistency."""
    from fengqiao.intake.gazetteer import normalise
    from fengqiao.jurisdictions.models import Level

    names = {n: [e.area for e in es if e.kind in ("full", "alias")] for n, es in index.names.items()}
    names = {n: a for n, a in names.items() if a}

    def locate(address: str) -> tuple[int | None, int | None, float]:
        text = normalise(address, index.city_names)
        best = None
        for name, areas in names.items():
            if name in text:
                area = areas[0]
                if best is None or index.nodes[area].depth > index.nodes[best].depth:
                    best = area
        if best is None:
            return None, None, 0.0
        levels = {index.nodes[a].level: a for a in index.chain[best]}
        return levels.get(Level.COMMUNITY), levels.get(Level.GRID), 1.0

    return locate


def measure(name: str, locate: Callable[[str], tuple[int | None, int | None, float]], samples: list[Sample],
            threshold: float) -> dict[str, Any]:
    started = time.perf_counter()
    results = [locate(s.address) for s in samples]
    elapsed = time.perf_counter() - started
    road = [(s, r) for s, r in zip(samples, results, strict=True) if s.names_road]
    typos = [(s, r) for s, r in zip(samples, results, strict=True) if s.typo]
    placed = [(s, r) for s, r in zip(samples, results, strict=True) if r[1] is not None and r[2] >= threshold]
    n = len(samples)
    return {
        "method": name, "n": n,
        "community_accuracy": round(sum(r[0] == s.community for s, r in zip(samples, results, strict=True)) / n, 4),
        "grid_accuracy": round(sum(r[1] == s.grid for s, r in road) / max(1, len(road)), 4),
        "typo_community_accuracy": round(sum(r[0] == s.community for s, r in typos) / max(1, len(typos)), 4),
        "unresolved_share": round(sum(r[0] is None for r in results) / n, 4),
        "auto_placed_share": round(len(placed) / n, 4),
        "auto_placed_precision": round(sum(r[1] == s.grid for s, r in placed) / max(1, len(placed)), 4),
        "ms_per_address": round(elapsed * 1000 / n, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--scale", default="small", choices=["small", "full"])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.engine == "both":
        return run_per_engine(__file__, ["sqlite", "postgres"],
                              ["--scale", args.scale, "--n", str(args.n), "--seed", str(args.seed)])
    setup_django(fresh_database(args.engine, "gazetteer"))

    from django.db import transaction

    from fengqiao.demo import geography
    from fengqiao.demo.build import write_areas
    from fengqiao.intake import gazetteer
    from fengqiao.jurisdictions.models import Level

    with transaction.atomic():
        root = geography.build(geography.SCALES[args.scale], random.Random(args.seed))
        saved = write_areas(root)
    started = time.perf_counter()
    index = gazetteer.index()
    build_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(args.seed + 1)
    grids = [n for n in geography.walk(root) if n.level == Level.GRID]
    samples = []
    for _ in range(args.n):
        grid = rng.choice(grids)
        chain = [grid.parent.parent.parent, grid.parent.parent, grid.parent, grid]  # type: ignore[union-attr]
        samples.append(make_address(rng, chain, saved[grid.code].pk, saved[grid.parent.code].pk))  # type: ignore[union-attr]

    def ours(locate: Callable[[str], Any]) -> Callable[[str], tuple[int | None, int | None, float]]:
        def run(address: str) -> tuple[int | None, int | None, float]:
            found = locate(address)
            return (found.community_id, found.grid_id, found.score) if found else (None, None, 0.0)
        return run

    emit({"bench": "gazetteer", "engine": args.engine, "scale": args.scale, "areas": len(index.nodes),
          "names": len(index.names), "index_build_ms": round(build_ms, 1), "threshold": gazetteer.THRESHOLD,
          "examples": [s.address for s in samples[:8]]})
    for name, locate in (("gazetteer", ours(gazetteer.locate)), ("exact_only", ours(gazetteer.exact_only)),
                         ("naive", naive(index))):
        emit({"engine": args.engine, "scale": args.scale, **measure(name, locate, samples, gazetteer.THRESHOLD)})
    return 0


if __name__ == "__main__":
    sys.exit(main())

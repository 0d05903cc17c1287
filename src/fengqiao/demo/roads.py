"""Road and landmark names for the demo city: 2–4 per community, each an alias of one of its grids.

Names repeat across districts (every county town has its 人民路 and 人民医院), never within one, so an
address's other names are needed to tell them apart — as in real cities.  Drawn from a generator seeded by
the community's code and name, so the city's shapes and people do not change with this module.
"""

from __future__ import annotations

import random

from fengqiao.jurisdictions.models import Level

_STEMS = (  # two characters each
    "人民解放建设中山青年文化府前工农鼓楼五一东风胜利和平团结新华迎宾振兴光明幸福健康朝阳育才凤凰春晖迎春济川永定东进梅兰坡子"
    "扬子长江通江望海海阳税东江洲京泰稻河藕花学海周山滨江兴业开发工业站前环城新港柴墟鹏程金港文昌园林泰山红旗前进跃进复兴锦绣"
)
COMMON_STEMS = [_STEMS[i:i + 2] for i in range(0, len(_STEMS), 2)]
ROAD_KINDS = [("路", 10), ("街", 2), ("大道", 1), ("巷", 1), ("东路", 1), ("西路", 1), ("南路", 1), ("北路", 1)]
LANDMARKS = ["广场", "公园", "小学", "菜市场", "花园", "新村", "大厦", "农贸市场", "卫生院", "幼儿园"]
FIXED_LANDMARKS = ["万达广场", "吾悦广场", "人民医院", "中医院", "汽车站", "实验小学", "实验初中", "体育馆", "图书馆",
                   "文化宫", "第一中学", "第二中学", "第三中学", "第四中学", "第五中学", "中心小学"]


def _name(rng: random.Random, own: str) -> str:
    r = rng.random()
    stem = own if r < 0.25 else rng.choice(COMMON_STEMS)
    if r < 0.7:
        kinds, weights = zip(*ROAD_KINDS, strict=True)
        return stem + rng.choices(kinds, weights=weights)[0]
    if r < 0.85:
        return rng.choice(FIXED_LANDMARKS)
    return stem + rng.choice(LANDMARKS)


def community_roads(code: str, name: str, short: str, used: set[str]) -> list[str]:
    """2–4 road or landmark names for one community, none of them already ``used`` in its district."""
    rng = random.Random(f"roads:{code}:{name}")
    wanted = rng.randint(2, 4)
    out: list[str] = []
    for _ in range(200):
        if len(out) == wanted:
            break
        candidate = _name(rng, short)
        if candidate not in used:
            used.add(candidate)
            out.append(candidate)
    return out


def name_roads(city: object) -> None:
    """Give every community of the tree its roads, spread over its grids (first grid first)."""
    for district in getattr(city, "children", []):
        used: set[str] = set()
        for street in district.children:
            for community in street.children:
                short = community.name.removesuffix("社区").removesuffix("村")
                roads = community_roads(community.code, community.name, short, used)
                grids = [g for g in community.children if g.level == Level.GRID] or [community]
                for i, road in enumerate(roads):
                    grids[i % len(grids)].aliases.append(road)

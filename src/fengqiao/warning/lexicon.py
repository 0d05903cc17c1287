"""Text signals as data: Chinese words per signal, with cheap negation handling, and the two special
modules (rental housing 租赁房屋, family and marriage 婚姻家庭) as category words plus their own signals.

A word counts unless a negation ends right before it, or one character before it ("没有打人", "不会上访",
"未持刀", "没有再打人"); "不给钱就报复" still counts.  Matching is plain substring search: fast,
explainable, no model to download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NEGATIONS = ("没有", "没", "未", "不会", "不要", "不", "无", "并非", "否认", "别")

# signal → (Chinese label for reasons, words)
SIGNALS: dict[str, tuple[str, tuple[str, ...]]] = {
    "threat": ("威胁、报复言语", ("扬言", "威胁要", "威胁我", "威胁说", "恐吓", "报复", "同归于尽", "让他好看",
                              "走着瞧", "弄死", "要他命", "后果自负")),
    "violence": ("暴力苗头", ("打人", "持刀", "动手", "殴打", "砍人", "拿刀", "斗殴", "打伤", "打架", "推搡")),
    "self_harm": ("自伤、轻生倾向", ("跳楼", "轻生", "喝农药", "自杀", "不想活", "寻死", "割腕", "跳河", "上吊")),
    "collective": ("集体行动苗头", ("集体", "群体", "上访", "围堵", "拉横幅", "聚集", "联名", "堵路", "静坐",
                              "去北京", "进京", "越级")),
}


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    category_words: tuple[str, ...]  # a case whose category name contains one of these belongs to the module
    text_words: tuple[str, ...]  # ... or whose text contains one of these
    signals: dict[str, tuple[str, tuple[str, ...]]]  # the module's own signals: key → (label, words)


MODULES: dict[str, Module] = {
    "rental": Module(
        key="rental", label="租赁房屋",
        category_words=("租赁", "出租", "群租", "房东", "租客"),
        text_words=("房东", "租客", "租户", "房租", "租金", "押金", "群租", "二房东", "出租屋", "租房", "退租"),
        signals={
            "group_rental": ("群租", ("群租", "隔断", "床位出租", "住了十几个人", "二房东")),
            "arrears": ("租金拖欠、押金纠纷", ("押金", "拖欠房租", "欠租", "不退押金", "扣押金", "拖欠租金")),
            "eviction": ("驱赶、强制清退", ("赶出来", "赶走", "强行搬", "断水断电", "换锁", "清退", "扔东西")),
        },
    ),
    "family": Module(
        key="family", label="婚姻家庭",
        category_words=("婚姻", "家庭", "赡养", "抚养", "继承", "邻里家庭"),
        text_words=("丈夫", "妻子", "老公", "老婆", "离婚", "婆婆", "儿媳", "赡养", "抚养", "家暴", "夫妻", "子女"),
        signals={
            "domestic_violence": ("家庭暴力信号", ("家暴", "被打", "打老婆", "打妻子", "打孩子", "掐脖子", "伤痕")),
            "divorce_children": ("离婚涉及子女抚养", ("抚养权", "抚养费", "探视", "争夺孩子", "孩子归")),
            "divorce": ("离婚纠纷", ("离婚", "分居", "闹离婚")),
        },
    ),
}


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 5) : start]
    return any(before.endswith(neg) or before[:-1].endswith(neg) for neg in NEGATIONS)


def _hits(text: str, words: tuple[str, ...]) -> list[str]:
    """The words of ``words`` found in ``text`` at least once without a negation, in order of appearance."""
    found: list[str] = []
    for match in _pattern(words).finditer(text):
        word = match.group()
        if word not in found and not _negated(text, match.start()):
            found.append(word)
    return found


def signals(text: str) -> dict[str, list[str]]:
    """The general signals present in ``text``: signal → the words found (negated mentions left out)."""
    out = {}
    for key, (_label, words) in SIGNALS.items():
        hit = _hits(text, words)
        if hit:
            out[key] = hit
    return out


def modules(text: str, category: str) -> dict[str, dict[str, list[str]]]:
    """The special modules a case belongs to (by category name or text), each with its own signals."""
    out: dict[str, dict[str, list[str]]] = {}
    for key, module in MODULES.items():
        inside = any(w in category for w in module.category_words) or bool(_hits(text, module.text_words))
        if not inside:
            continue
        out[key] = {s: hit for s, (_label, words) in module.signals.items() if (hit := _hits(text, words))}
    return out


def signal_label(key: str) -> str:
    if key in SIGNALS:
        return SIGNALS[key][0]
    for module in MODULES.values():
        if key in module.signals:
            return f"{module.label}：{module.signals[key][0]}"
    return key

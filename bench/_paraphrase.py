"""Rule-based paraphrases of Chinese citizen messages, for the duplicate benchmark (bench/dedup.py).

Each paraphrase applies 2 to 4 of: reorder clauses, swap synonyms from a small table, add or remove
politeness phrases, change the format of numbers, truncate — the ways a second caller or a hotline
operator retells the same matter.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

SYNONYMS: list[tuple[str, str]] = [
    ("小区", "社区"), ("物业", "物业公司"), ("居民", "住户"), ("业主", "住户"), ("严重", "非常"),
    ("影响", "干扰"), ("问题", "情况"), ("没有", "未"), ("希望", "恳请"), ("噪音", "噪声"),
    ("马路", "道路"), ("孩子", "小孩"), ("政府", "有关部门"), ("收费", "收钱"), ("投诉", "反映"),
    ("现在", "目前"), ("已经", "已"), ("尽快", "尽早"), ("解决", "处理"), ("晚上", "夜间"),
    ("附近", "周边"), ("房子", "房屋"), ("老百姓", "群众"), ("领导", "部门"), ("工作人员", "员工"),
    ("一直", "始终"), ("无法", "不能"), ("多次", "反复"), ("垃圾", "废弃物"), ("学校", "校方"),
]
POLITE_OPENINGS = ["尊敬的领导：您好！", "您好，", "市民反映：", "领导你好，", "请问，"]
POLITE_CLOSINGS = ["谢谢！", "麻烦尽快处理，谢谢。", "望有关部门尽快处理。", "感谢！"]
_CLAUSE = re.compile(r"(?<=[，。；！？,;!?])")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_YMD = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def reorder(text: str, rng: random.Random) -> str:
    clauses = [c for c in _CLAUSE.split(text) if c]
    if len(clauses) < 3:
        return text
    i = rng.randrange(len(clauses) - 1)
    clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    return "".join(clauses)


def synonyms(text: str, rng: random.Random) -> str:
    present = [pair for pair in SYNONYMS if pair[0] in text or pair[1] in text]
    for a, b in rng.sample(present, k=min(len(present), rng.randint(2, 5))):
        text = text.replace(a, b) if a in text else text.replace(b, a)
    return text


def politeness(text: str, rng: random.Random) -> str:
    for phrase in POLITE_OPENINGS + POLITE_CLOSINGS:
        if phrase in text:
            return text.replace(phrase, "", 1)
    return rng.choice(POLITE_OPENINGS) + text + rng.choice(POLITE_CLOSINGS)


def numbers(text: str, rng: random.Random) -> str:
    if _YMD.search(text) and rng.random() < 0.5:
        return _YMD.sub(r"\1/\2/\3", text)
    return text.translate(_FULL_WIDTH)


def truncate(text: str, rng: random.Random) -> str:
    if len(text) < 40:
        return text
    return text[: max(30, int(len(text) * rng.uniform(0.6, 0.9)))]


RULES: list[Callable[[str, random.Random], str]] = [reorder, synonyms, politeness, numbers, truncate]


def paraphrase(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    rules = rng.sample(RULES, k=rng.randint(2, 4))
    for rule in rules:
        text = rule(text, rng)
    new_title = synonyms(title, rng) if rng.random() < 0.7 else title
    return new_title, text

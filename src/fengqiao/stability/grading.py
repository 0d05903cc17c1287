"""How risk items and the consultation suggest an assessment's grade (pure, no I/O).

A risk item's level comes from the 5 × 5 matrix of likelihood × impact: a score (their product) of 15 or
more is high, 5 to 12 medium, 4 or less low.  The overall grade suggested is the highest item's level,
raised one step when the consultation's opposition is strong (30 % or more of the opinions received oppose
the decision).  The decider may set another grade, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fengqiao.stability.states import GRADE_LABELS, Grade

SCALE = (1, 2, 3, 4, 5)
HIGH_FROM, MEDIUM_FROM = 15, 5
STRONG_OPPOSITION = 0.30
ORDER = [Grade.LOW, Grade.MEDIUM, Grade.HIGH]

LIKELIHOOD_LABELS = {1: "很小", 2: "较小", 3: "可能", 4: "较大", 5: "很大"}
IMPACT_LABELS = {1: "轻微", 2: "较小", 3: "一般", 4: "较重", 5: "严重"}


def item_level(likelihood: int, impact: int) -> Grade:
    score = likelihood * impact
    if score >= HIGH_FROM:
        return Grade.HIGH
    if score >= MEDIUM_FROM:
        return Grade.MEDIUM
    return Grade.LOW


@dataclass(frozen=True)
class Suggestion:
    grade: Grade | None  # None: no risk item recorded yet
    reasons: list[str]


def suggest(levels: Iterable[str], support: int, oppose: int, neutral: int) -> Suggestion:
    counted = [Grade(level) for level in levels]
    if not counted:
        return Suggestion(None, [_("尚未登记风险点，无法建议等级。")])
    top = max(counted, key=ORDER.index)
    n = {g: counted.count(g) for g in Grade}
    reasons = [_("风险点 %(n)s 个：高 %(h)s、中 %(m)s、低 %(l)s；最高为「%(top)s」。")
               % {"n": len(counted), "h": n[Grade.HIGH], "m": n[Grade.MEDIUM], "l": n[Grade.LOW],
                  "top": GRADE_LABELS[top]}]
    total = support + oppose + neutral
    if total:
        share = oppose / total
        reasons.append(_("征询意见 %(t)s 条，反对 %(o)s 条（%(p)s%%）。")
                       % {"t": total, "o": oppose, "p": f"{share * 100:.0f}"})
        if share >= STRONG_OPPOSITION and top != Grade.HIGH:
            top = ORDER[ORDER.index(top) + 1]
            reasons.append(_("反对意见达到 30%%，群众反应强烈，等级上调一级为「%(g)s」。") % {"g": GRADE_LABELS[top]})
    else:
        reasons.append(_("尚无征询意见。"))
    return Suggestion(top, reasons)

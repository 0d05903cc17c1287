"""The published formula as code: rates, score and ranking from counts.  No I/O (docs/ranking.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Used when an administrator has not published any version yet (Beijing 接诉即办 weights: 10 / 45 / 45).
DEFAULT = {"name": "默认考核办法", "response_weight": 0.1, "resolution_weight": 0.45,
           "satisfaction_weight": 0.45, "basically_weight": 0.8, "min_cases": 10}


@dataclass(frozen=True)
class Weights:
    response: float
    resolution: float
    satisfaction: float
    basically: float
    min_cases: int


@dataclass
class Counts:
    """One unit's counts in one month (after exemptions)."""

    cases: int = 0
    exempted: int = 0
    response_due: int = 0
    responded: int = 0
    resolution_due: int = 0
    resolved: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0


@dataclass(frozen=True)
class Rates:
    response: float | None
    resolution: float | None
    satisfaction: float | None
    score: float | None


def _ratio(numerator: float, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def rates(counts: Counts, weights: Weights) -> Rates:
    """Each rate is a fraction in [0, 1] or None (nothing due); the score is 100 × the weighted mean of
    the rates that exist, the weights re-normalised over them."""
    response = _ratio(counts.responded, counts.response_due)
    resolution = _ratio(counts.resolved, counts.resolution_due)
    evaluated = counts.satisfied + counts.basically + counts.unsatisfied
    satisfaction = _ratio(counts.satisfied + counts.basically * weights.basically, evaluated)
    parts = [(response, weights.response), (resolution, weights.resolution),
             (satisfaction, weights.satisfaction)]
    used = [(r, w) for r, w in parts if r is not None and w > 0]
    total = sum(w for _, w in used)
    score = round(100 * sum(r * w for r, w in used) / total, 2) if total else None
    return Rates(response, resolution, satisfaction, score)


def ranks(rows: list[tuple[int, str, int, float | None]], min_cases: int) -> dict[int, int]:
    """(unit id, unit code, cases, score) → rank.  Units with fewer than ``min_cases`` cases or no score
    are not ranked; equal scores share a rank (1, 2, 2, 4)."""
    eligible = sorted(((score, code, uid) for uid, code, cases, score in rows
                       if score is not None and cases >= min_cases), key=lambda r: (-r[0], r[1]))
    result: dict[int, int] = {}
    previous: float | None = None
    rank = 0
    for position, (score, _code, uid) in enumerate(eligible, start=1):
        if score != previous:
            rank, previous = position, score
        result[uid] = rank
    return result


def parse_month(text: str) -> dt.date:
    """'2026-10' → date(2026, 10, 1); a clear ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(_("月份格式应为 YYYY-MM（例如 2026-10），收到的是 “%(text)s”。") % {"text": text})
    if int(match[1]) < 2000:
        raise ValueError(_("月份 %(text)s 早于 2000 年，不可能有数据。") % {"text": text})
    return dt.date(int(match[1]), int(match[2]), 1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)

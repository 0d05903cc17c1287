"""Periods the figures are counted over: an ISO week, a month, a quarter, a year, the last N months — their
keys (as in URLs), labels, bounds (local dates, end exclusive), the period before, and the recent ones of a
kind.  The cockpit, its reports and public board, and the risk indicators all read their periods here.

Keys: ``2026-W48`` (ISO week, Monday to Sunday), ``2026-11`` (month), ``2026-Q4`` (quarter), ``2026`` (year),
``12m`` (the last twelve months to this one).  Years from 2000 to 2100.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from fengqiao.kit.errors import ValidationFailed

FIRST_YEAR, LAST_YEAR = 2000, 2100


class Kind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    LAST_MONTHS = "last-months"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_back(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date  # first day
    end: dt.date  # first day after
    kind: str = ""  # a Kind; "" for a span that is none of them (the months before a last-N-months period)

    @property
    def months(self) -> list[dt.date]:
        """The first days of the months the period touches."""
        found, month = [], month_start(self.start)
        while month < self.end:
            found.append(month)
            month = next_month(month)
        return found

    @property
    def whole_months(self) -> bool:
        return self.start.day == 1 and self.end.day == 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def short(self) -> str:
        """A compact label for a list of periods of one kind: ``2026-11``, ``2026 Q4``, ``2026``, ``2026-W48``."""
        return self.key.replace("-Q", " Q") if self.kind == Kind.QUARTER else self.key

    def previous(self) -> Period:
        """The period of the same kind just before (环比); for other spans, as many months before."""
        if self.kind == Kind.WEEK:
            return week(self.start - dt.timedelta(days=7))
        if self.kind == Kind.MONTH:
            return month(self.start - dt.timedelta(days=1))
        if self.kind == Kind.QUARTER:
            return quarter_of(self.start - dt.timedelta(days=1))
        if self.kind == Kind.YEAR:
            return year(self.start.year - 1)
        start = months_back(month_start(self.start), len(self.months))
        return Period(f"prev-{self.key}", _("上一期"), start, self.start)


# ---- one period of a kind ----------------------------------------------------------------------------------

def week(day: dt.date) -> Period:
    """The ISO week (Monday to Sunday) that holds ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    iso_year, number, _weekday = monday.isocalendar()
    sunday = monday + dt.timedelta(days=6)
    label = _("%(y)d年第%(w)d周（%(m1)d月%(d1)d日—%(m2)d月%(d2)d日）") % {
        "y": iso_year, "w": number, "m1": monday.month, "d1": monday.day, "m2": sunday.month, "d2": sunday.day}
    return Period(f"{iso_year}-W{number:02d}", label, monday, monday + dt.timedelta(days=7), Kind.WEEK)


def month(day: dt.date) -> Period:
    """The month that holds ``day``."""
    first = month_start(day)
    return Period(f"{first:%Y-%m}", _("%(y)d年%(m)d月") % {"y": first.year, "m": first.month}, first,
                  next_month(first), Kind.MONTH)


def quarter(year_: int, number: int) -> Period:
    start = dt.date(year_, 3 * number - 2, 1)
    end = dt.date(year_ + 1, 1, 1) if number == 4 else dt.date(year_, 3 * number + 1, 1)
    return Period(f"{year_}-Q{number}", _("%(y)d年第%(q)d季度") % {"y": year_, "q": number}, start, end,
                  Kind.QUARTER)


def quarter_of(day: dt.date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def year(year_: int) -> Period:
    return Period(str(year_), _("%(y)d年") % {"y": year_}, dt.date(year_, 1, 1), dt.date(year_ + 1, 1, 1), Kind.YEAR)


def last_months(n: int, today: dt.date) -> Period:
    """The last ``n`` months up to and including ``today``'s (key ``12m``)."""
    this = month_start(today)
    label = _("近12个月") if n == 12 else _("近%(n)d个月") % {"n": n}
    return Period(f"{n}m", label, months_back(this, n - 1), next_month(this), Kind.LAST_MONTHS)


def of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` (week, month, quarter, year) that holds ``day``."""
    if kind == Kind.WEEK:
        return week(day)
    if kind == Kind.QUARTER:
        return quarter_of(day)
    if kind == Kind.YEAR:
        return year(day.year)
    if kind == Kind.MONTH:
        return month(day)
    raise ValueError(f"no period kind {kind!r}")


def recent(kind: str, today: dt.date, count: int) -> list[Period]:
    """The ``count`` periods of ``kind`` up to the one holding ``today``, newest first."""
    found = [of(kind, today)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found


# ---- parsing ----------------------------------------------------------------------------------------------

LAST_MONTHS_KEYS = {"12m": 12}


def parse(text: str, kinds: Collection[str], today: dt.date) -> Period | None:
    """The period ``text`` names, when it is of one of ``kinds``; None when it names none of them (the caller
    says which forms it takes).  A week that does not exist (``2025-W53``) is refused here, naming the field."""
    text = text.strip()
    if Kind.LAST_MONTHS in kinds and text in LAST_MONTHS_KEYS:
        return last_months(LAST_MONTHS_KEYS[text], today)
    if Kind.WEEK in kinds and (m := re.fullmatch(r"(\d{4})-W(\d{1,2})", text, flags=re.IGNORECASE)):
        y, number = int(m[1]), int(m[2])
        try:
            monday = dt.date.fromisocalendar(y, number, 1) if FIRST_YEAR <= y <= LAST_YEAR else None
        except ValueError:
            monday = None
        if monday is None:
            raise ValidationFailed(_("%(y)d年没有第%(w)d周。") % {"y": y, "w": number},
                                   fields={"period": _("没有这一周")})
        return week(monday)
    if Kind.MONTH in kinds and (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)):
        y, number = int(m[1]), int(m[2])
        if 1 <= number <= 12 and FIRST_YEAR <= y <= LAST_YEAR:
            return month(dt.date(y, number, 1))
    if Kind.QUARTER in kinds and (m := re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.IGNORECASE)):
        y = int(m[1])
        if FIRST_YEAR <= y <= LAST_YEAR:
            return quarter(y, int(m[2]))
    if Kind.YEAR in kinds and (m := re.fullmatch(r"(\d{4})", text)):
        y = int(m[1])
        if FIRST_YEAR <= y <= LAST_YEAR:
            return year(y)
    return None

"""The statutory windows a person has to challenge an administrative act, and the date they run from.

* 行政复议: 60 days from the day the person knew (or should have known) of the act (行政复议法 2023, art. 20).
* 行政诉讼: 6 months from the same day (行政诉讼法, art. 46).

The day the person knew is the latest date the text mentions that is not after the registration (an act's
date: "2026年3月5日收到处罚决定书"), else the registration date itself.  No I/O here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6

_FULL = re.compile(r"(20\d\d|19\d\d)\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?")
_YEAR_MONTH = re.compile(r"(20\d\d|19\d\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")
_MONTH_DAY = re.compile(r"(?<![\d年/\-.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_THIS_YEAR_MONTH = re.compile(r"今年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")


@dataclass(frozen=True)
class Windows:
    known_on: dt.date
    known_from_text: bool  # False: the registration date stood in
    reconsider_by: dt.date
    litigate_by: dt.date

    def days_left(self, today: dt.date) -> tuple[int, int]:
        """(days left to apply for reconsideration, days left to sue); negative when the window closed."""
        return (self.reconsider_by - today).days, (self.litigate_by - today).days


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def mentioned_dates(text: str, registered_on: dt.date) -> list[dt.date]:
    """Dates the text mentions, in full or as month-and-day (the year of registration, or the year before
    when that would lie after the registration)."""
    found: list[dt.date | None] = []
    for m in _FULL.finditer(text):
        found.append(_date(int(m[1]), int(m[2]), int(m[3])))
    for m in _YEAR_MONTH.finditer(text):
        found.append(_date(int(m[1]), int(m[2]), 1))
    for m in _THIS_YEAR_MONTH.finditer(text):
        found.append(_date(registered_on.year, int(m[1]), 1))
    stripped = _FULL.sub(" ", text)
    for m in _MONTH_DAY.finditer(stripped):
        day = _date(registered_on.year, int(m[1]), int(m[2]))
        if day is not None and day > registered_on:
            day = _date(registered_on.year - 1, int(m[1]), int(m[2]))
        found.append(day)
    return [d for d in found if d is not None]


def windows_for(text: str, registered_on: dt.date) -> Windows:
    candidates = [d for d in mentioned_dates(text, registered_on)
                  if registered_on - dt.timedelta(days=366 * 3) <= d <= registered_on]
    known_on = max(candidates) if candidates else registered_on
    return Windows(known_on=known_on, known_from_text=bool(candidates),
                   reconsider_by=known_on + dt.timedelta(days=RECONSIDERATION_DAYS),
                   litigate_by=add_months(known_on, LITIGATION_MONTHS))

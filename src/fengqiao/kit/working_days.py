"""Deadlines on the Chinese working-day calendar (DESIGN rule 6; FixMyStreet's WorkingDays.pm).

The State Council's holidays and make-up workdays (调休) come from ``chinesecalendar``; administrators
override single days (a local holiday, next year's schedule before the library knows it) with
:class:`fengqiao.kit.models.CalendarDay` rows.  Outside the years the library knows, and without an
override, Monday to Friday are working days.

Counting rule (as in Chinese procedural law, 期间开始之日不计算在内): a period of N working days that
starts at any moment of day D ends at 24:00 (the end) of the N-th working day after D.
"""

from __future__ import annotations

import datetime as dt
import time

import chinese_calendar

from fengqiao.kit import clock

END_OF_DAY = dt.time(23, 59, 59)


# Overrides are few; each process keeps them for a minute (other processes see an edit within that).
_CACHE_SECONDS = 60.0
_cache: tuple[float, dict[dt.date, bool]] | None = None
# (start date, working days) → end date; valid as long as the overrides it was computed with
_ends: dict[tuple[dt.date, int], dt.date] = {}


def overrides() -> dict[dt.date, bool]:
    global _cache
    if _cache is None or time.monotonic() - _cache[0] > _CACHE_SECONDS:
        from fengqiao.kit.models import CalendarDay

        fresh = dict(CalendarDay.objects.values_list("day", "is_workday"))
        if _cache is None or fresh != _cache[1]:
            _ends.clear()
        _cache = (time.monotonic(), fresh)
    return _cache[1]


def clear_cache() -> None:
    """Called when an administrator edits the calendar (signal in kit.models)."""
    global _cache
    _cache = None
    _ends.clear()


def is_workday(day: dt.date) -> bool:
    local = overrides()
    if day in local:
        return local[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the ``days``-th working day after the local date of ``start``."""
    if days < 0:
        raise ValueError("days must not be negative")
    first = clock.localtime(start).date()
    overrides()  # refresh the overrides (and forget memoised ends if they changed)
    end = _ends.get((first, days))
    if end is None:
        end, counted = first, 0
        while counted < days:
            end += dt.timedelta(days=1)
            if is_workday(end):
                counted += 1
        _ends[(first, days)] = end
    return clock.at_local(end, END_OF_DAY)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole working days after the date of ``start`` up to and including the date of ``end``."""
    first = clock.localtime(start).date()
    last = clock.localtime(end).date()
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return sign * count


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """Urgent matters count natural hours, holidays included."""
    return start + dt.timedelta(hours=hours)

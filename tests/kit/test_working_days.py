"""The working-day calendar on real 2026 State Council data (chinesecalendar), and administrators' overrides.

2026 as the library has it: 春节 holidays 15–23 Feb with make-up workdays Sat 14 Feb and Sat 28 Feb;
中秋 holidays Fri 25 – Sun 27 Sep; 国庆 holidays 1–7 Oct with make-up workdays Sun 20 Sep and Sat 10 Oct.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from fengqiao.kit import working_days
from fengqiao.kit.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=SH)


def end(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "days", "deadline"), [
    # National Day 2026: Wed 30 Sep + 1 → Thu 8 Oct; the make-up Saturday 10 Oct counts
    (at(2026, 9, 30), 1, end(2026, 10, 8)),
    (at(2026, 9, 30), 2, end(2026, 10, 9)),
    (at(2026, 9, 30), 3, end(2026, 10, 10)),
    (at(2026, 9, 30), 4, end(2026, 10, 12)),
    # the make-up Sunday 20 Sep before it
    (at(2026, 9, 18), 1, end(2026, 9, 20)),
    # Mid-Autumn: Thu 24 Sep + 1 → Mon 28 Sep (Fri 25 is a holiday)
    (at(2026, 9, 24), 1, end(2026, 9, 28)),
    # Spring Festival 2026: Fri 13 Feb + 1 → the make-up Saturday 14 Feb, + 2 → Tue 24 Feb
    (at(2026, 2, 13), 1, end(2026, 2, 14)),
    (at(2026, 2, 13), 2, end(2026, 2, 24)),
    (at(2026, 2, 13), 5, end(2026, 2, 27)),
    (at(2026, 2, 13), 6, end(2026, 2, 28)),
    (at(2026, 2, 13), 7, end(2026, 3, 2)),
    # the start day does not count, whatever the hour; zero days ends the same day
    (at(2026, 3, 2, 0), 1, end(2026, 3, 3)),
    (at(2026, 3, 2, 23), 0, end(2026, 3, 2)),
    # a start given in UTC counts from its local date: 20:00 UTC on 30 Sep is 04:00 on 1 Oct in Shanghai
    (dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC), 1, end(2026, 10, 8)),
    (dt.datetime(2026, 10, 9, 17, 0, tzinfo=dt.UTC), 1, end(2026, 10, 12)),  # Sat 10 Oct 01:00 local
])
def test_add_working_days(start: dt.datetime, days: int, deadline: dt.datetime) -> None:
    assert working_days.add_working_days(start, days) == deadline


@pytest.mark.django_db
def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days must not be negative"):
        working_days.add_working_days(at(2026, 3, 2), -1)


@pytest.mark.django_db
def test_working_days_between_across_spring_festival() -> None:
    assert working_days.working_days_between(at(2026, 2, 13), at(2026, 2, 27)) == 5
    assert working_days.working_days_between(at(2026, 2, 27), at(2026, 2, 13)) == -5
    assert working_days.working_days_between(at(2026, 2, 16), at(2026, 2, 23)) == 0


@pytest.mark.django_db
def test_a_local_holiday_override() -> None:
    """An administrator closes Wednesday 4 March 2026 (a local holiday): it stops counting at once."""
    assert working_days.add_working_days(at(2026, 3, 2), 3) == end(2026, 3, 5)
    CalendarDay.objects.create(day=dt.date(2026, 3, 4), is_workday=False, name="本市防汛停工")
    assert working_days.is_workday(dt.date(2026, 3, 4)) is False
    assert working_days.add_working_days(at(2026, 3, 2), 3) == end(2026, 3, 6)
    CalendarDay.objects.filter(day=dt.date(2026, 3, 4)).delete()
    working_days.clear_cache()  # a queryset delete sends no signal; the admin deletes one row (signal)
    assert working_days.add_working_days(at(2026, 3, 2), 3) == end(2026, 3, 5)


@pytest.mark.django_db
def test_override_saved_or_deleted_through_the_model_clears_the_cache() -> None:
    assert working_days.is_workday(dt.date(2026, 3, 7)) is False  # a Saturday
    row = CalendarDay.objects.create(day=dt.date(2026, 3, 7), is_workday=True, name="调休上班")
    assert working_days.is_workday(dt.date(2026, 3, 7)) is True
    row.delete()
    assert working_days.is_workday(dt.date(2026, 3, 7)) is False


@pytest.mark.django_db
def test_a_year_beyond_the_library() -> None:
    """2030 is not in chinesecalendar: Monday to Friday count, until the administrator enters the schedule."""
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2030, 1, 1))
    assert working_days.add_working_days(at(2029, 12, 31), 1) == end(2030, 1, 1)
    assert working_days.add_working_days(at(2030, 1, 4), 1) == end(2030, 1, 7)  # Fri → Mon
    CalendarDay.objects.create(day=dt.date(2030, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(day=dt.date(2030, 1, 5), is_workday=True, name="调休上班")
    assert working_days.add_working_days(at(2029, 12, 31), 1) == end(2030, 1, 2)
    assert working_days.add_working_days(at(2030, 1, 4), 1) == end(2030, 1, 5)


def test_hours_are_natural_hours_holidays_included() -> None:
    assert working_days.add_hours(at(2026, 9, 30, 18), 24) == at(2026, 10, 1, 18)

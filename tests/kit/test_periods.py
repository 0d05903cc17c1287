"""kit.periods: the one parser and lister of periods (week, month, quarter, year, last N months) that the
cockpit, its reports and board, and the risk indicators share."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.kit import periods
from fengqiao.kit.errors import ValidationFailed
from fengqiao.kit.periods import Kind

TODAY = dt.date(2026, 11, 25)
ALL = frozenset(Kind)


@pytest.mark.parametrize(("text", "key", "start", "end", "label"), [
    ("2026-11", "2026-11", dt.date(2026, 11, 1), dt.date(2026, 12, 1), "2026年11月"),
    ("2026-1", "2026-01", dt.date(2026, 1, 1), dt.date(2026, 2, 1), "2026年1月"),
    ("2026-12", "2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1), "2026年12月"),
    ("2026-q4", "2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026年第4季度"),
    ("2026-Q1", "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1), "2026年第1季度"),
    ("2026", "2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026年"),
    ("12m", "12m", dt.date(2025, 12, 1), dt.date(2026, 12, 1), "近12个月"),
    ("2026-W48", "2026-W48", dt.date(2026, 11, 23), dt.date(2026, 11, 30), "2026年第48周（11月23日—11月29日）"),
    ("2026-w1", "2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 5), "2026年第1周（12月29日—1月4日）"),
])
def test_each_form_parses_to_its_key_bounds_and_label(text: str, key: str, start: dt.date, end: dt.date,
                                                      label: str) -> None:
    found = periods.parse(text, ALL, TODAY)
    assert found is not None
    assert (found.key, found.start, found.end, found.label) == (key, start, end, label)
    assert periods.parse(found.key, ALL, TODAY) == found  # the key reads back as the same period


@pytest.mark.parametrize("text", ["2026-13", "2026-0", "1999", "2101-01", "2026-Q5", "6m", "W48", "", "last week"])
def test_what_names_no_period_is_none(text: str) -> None:
    assert periods.parse(text, ALL, TODAY) is None


def test_only_the_kinds_asked_for_are_read() -> None:
    assert periods.parse("2026-W48", {Kind.MONTH}, TODAY) is None
    assert periods.parse("2026-Q4", {Kind.WEEK, Kind.MONTH}, TODAY) is None
    assert periods.parse("12m", {Kind.MONTH, Kind.YEAR}, TODAY) is None


@pytest.mark.parametrize(("text", "message"), [("2025-W53", "2025年没有第53周"), ("2026-W00", "2026年没有第0周"),
                                               ("1999-W10", "1999年没有第10周")])
def test_a_week_that_does_not_exist_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        periods.parse(text, {Kind.WEEK}, TODAY)
    assert message in error.value.message
    assert "period" in error.value.fields


def test_the_previous_period_is_of_the_same_kind() -> None:
    def previous(text: str) -> str:
        found = periods.parse(text, ALL, TODAY)
        assert found is not None
        return found.previous().key

    assert previous("2026-W01") == "2025-W52"
    assert previous("2026-01") == "2025-12"
    assert previous("2026-Q1") == "2025-Q4"
    assert previous("2026") == "2025"
    twelve = periods.last_months(12, TODAY).previous()
    assert (twelve.start, twelve.end, twelve.label) == (dt.date(2024, 12, 1), dt.date(2025, 12, 1), "上一期")


def test_months_touched_and_whole_months() -> None:
    week = periods.week(dt.date(2026, 1, 1))
    assert week.months == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert not week.whole_months
    assert periods.quarter(2026, 4).months == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    assert periods.year(2026).whole_months


def test_recent_periods_newest_first_with_short_labels() -> None:
    months = periods.recent(Kind.MONTH, dt.date(2026, 1, 15), 13)
    assert [m.short for m in months[:2]] == ["2026-01", "2025-12"]
    assert months[-1].key == "2025-01"
    quarters = periods.recent(Kind.QUARTER, TODAY, 8)
    assert [q.short for q in quarters[:2]] == ["2026 Q4", "2026 Q3"]
    assert quarters[-1].key == "2025-Q1"
    assert [y.key for y in periods.recent(Kind.YEAR, TODAY, 3)] == ["2026", "2025", "2024"]
    weeks = periods.recent(Kind.WEEK, TODAY, 12)
    assert (weeks[0].key, weeks[1].key, len({w.key for w in weeks})) == ("2026-W48", "2026-W47", 12)

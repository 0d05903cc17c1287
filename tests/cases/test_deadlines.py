"""Deadline policies (the most specific row wins) and the deadlines the services write, with frozen time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fengqiao.cases import deadlines, services
from fengqiao.cases.deadlines import Terms
from fengqiao.cases.models import DeadlinePolicy, TimeUnit
from fengqiao.cases.states import State
from fengqiao.kit.models import CalendarDay
from tests.cases.builders import case_in, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")


def end(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def test_the_city_default_and_the_fallback(city: City) -> None:
    assert deadlines.policy_for(city.categories["leaf"], "normal") == Terms(24, 5, "working_days", 7)
    DeadlinePolicy.objects.all().delete()
    assert deadlines.policy_for(None, "normal") == Terms(**deadlines.FALLBACK)  # type: ignore[arg-type]


def test_the_most_specific_policy_wins(city: City) -> None:
    top, mid, leaf, noise = (city.categories[k] for k in ("top", "mid", "leaf", "noise"))
    DeadlinePolicy.objects.create(category=top, urgency="", accept_hours=12, resolve_amount=10,
                                  resolve_unit=TimeUnit.WORKING_DAYS)
    DeadlinePolicy.objects.create(category=mid, urgency="urgent", accept_hours=2, resolve_amount=3,
                                  resolve_unit=TimeUnit.WORKING_DAYS)
    # the nearest ancestor with a matching row: mid has only an 'urgent' row, so top's any-urgency row
    assert deadlines.policy_for(leaf, "normal") == Terms(12, 10, "working_days", 7)
    assert deadlines.policy_for(leaf, "urgent") == Terms(2, 3, "working_days", 7)
    DeadlinePolicy.objects.create(category=mid, urgency="", accept_hours=6, resolve_amount=7,
                                  resolve_unit=TimeUnit.WORKING_DAYS)
    # at one level the exact urgency beats the any-urgency row
    assert deadlines.policy_for(leaf, "normal") == Terms(6, 7, "working_days", 7)
    assert deadlines.policy_for(leaf, "urgent") == Terms(2, 3, "working_days", 7)
    # a category of another branch falls back to the city's default; its own urgent row applies exactly
    assert deadlines.policy_for(noise, "normal") == Terms(24, 5, "working_days", 7)
    assert deadlines.policy_for(noise, "very_urgent") == Terms(1, 24, "hours", 7)


def test_an_hours_policy_counts_through_national_day(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 30, 18, 0, tzinfo=SH), tick=False):
        case = register(city, category="noise", urgency="very_urgent")
        assert case.deadline == dt.datetime(2026, 10, 1, 18, 0, tzinfo=SH)
        services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[1].pk)
    case.refresh_from_db()
    assert case.accept_deadline == dt.datetime(2026, 9, 30, 19, 0, tzinfo=SH)
    assert case.events.get(seq=1).data["terms"] == "1 小时内签收，24 小时内办结"


def test_registration_before_national_day(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 0, tzinfo=SH), tick=False):
        case = register(city)
    # Tue 29, Wed 30 Sep, (1–7 Oct holidays), Thu 8, Fri 9, Sat 10 Oct (make-up workday)
    assert case.deadline == end(2026, 10, 10)


def test_registration_before_spring_festival_with_a_local_holiday(city: City) -> None:
    CalendarDay.objects.create(day=dt.date(2026, 2, 24), is_workday=False, name="本市延长春节假期")
    with time_machine.travel(dt.datetime(2026, 2, 12, 15, 0, tzinfo=SH), tick=False):
        case = register(city)
    # Fri 13, Sat 14 (make-up), (15–23 holidays, 24 the city's own), Wed 25, Thu 26, Fri 27 Feb
    assert case.deadline == end(2026, 2, 27)


def test_an_approved_extension_adds_working_days_to_the_deadline(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 21, 10, 0, tzinfo=SH), tick=False):
        case = case_in(city, State.ACCEPTED)
        # Tue 22, Wed 23, Thu 24, (25–27 Mid-Autumn), Mon 28, Tue 29 Sep
        assert case.deadline == end(2026, 9, 29)
        services.request_extension(city.users["handler"], case.code, working_days=3, reason="等待配件到货")
        services.decide_extension(city.users["dispatcher"], case.code, approve=True)
    case.refresh_from_db()
    assert case.deadline == end(2026, 10, 9)  # Wed 30 Sep, Thu 8 Oct, Fri 9 Oct
    assert deadlines.extend(end(2026, 9, 29), 4) == end(2026, 10, 10)


def test_an_extension_that_ends_the_overdue_state(city: City) -> None:
    from fengqiao.cases import overdue

    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False) as traveller:
        case = case_in(city, State.ACCEPTED)
        traveller.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
        assert overdue.sweep().flagged == 1
        services.request_extension(city.users["handler"], case.code, working_days=2, reason="等待配件到货")
        services.decide_extension(city.users["dispatcher"], case.code, approve=True)
    case.refresh_from_db()
    assert (case.deadline, case.overdue, case.overdue_since) == (end(2026, 3, 11), False, None)


@pytest.mark.parametrize(("seconds", "label"), [
    (3 * 86400 + 5 * 3600, "剩余 3 天 5 小时"),
    (2 * 3600 + 15 * 60, "剩余 2 小时 15 分"),
    (-(86400 + 3600), "超期 1 天 1 小时"),
])
def test_time_left_labels(seconds: int, label: str) -> None:
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    left = deadlines.time_left(now + dt.timedelta(seconds=seconds), now)
    assert left is not None
    assert (left.label(), left.overdue) == (label, seconds < 0)
    assert deadlines.time_left(None, now) is None
